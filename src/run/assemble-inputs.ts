/**
 * assemble's inputs: the files under the given paths, read once (symlinks not followed, nothing
 * written, files too large for a key or certificate skipped and counted), classified by content
 * and described as a file system would describe them (FileEvidence), so the reassembler groups
 * them by folder and pairs the rest by cryptography exactly as it does for a scan.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileProblem } from '../file-errors.ts';
import { certificatesIn } from '../format/certificate.ts';
import { unframe } from '../format/framing.ts';
import { identifyKeyFile, type KeyFileKind } from '../format/key-file-id.ts';
import { KEY_FILE_KIND, keyFileName, type KeyFileName } from '../format/key-file-names.ts';
import { MAX_PKCS12_SIZE, parsePkcs12 } from '../format/pkcs12.ts';
import { regHeaderAt } from '../format/reg-export.ts';
import { regExportEvidence } from '../fs/regf/reg-files.ts';
import type { FileEvidence } from '../fs/types.ts';

/** Larger than any key file, certificate or PKCS#12 keycarve accepts: not read. */
export const MAX_INPUT_FILE = MAX_PKCS12_SIZE;

export interface InputFile {
  /** The path as found under the input (for `from`). */
  readonly path: string;
  /** '/<input name>/<folders>' — what the report and the output tree show as the folder. */
  readonly folder: string;
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface Walked {
  readonly files: InputFile[];
  readonly skipped: { symlinks: number; large: number; unreadable: number };
  readonly problems: string[];
}

/** Every regular file under the inputs, in a stable order (numbers in names compared as numbers: PhotoRec's f-numbers are disk order). */
export async function walkInputs(inputs: readonly string[]): Promise<Walked> {
  const w: Walked = { files: [], skipped: { symlinks: 0, large: 0, unreadable: 0 }, problems: [] };
  for (const input of inputs) {
    const root = resolve(input);
    const st = await lstat(root);
    const base = dirname(root);
    if (st.isDirectory()) await walkDir(root, base, w);
    else await readOne(root, base, w, true);
  }
  return w;
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

async function walkDir(dir: string, base: string, w: Walked): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort(byName);
  } catch (e) {
    w.skipped.unreadable++;
    w.problems.push(fileProblem(dir, e));
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    const st = await lstat(p).catch(() => null);
    if (!st) continue;
    if (st.isSymbolicLink()) w.skipped.symlinks++;
    else if (st.isDirectory()) await walkDir(p, base, w);
    else if (st.isFile()) {
      if (st.size > MAX_INPUT_FILE) w.skipped.large++;
      else await readOne(p, base, w, false);
    }
  }
}

async function readOne(path: string, base: string, w: Walked, given: boolean): Promise<void> {
  try {
    const bytes = new Uint8Array(await readFile(path));
    if (bytes.length > MAX_INPUT_FILE) return void w.skipped.large++;
    w.files.push({ path, folder: '/' + relative(base, dirname(path)).split(/[\\/]/).filter(Boolean).join('/'), name: basename(path), bytes });
  } catch (e) {
    if (given) throw e;
    w.skipped.unreadable++;
    w.problems.push(fileProblem(path, e));
  }
}

export type Classified =
  | { readonly kind: KeyFileKind; readonly der: Uint8Array; readonly file: InputFile; readonly extra: number }
  | { readonly kind: 'x509' | 'pkcs12'; readonly der: Uint8Array; readonly file: InputFile; readonly extra: 0 }
  | { readonly kind: 'reg-export'; readonly der: Uint8Array; readonly file: InputFile; readonly extra: 0 };

/** What a file is by its content: a key file (token frame trimmed), a certificate file, a PKCS#12, a .reg export, or nothing keycarve uses. */
export function classify(file: InputFile): Classified | null {
  if (regHeaderAt(file.bytes)) return { kind: 'reg-export', der: file.bytes, file, extra: 0 };
  const u = unframe(file.bytes);
  const id = identifyKeyFile(u.der);
  if (id && id.length <= u.der.length) return { kind: id.kind, der: u.der.subarray(0, id.length), file, extra: u.der.length - id.length };
  if (certificatesIn(file.bytes)?.certificates.length) return { kind: 'x509', der: file.bytes, file, extra: 0 };
  if (file.bytes[0] === 0x30 && parsePkcs12(file.bytes).ok) return { kind: 'pkcs12', der: file.bytes, file, extra: 0 };
  return null;
}

const SLOT: Record<number, KeyFileName> = { 1: 'masks.key', 2: 'primary.key', 3: 'header.key', 4: 'masks2.key', 5: 'primary2.key', 6: 'name.key', 0x11: 'masks2.key', 0x12: 'primary2.key' };

/**
 * The role a file's name suggests for a file of `kind` (format notes §11): a container file name,
 * or a token file ID in hex (0A01) or decimal (2561) whose last digit says the role. Only a role
 * of the content's own kind counts; the name breaks ties, never decides the kind.
 */
export function roleFromName(name: string, kind: KeyFileKind): KeyFileName | null {
  const fits = (r: KeyFileName | null | undefined) => (r && KEY_FILE_KIND[r] === kind ? r : null);
  const direct = fits(keyFileName(name));
  if (direct) return direct;
  const stem = name.replace(/\.[^.]*$/, '');
  const ids = [/^[0-9a-f]{4}$|^[0-9a-f]{8}$/i.test(stem) ? parseInt(stem, 16) : NaN, /^\d{1,10}$/.test(stem) ? Number(stem) : NaN];
  for (const v of ids) if (!Number.isNaN(v)) {
    const r = fits(SLOT[v & 0xff]) ?? fits(SLOT[v & 0xf]);
    if (r) return r;
  }
  return null;
}

const FIRST: Record<KeyFileKind, KeyFileName> = { header: 'header.key', primary: 'primary.key', masks: 'masks.key', name: 'name.key' };
const SECOND: Partial<Record<KeyFileKind, KeyFileName>> = { primary: 'primary2.key', masks: 'masks2.key' };

/**
 * Roles for one folder's key files, or null when the folder is not one container (a role twice:
 * a flat folder of many, PhotoRec's output). A lone primary/masks takes the first slot; two of a
 * kind need their names to tell them apart.
 */
export function folderRoles(keys: readonly Classified[]): Map<Classified, KeyFileName> | null {
  const roles = new Map<Classified, KeyFileName>();
  const used = new Set<KeyFileName>();
  const byKind = new Map<KeyFileKind, Classified[]>();
  for (const k of keys) byKind.set(k.kind as KeyFileKind, [...(byKind.get(k.kind as KeyFileKind) ?? []), k]);
  for (const [kind, list] of byKind) {
    const slots = [FIRST[kind], SECOND[kind]].filter((s): s is KeyFileName => !!s);
    if (list.length > slots.length) return null;
    const hinted = list.map((k) => roleFromName(k.file.name, kind));
    if (list.length === 2 && (!hinted[0] || !hinted[1] || hinted[0] === hinted[1])) return null;
    list.forEach((k, i) => roles.set(k, hinted[i] ?? slots.find((s) => !used.has(s) && !hinted.includes(s))!));
    for (const r of roles.values()) used.add(r);
  }
  return new Set(roles.values()).size === roles.size ? roles : null;
}

/** A CryptoPro container folder keeps its name (abcdefgh.000); any other folder is only a place. */
const CONTAINER_FOLDER = /\.\d{3}$/;

/**
 * The classified files as file-system evidence: key files named by their role, certificates and
 * PKCS#12 by a name with the extension the merge recognises. Files of a one-container folder share
 * a folder key; the rest have none and go to cryptographic pairing. Offsets are positions in the
 * inputs taken in order (no medium here), so neighbours stay neighbours for name.key's adjacency.
 * A .reg export gives the values of its container keys (fs/regf/reg-files.ts) and its problems.
 */
export function asEvidence(found: readonly Classified[]): { files: FileEvidence[]; problems: string[] } {
  const byFolder = new Map<string, Classified[]>();
  for (const c of found) if (c.kind !== 'x509' && c.kind !== 'pkcs12' && c.kind !== 'reg-export') byFolder.set(c.file.folder, [...(byFolder.get(c.file.folder) ?? []), c]);
  const roles = new Map<Classified, { role: KeyFileName; folderKey: string | null }>();
  for (const [folder, keys] of byFolder) {
    // A folder ties files only around a key: a lone header or name goes to pairing instead.
    const r = keys.some((k) => k.kind === 'primary' || k.kind === 'masks') ? folderRoles(keys) : null;
    for (const k of keys) roles.set(k, r ? { role: r.get(k)!, folderKey: `input:${folder}` } : { role: FIRST[k.kind as KeyFileKind], folderKey: null });
  }
  let pos = 0;
  const problems: string[] = [];
  const files = found.flatMap((c): FileEvidence[] => {
    const offset = pos;
    pos += Math.ceil(Math.max(1, c.file.bytes.length) / 4096) * 4096;
    // A .reg export's container keys are folders of their own, whatever folder holds the file.
    if (c.kind === 'reg-export') {
      const r = regExportEvidence(c.der, { at: offset, deleted: false, volumeOffset: 0, from: c.file.path });
      problems.push(...(r?.problems ?? []).map((p) => `${c.file.path}: ${p}`));
      return r?.files ?? [];
    }
    const folderName = c.file.folder.split('/').pop() ?? '';
    const r = roles.get(c);
    return [{
      evidence: 'input-file',
      name: r ? r.role : otherName(c),
      parentName: r?.folderKey && CONTAINER_FOLDER.test(folderName) ? folderName : null,
      parentPath: c.file.folder,
      folderKey: r?.folderKey ?? null,
      deleted: false,
      size: c.der.length,
      extents: [{ offset, length: c.der.length }],
      resident: c.der,
      confirmed: true,
      volumeOffset: 0,
      from: c.file.path,
    } satisfies FileEvidence];
  });
  return { files, problems };
}

/** A certificate or PKCS#12 keeps its name, with the extension its content calls for when the name has another. */
function otherName(c: Classified): string {
  const n = c.file.name;
  if (c.kind === 'pkcs12') return /\.(p12|pfx)$/i.test(n) ? n : `${n}.p12`;
  return /\.(cer|crt|der|pem|p7b|p7c)$/i.test(n) ? n : `${n}.cer`;
}

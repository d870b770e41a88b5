/**
 * Merges what the file systems say (names, folders, extents) with what the carvers found (bytes at
 * sector starts) into one record per distinct file. The same bytes found twice become one file with
 * both kinds of evidence; a file-system entry whose bytes disagree with its name is kept, with the
 * conflict recorded — never silently resolved.
 */
import type { Candidate } from '../carve/types.ts';
import { identifyKeyFile, type KeyFileId, type KeyFileKind } from '../format/key-file-id.ts';
import { unframe } from '../format/framing.ts';
import { KEY_FILE_KIND, KEY_FILE_NAMES, keyFileName, type KeyFileName } from '../format/key-file-names.ts';
import type { EvidenceKind, FileEvidence, MediaReader } from '../fs/types.ts';

export const ROLES = KEY_FILE_NAMES;
export type Role = KeyFileName;
export const KIND_OF_ROLE: Readonly<Record<Role, KeyFileKind>> = KEY_FILE_KIND;

export interface KeyFile {
  readonly id: number;
  readonly kind: KeyFileKind;
  /** The role its file-system name gives it; null for carved-only files. */
  readonly role: Role | null;
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly fragments: number;
  readonly evidence: Set<EvidenceKind>;
  readonly ident: KeyFileId;
  readonly fs: FileEvidence | null;
  readonly problems: string[];
  readonly sha256: string;
}

export interface OtherFile {
  readonly kind: 'pkcs12' | 'x509';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly name: string | null;
  readonly evidence: Set<EvidenceKind>;
  readonly fs: FileEvidence | null;
  readonly sha256: string;
  /** Path on the medium ("/ЭЦП/Иванов/AUTH_RSA256_….p12") when a file system still knows it. */
  readonly originalPath: string | null;
  /** Whether the file-system entry is deleted; null for carved-only files. */
  readonly deleted: boolean | null;
}

/** Certificate files by name: DER or Base64 (.cer .crt .der .pem) and PKCS#7 bundles (.p7b .p7c). */
const CERT_FILE = /\.(cer|crt|der|pem|p7b|p7c)$/;

/** What a carved candidate is as a file: a key file of its kind, or a PKCS#12 / certificate file. */
function otherKindOf(kind: Candidate['kind']): OtherFile['kind'] | null {
  if (kind === 'pkcs12') return 'pkcs12';
  return kind === 'x509' || kind === 'pem' || kind === 'pkcs7' ? 'x509' : null;
}

const joinPath = (dir: string | null, name: string) => (dir === null ? null : `${dir.replace(/\/+$/, '')}/${name}`);

// node:crypto loads at the first hash: its load is ~4 ms of a start, and a scan that finds nothing never hashes.
export const sha256 = (b: Uint8Array) => process.getBuiltinModule('node:crypto').createHash('sha256').update(b).digest('hex');

export const roleOfName: (name: string) => Role | null = keyFileName;

/** Reads a file's bytes from its resident data or extents; null when unreadable or too large. */
export async function fileBytes(f: FileEvidence, reader: MediaReader, limit = 1 << 20): Promise<Uint8Array | null> {
  if (f.resident) return f.resident.subarray(0, f.size);
  if (f.size > limit || f.extents.length === 0) return null;
  const out = new Uint8Array(f.size);
  let pos = 0;
  for (const e of f.extents) {
    if (pos >= f.size) break;
    const take = Math.min(e.length, f.size - pos);
    const b = await reader.read(e.offset, take);
    if (!b) return null;
    out.set(b, pos);
    pos += take;
  }
  return pos === f.size ? out : null;
}

export interface MergeResult {
  readonly keyFiles: KeyFile[];
  readonly others: OtherFile[];
  readonly conflicts: string[];
  /** Files a file system lists whose bytes could not be read (bad sectors), by folder. */
  readonly unreadable: { folderKey: string | null; name: string }[];
}

export async function mergeEvidence(candidates: readonly Candidate[], fsFiles: readonly FileEvidence[], reader: MediaReader): Promise<MergeResult> {
  const keyFiles: KeyFile[] = [];
  const others: OtherFile[] = [];
  const conflicts: string[] = [];
  const unreadable: MergeResult['unreadable'] = [];
  const byStart = new Map<number, (KeyFile | OtherFile)[]>();
  const index = (f: KeyFile | OtherFile) => byStart.set(f.offset, [...(byStart.get(f.offset) ?? []), f]);

  for (const f of fsFiles) {
    const role = roleOfName(f.name);
    const lower = f.name.toLowerCase();
    const otherKind = /\.(p12|pfx)$/.test(lower) ? 'pkcs12' : CERT_FILE.test(lower) ? 'x509' : null;
    if (!role && !otherKind) continue;
    if (!f.resident && !f.confirmed && f.extents.length === 0) {
      // Named by the folder, but no bytes the file system could confirm: unreadable or overwritten.
      if (role) unreadable.push({ folderKey: f.folderKey, name: role });
      continue;
    }
    const onDisk = await fileBytes(f, reader);
    if (!onDisk) {
      conflicts.push(`${f.parentPath ?? ''}/${f.name}: listed by the file system but its bytes could not be read`);
      unreadable.push({ folderKey: f.folderKey, name: role ?? f.name });
      continue;
    }
    // A token's file frame (FF padding, 01 lead byte) is not part of the key file (format notes §11).
    const { der, at } = role ? unframe(onDisk) : { der: onDisk, at: 0 };
    const bytes = der;
    const offset = f.extents[0] ? f.extents[0].offset + at : -1;
    if (otherKind) {
      const o: OtherFile = { kind: otherKind, bytes, offset, name: f.name, evidence: new Set([f.evidence]), fs: f, sha256: sha256(bytes), originalPath: joinPath(f.parentPath, f.name), deleted: f.deleted };
      others.push(o);
      index(o);
      continue;
    }
    const twin = (byStart.get(offset) ?? []).find((k) => k.kind !== 'pkcs12' && k.kind !== 'x509' && (k as KeyFile).role === role && equal(k.bytes, bytes));
    if (twin && offset >= 0) {
      twin.evidence.add(f.evidence); // the same file seen by two file-system views (entry and orphan dir)
      continue;
    }
    const ident = identifyKeyFile(bytes);
    const problems: string[] = [];
    const kind = KIND_OF_ROLE[role!];
    if (!ident) problems.push(`${f.name}: content is not a ${kind} key file`);
    else if (ident.kind !== kind) problems.push(`${f.name}: content looks like a ${ident.kind} file, not ${kind}`);
    else if (ident.length !== bytes.length) problems.push(`${f.name}: ${bytes.length} bytes on disk, its DER says ${ident.length}`);
    if (problems.length) conflicts.push(...problems.map((p) => `${f.parentPath ?? ''}/${p}`));
    const k: KeyFile = {
      id: keyFiles.length,
      kind,
      role,
      bytes,
      offset,
      fragments: Math.max(1, f.extents.length),
      evidence: new Set([f.evidence]),
      ident: ident ?? { kind, length: bytes.length, macOk: false },
      fs: f,
      problems,
      sha256: sha256(bytes),
    };
    keyFiles.push(k);
    index(k);
  }

  for (const c of candidates) {
    if (c.truncated) continue;
    const otherKind = otherKindOf(c.kind);
    const same = (byStart.get(c.offset) ?? []).find((f) => f.kind === (otherKind ?? c.kind) && equal(f.bytes, c.bytes));
    if (same) {
      same.evidence.add('carved');
      continue;
    }
    if (otherKind) {
      others.push({ kind: otherKind, bytes: c.bytes, offset: c.offset, name: null, evidence: new Set(['carved']), fs: null, sha256: sha256(c.bytes), originalPath: null, deleted: null });
      continue;
    }
    if (c.kind !== 'header' && c.kind !== 'primary' && c.kind !== 'masks' && c.kind !== 'name') continue;
    const ident = identifyKeyFile(c.bytes);
    if (!ident) continue;
    // A carved hit where the file system put a different file of the same kind: keep both.
    const clash = (byStart.get(c.offset) ?? []).find((f) => f.kind === c.kind);
    if (clash) conflicts.push(`offset ${c.offset}: carved ${c.kind} differs from the file-system copy of ${(clash as KeyFile).fs?.name ?? '?'}`);
    keyFiles.push({
      id: keyFiles.length,
      kind: c.kind,
      role: null,
      bytes: c.bytes,
      offset: c.offset,
      fragments: 1,
      evidence: new Set(['carved']),
      ident,
      fs: null,
      problems: [],
      sha256: sha256(c.bytes),
    });
  }
  return { keyFiles, others, conflicts, unreadable };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

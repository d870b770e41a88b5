/**
 * Evidence and candidates → containers with a status that is never overclaimed.
 *  1. files a file system lists in one folder form a container (strongest tie);
 *  2. the rest are paired by cryptography (password MAC, unmask → fingerprint, equal keys);
 *  3. name.key joins a cryptographic group by adjacency on the medium — the weakest hint, never
 *     enough for `intact`;
 *  4. every group is judged by format/verifyContainer; `intact` additionally needs the
 *     file-system tie; anything else is `partial` with its problems.
 */
import type { EvidenceKind } from '../fs/types.ts';
import { parseCertificate, type CertificateInfo } from '../format/certificate.ts';
import { verifyContainer, type ContainerFiles, type ContainerResult } from '../format/container.ts';
import { downgrade, nonEmpty } from '../format/status.ts';
import { pairByCryptography, keyIdentity, type KeyPair } from './crypto-pairing.ts';
import { rebuildFromCertificate } from '../format/header-rebuild.ts';
import { KIND_OF_ROLE, sha256, type KeyFile, type MergeResult, type OtherFile, type Role } from './key-files.ts';
import type { PasswordVariant } from './password-variants.ts';
import { curveByOid } from '../crypto/curves.ts';

export interface RecoveredContainer {
  /** Original folder name when a file system still knows it. */
  readonly folder: string | null;
  /** Original path of the folder ("/Клиенты/abcdefgh.000"), when known. */
  readonly originalPath: string | null;
  readonly files: Partial<Record<Role, KeyFile>>;
  readonly evidence: EvidenceKind[];
  readonly deleted: boolean | null;
  /** Lowered only through addProblem. */
  result: ContainerResult;
  readonly password: { index: number; variant: string } | null;
  readonly problems: string[];
  readonly keyId: string | null;
  /** Indices (into the containers list) of other folders holding the same key. */
  copies: number[];
}

export interface Reassembly {
  readonly containers: RecoveredContainer[];
  readonly loose: KeyFile[];
  readonly pkcs12: OtherFile[];
  readonly certificates: { file: OtherFile; info: CertificateInfo | null }[];
  readonly conflicts: string[];
  readonly pairing: { kdf: number; unmask: number; scalarMults: number; cutOff: boolean };
}

export interface ReassembleOptions {
  readonly maxScalarMults?: number;
  readonly maxKdf?: number;
  /** How far (bytes) a name.key may lie from its group to be attached by adjacency. */
  readonly nameWindow?: number;
}

type Group = { folderKey: string | null; files: Partial<Record<Role, KeyFile>>; extra: KeyFile[]; tiedByFs: boolean; pairing?: KeyPair };

export function reassemble(m: MergeResult, variants: readonly PasswordVariant[], opts: ReassembleOptions = {}): Reassembly {
  const used = new Set<number>();
  const groups: Group[] = [];

  // 1. Folder evidence.
  const byFolder = new Map<string, KeyFile[]>();
  for (const k of m.keyFiles) if (k.role && k.fs?.folderKey) byFolder.set(k.fs.folderKey, [...(byFolder.get(k.fs.folderKey) ?? []), k]);
  for (const [folderKey, files] of byFolder) {
    const g: Group = { folderKey, files: {}, extra: [], tiedByFs: true };
    // Prefer a file whose bytes match its name; a live entry over a deleted one.
    files.sort((a, b) => a.problems.length - b.problems.length || Number(a.fs!.deleted) - Number(b.fs!.deleted));
    for (const k of files) {
      if (!g.files[k.role!]) g.files[k.role!] = k;
      else g.extra.push(k);
      used.add(k.id);
    }
    groups.push(g);
  }

  // The same bytes elsewhere on the medium (a stale copy) are not a second file.
  // The same primary/masks bytes elsewhere on the medium (a stale copy) are not a second file: their
  // random mask and salt make them unique to one container. Headers and names are not: a copied
  // container can have a byte-identical header.key, so those are kept.
  const unique = (k: KeyFile) => k.kind === 'primary' || k.kind === 'masks';
  const groupedSha = new Set(groups.flatMap((g) => Object.values(g.files).filter((k) => unique(k!)).map((k) => k!.sha256)));
  const seenSha = new Set<string>();
  const rest = m.keyFiles.filter((k) => {
    if (used.has(k.id)) return false;
    if (!unique(k)) return true;
    if (groupedSha.has(k.sha256) || seenSha.has(k.sha256)) return false;
    seenSha.add(k.sha256);
    return true;
  });

  // 2. Cryptography for the rest.
  const certificates = dedupe(m.others.filter((o) => o.kind === 'x509')).map((file) => {
    const p = parseCertificate(file.bytes);
    return { file, info: p.ok ? p.value : null };
  });
  const certFps = certificates.flatMap((c) => (c.info?.fingerprint && c.info.curveOid ? [{ fp: c.info.fingerprint, curveOid: c.info.curveOid }] : []));
  const pr = pairByCryptography(
    rest.filter((k) => k.kind === 'header' && k.ident.macOk),
    rest.filter((k) => k.kind === 'masks' && k.ident.macOk),
    rest.filter((k) => k.kind === 'primary'),
    certFps,
    variants,
    { maxScalarMults: opts.maxScalarMults ?? 20_000, maxKdf: opts.maxKdf ?? 2_000 },
  );
  const take = (k: KeyFile | null | undefined) => {
    if (!k || used.has(k.id)) return false;
    used.add(k.id);
    return true;
  };
  // Each matched pair goes to the nearest header with its fingerprint (copies of a container share
  // one key and may even have identical headers); per header, the nearest pair is primary, the next
  // one its reserve copy. Pairs matched only by a certificate group by key.
  const dist = (a: KeyFile, b: KeyFile) => Math.abs(a.offset - b.offset);
  const perHeader = new Map<KeyFile, KeyPair[]>();
  const perCertKey = new Map<string, KeyPair[]>();
  const seenPair = new Set<string>();
  const combos: { pair: KeyPair; header: KeyFile; d: number }[] = [];
  for (const { pair, targets } of pr.matched) {
    const id = `${pair.primary.id}:${pair.masks.id}`;
    if (seenPair.has(id)) continue;
    seenPair.add(id);
    const headers = targets.flatMap((t) => (t.header ? [t.header] : []));
    if (headers.length === 0) perCertKey.set(pair.keyId, [...(perCertKey.get(pair.keyId) ?? []), pair]);
    for (const header of headers) combos.push({ pair, header, d: dist(header, pair.primary) + dist(header, pair.masks) });
  }
  // Greedy nearest-first, two pairs (primary + reserve) per header at most.
  combos.sort((a, b) => a.d - b.d);
  const placed = new Set<KeyPair>();
  for (const { pair, header } of combos) {
    const list = perHeader.get(header) ?? [];
    if (placed.has(pair) || list.length >= 2) continue;
    list.push(pair);
    perHeader.set(header, list);
    placed.add(pair);
  }
  for (const { pair } of combos) if (!placed.has(pair)) perCertKey.set(pair.keyId, [...(perCertKey.get(pair.keyId) ?? []), pair]), placed.add(pair);
  const formGroup = (header: KeyFile | null, pairs: KeyPair[]) => {
    const g: Group = { folderKey: null, files: {}, extra: [], tiedByFs: false, pairing: pairs[0]! };
    if (header && take(header)) g.files['header.key'] = header;
    const free = pairs.filter((p) => !used.has(p.primary.id) && !used.has(p.masks.id));
    free.sort((a, b) => a.primary.offset - b.primary.offset);
    const [a, b] = free;
    if (!a) return;
    take(a.primary), take(a.masks);
    g.files['primary.key'] = a.primary;
    g.files['masks.key'] = a.masks;
    const twin = b ?? (pr.byKey.get(a.keyId) ?? []).find((x) => !used.has(x.primary.id) && !used.has(x.masks.id));
    if (twin && twin.primary.id !== a.primary.id && twin.masks.id !== a.masks.id && take(twin.primary) && take(twin.masks)) {
      g.files['primary2.key'] = twin.primary;
      g.files['masks2.key'] = twin.masks;
    }
    groups.push(g);
  };
  for (const [h, pairs] of perHeader) formGroup(h, pairs);
  for (const pairs of perCertKey.values()) formGroup(null, pairs);
  // Headerless: pairs agreeing on one key.
  for (const list of pr.byKey.values()) {
    const free = list.filter((x) => !used.has(x.primary.id) && !used.has(x.masks.id));
    const a = free[0];
    const b = free.find((x) => x !== a && x.primary.id !== a?.primary.id && x.masks.id !== a?.masks.id);
    if (!a || !b) continue;
    const [first, second] = a.primary.offset <= b.primary.offset ? [a, b] : [b, a];
    [first.primary, first.masks, second.primary, second.masks].forEach(take);
    groups.push({
      folderKey: null,
      files: { 'primary.key': first.primary, 'masks.key': first.masks, 'primary2.key': second.primary, 'masks2.key': second.masks },
      extra: [],
      tiedByFs: false,
      pairing: first,
    });
  }

  // 3. name.key by adjacency for cryptographic groups.
  const window = opts.nameWindow ?? 256 * 1024;
  const names = rest.filter((k) => k.kind === 'name');
  for (const g of groups) {
    if (g.files['name.key'] || g.tiedByFs) continue;
    const anchor = g.files['header.key'] ?? g.files['primary.key'];
    if (!anchor) continue;
    let best: KeyFile | null = null;
    for (const n of names) {
      if (used.has(n.id)) continue;
      const dist = Math.abs(n.offset - anchor.offset);
      if (dist <= window && (!best || dist < Math.abs(best.offset - anchor.offset))) best = n;
    }
    if (best && take(best)) g.files['name.key'] = best;
  }

  // 4. Judge each group.
  const texts = variants.map((v) => v.text);
  const containers: RecoveredContainer[] = groups.map((g) => judge(g, texts, variants, certificates));
  groups.forEach((g, i) => {
    for (const u of m.unreadable)
      if (g.folderKey && u.folderKey === g.folderKey && !g.files[u.name as Role]) {
        const c = containers[i]!;
        if (c.problems.some((p) => p.startsWith(`${u.name} is listed`))) continue;
        c.problems.splice(0, c.problems.length, ...c.problems.filter((p) => p !== `${u.name} missing`));
        addProblem(c, `${u.name} is listed in the folder, but its bytes are unreadable or overwritten: not recovered`, 'first');
      }
  });
  linkCopies(containers);

  const loose = m.keyFiles.filter((k) => !used.has(k.id) && !groupedSha.has(k.sha256)).concat(groups.flatMap((g) => g.extra));
  return {
    containers,
    loose: dedupeKeyFiles(loose),
    pkcs12: dedupe(m.others.filter((o) => o.kind === 'pkcs12')),
    certificates,
    conflicts: m.conflicts,
    pairing: pr.work,
  };
}

function judge(g: Group, texts: readonly string[], variants: readonly PasswordVariant[], certs: Reassembly['certificates']): RecoveredContainer {
  const f = g.files;
  const files: ContainerFiles = {
    header: f['header.key']?.bytes,
    primary: f['primary.key']?.bytes,
    masks: f['masks.key']?.bytes,
    primary2: f['primary2.key']?.bytes,
    masks2: f['masks2.key']?.bytes,
    name: f['name.key']?.bytes,
  };
  // verifyContainer tries the empty password itself; hand it the variants' texts after it.
  const tie = g.tiedByFs ? 'file-system' : null;
  let result = verifyContainer(files, texts.slice(1), undefined, tie);
  // No certificate in the header: a recovered certificate with the same key can still prove it.
  if (result.status.kind !== 'verified' && result.opened === false && !f['header.key'] && certs.length > 0) {
    for (const c of certs) {
      if (!c.info?.fingerprint) continue;
      const r = verifyContainer(files, texts.slice(1), c.file.bytes, tie);
      if (r.checks.some((x) => x.name === 'key-certificate' && x.ok)) {
        result = r;
        break;
      }
    }
  }
  // Header missing or broken but the key matches a recovered certificate: rebuild it (format notes §7).
  const notes: string[] = [];
  let replaced: KeyFile | null = null;
  const headerBad = !f['header.key'] || !result.checks.some((x) => x.name === 'header-mac' && x.ok);
  if (headerBad && certs.length > 0 && f['primary.key'] && f['masks.key']) {
    for (const c of certs) {
      if (!c.info?.fingerprint) continue;
      const rb = rebuildFromCertificate(files, c.file.bytes, texts.slice(1));
      if (!rb.ok) continue;
      const r = verifyContainer({ ...files, header: rb.header }, texts.slice(1), undefined, tie);
      if (r.status.kind !== 'verified') continue;
      if (f['header.key']) g.extra.push((replaced = f['header.key']));
      f['header.key'] = synthetic('header', rb.header);
      files.header = rb.header;
      result = r;
      notes.push(`header rebuilt from certificate ${c.file.name ?? `at offset ${c.file.offset}`}${replaced ? ' (the damaged header.key is kept in loose/)' : ''}`);
      break;
    }
  }
  const problems = [...result.problems];
  for (const role of Object.keys(KIND_OF_ROLE) as Role[]) {
    if (!f[role] && !(role === 'primary2.key' || role === 'masks2.key')) {
      if (!problems.some((p) => p.includes(role))) problems.push(`${role} missing`);
    }
  }
  for (const k of Object.values(f)) for (const p of k!.problems) problems.push(p);
  for (const e of g.extra) if (e !== replaced) problems.push(`another ${e.role} in the same folder (kept in loose/)`);
  const added = nonEmpty(problems.slice(result.problems.length));
  const status = added ? downgrade(result.status, ...added) : result.status;
  problems.push(...notes); // recorded, but a proven rebuilt header does not downgrade the status
  const v = result.passwordIndex === null ? (result.opened ? variants[0]! : null) : variants[result.passwordIndex + 1] ?? null;
  const any = Object.values(f)[0];
  const evidence = new Set<EvidenceKind>();
  for (const k of Object.values(f)) for (const e of k!.evidence) evidence.add(e);
  if (g.pairing) evidence.add('crypto-pairing');
  const fsFiles = Object.values(f).filter((k) => k!.fs);
  const curve = result.curveOid ? curveByOid(result.curveOid) : null;
  const pk = result.privateKey;
  const folder = any?.fs?.parentName ? restoreFirstLetter(any.fs.parentName, result.name, any.fs.deleted) : null;
  const originalPath = any?.fs?.parentPath && folder ? any.fs.parentPath.replace(/[^/]*$/, folder) : (any?.fs?.parentPath ?? null);
  return {
    folder,
    originalPath,
    files: f,
    evidence: [...evidence],
    deleted: fsFiles.length ? fsFiles.some((k) => k!.fs!.deleted) : null,
    result: { ...result, status },
    password: v ? { index: v.index, variant: v.variant } : null,
    problems,
    keyId: curve && pk !== undefined ? keyIdentity(curve, pk) : g.pairing ? g.pairing.keyId : null,
    copies: [],
  };
}

/** A problem found after judging (unreadable sectors, say) lowers the status; nothing raises it. */
export function addProblem(c: RecoveredContainer, problem: string, where: 'first' | 'last' = 'last'): void {
  if (where === 'first') c.problems.unshift(problem);
  else c.problems.push(problem);
  c.result = { ...c.result, status: downgrade(c.result.status, problem) };
}

/**
 * A deleted FAT folder loses its first letter ("_2001.000"). CryptoPro names the folder after the
 * first 8 characters of the container name, so name.key gives the letter back when the rest agrees.
 */
export function restoreFirstLetter(folder: string, name: string | null, deleted: boolean): string {
  if (!deleted || !name || !folder.startsWith('_')) return folder;
  const stem = folder.replace(/\.\d{3}$/, '');
  const first = name[0];
  if (!first || !/^[A-Za-z0-9-]$/.test(first) || stem.length < 2) return folder;
  return name.slice(1, stem.length).toLowerCase() === stem.slice(1).toLowerCase() ? first + folder.slice(1) : folder;
}

/** A file keycarve made (a rebuilt header): no offset on the medium, evidence of its own. */
function synthetic(kind: 'header', bytes: Uint8Array): KeyFile {
  return { id: -1, kind, role: null, bytes, offset: -1, fragments: 0, evidence: new Set(['crypto-pairing']), ident: { kind, length: bytes.length, macOk: true }, fs: null, problems: [], sha256: sha256(bytes) };
}

function linkCopies(cs: RecoveredContainer[]): void {
  const byKey = new Map<string, number[]>();
  cs.forEach((c, i) => c.keyId && byKey.set(c.keyId, [...(byKey.get(c.keyId) ?? []), i]));
  for (const idx of byKey.values()) if (idx.length > 1) for (const i of idx) cs[i]!.copies = idx.filter((j) => j !== i);
}

function dedupe(list: OtherFile[]): OtherFile[] {
  const out = new Map<string, OtherFile>();
  for (const o of list) {
    const prev = out.get(o.sha256);
    if (!prev) out.set(o.sha256, o);
    else {
      for (const e of o.evidence) prev.evidence.add(e);
      if (!prev.name && o.name) out.set(o.sha256, { ...o, evidence: prev.evidence });
    }
  }
  return [...out.values()];
}

function dedupeKeyFiles(list: KeyFile[]): KeyFile[] {
  const seen = new Set<string>();
  return list.filter((k) => !seen.has(k.sha256) && !!seen.add(k.sha256));
}

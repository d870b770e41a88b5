/**
 * Evidence and candidates → containers with a status that is never overclaimed.
 *  1. files a file system lists in one folder form a container (strongest tie);
 *  2. the rest are paired by cryptography (password MAC, unmask → fingerprint, equal keys);
 *  3. name.key joins a cryptographic group by adjacency on the medium — the weakest hint, never
 *     enough for `intact`;
 *  4. every group is judged by format/verifyContainer, told whether a file system ties it (only
 *     then can it be `intact`); later problems (unreadable sectors) only lower a status (addProblem).
 * reassemble() reads as these steps, in this order; the order decides which group a file joins.
 */
import type { EvidenceKind } from '../fs/types.ts';
import { certificatesIn, parseCertificate, type CertificateFormat, type CertificateInfo } from '../format/certificate.ts';
import { verifyAgainstCertificates } from '../format/certificate-file.ts';
import { checkPkcs12, ncaKeyIdFromName, type Pkcs12Check } from '../format/pkcs12.ts';
import { hex } from '../crypto/bytes.ts';
import { verifyContainer, type ContainerFiles, type ContainerResult } from '../format/container.ts';
import { downgrade, nonEmpty, type Tie } from '../format/status.ts';
import { pairByCryptography, keyIdentity, type KeyPair } from './crypto-pairing.ts';
import { rebuildFromCertificate } from '../format/header-rebuild.ts';
import { encodeName } from '../format/name-key.ts';
import { KIND_OF_ROLE, sha256, type KeyFile, type MergeResult, type OtherFile, type Role } from './key-files.ts';
import type { PasswordVariant } from './password-variants.ts';
import { curveByOid } from '../crypto/curves.ts';

export interface RecoveredContainer {
  /** Original folder name when a file system still knows it. */
  readonly folder: string | null;
  /** Original path of the folder ("/Клиенты/abcdefgh.000"), when known. */
  readonly originalPath: string | null;
  /** A per-user registry container's owner: the profile folder the SOFTWARE hive's ProfileList gives its SID. */
  readonly profilePath: string | null;
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
  readonly pkcs12: RecoveredPkcs12[];
  /** Only what parses as an X.509 certificate with a subject: other DER (filler, damaged or
   * foreign objects, a `.der` that is something else) is no certificate for a technician. A
   * bundle file gives one entry per certificate inside, all with the same `file`. */
  readonly certificates: { file: OtherFile; info: CertificateInfo; format: CertificateFormat }[];
  readonly conflicts: string[];
  readonly pairing: { kdf: number; unmask: number; scalarMults: number; cutOff: boolean };
}

/** A PKCS#12 file with what was checked: its structure, and the key id its NCA name carries. */
export interface RecoveredPkcs12 {
  readonly file: OtherFile;
  /** From an NCA file name (`GOSTKNCA_<40 hex>.p12`), else null. */
  readonly keyId: string | null;
  readonly checks: readonly Pkcs12Check[];
}

export interface ReassembleOptions {
  readonly maxScalarMults?: number;
  readonly maxKdf?: number;
  /** How far (bytes) a name.key may lie from its group to be attached by adjacency. */
  readonly nameWindow?: number;
  /** With a header rebuilt from a certificate, also make a missing name.key (assemble: the files are all there is). */
  readonly regenerateName?: boolean;
}

type Group = { folderKey: string | null; files: Partial<Record<Role, KeyFile>>; extra: KeyFile[]; tiedByFs: boolean; pairing?: KeyPair };

/** Ids of the files already placed in a group: each file goes to one container at most. */
class Placed {
  private readonly ids = new Set<number>();
  has(k: KeyFile): boolean {
    return this.ids.has(k.id);
  }
  /** Places `k` unless it is placed already; true when it was free. */
  take(k: KeyFile | null | undefined): boolean {
    if (!k || this.ids.has(k.id)) return false;
    this.ids.add(k.id);
    return true;
  }
  free(p: KeyPair): boolean {
    return !this.ids.has(p.primary.id) && !this.ids.has(p.masks.id);
  }
}

type Certificates = Reassembly['certificates'];

export function reassemble(m: MergeResult, variants: readonly PasswordVariant[], opts: ReassembleOptions = {}): Reassembly {
  const placed = new Placed();
  const folders = groupByFolder(m.keyFiles, placed);
  const groupedSha = uniqueShas(folders);
  const rest = withoutStaleCopies(m.keyFiles, placed, groupedSha);
  const certificates = realCertificates(m.others);
  const pr = pairByCrypto(rest, certificates, variants, opts);
  const groups = [...folders, ...groupsByHeader(pr, placed), ...groupsWithoutHeader(pr, placed)];
  attachNames(groups, rest, placed, opts.nameWindow ?? 256 * 1024);
  const texts = variants.map((v) => v.text);
  const containers = groups.map((g) => judge(g, texts, variants, certificates, opts.regenerateName === true));
  markUnreadable(groups, containers, m.unreadable);
  linkCopies(containers);
  const loose = m.keyFiles.filter((k) => !placed.has(k) && !groupedSha.has(k.sha256)).concat(groups.flatMap((g) => g.extra));
  return {
    containers,
    loose: dedupeKeyFiles(loose),
    pkcs12: checkedPkcs12(m.others, certificates),
    certificates,
    conflicts: m.conflicts,
    pairing: pr.work,
  };
}

/** 1. Files a file system lists in one folder form a container (the strongest tie). */
function groupByFolder(keyFiles: readonly KeyFile[], placed: Placed): Group[] {
  const byFolder = new Map<string, KeyFile[]>();
  for (const k of keyFiles) if (k.role && k.fs?.folderKey) byFolder.set(k.fs.folderKey, [...(byFolder.get(k.fs.folderKey) ?? []), k]);
  const groups: Group[] = [];
  for (const [folderKey, files] of byFolder) {
    const g: Group = { folderKey, files: {}, extra: [], tiedByFs: true };
    // Prefer a file whose bytes match its name; a live entry over a deleted one.
    files.sort((a, b) => a.problems.length - b.problems.length || Number(a.fs!.deleted) - Number(b.fs!.deleted));
    for (const k of files) {
      if (!g.files[k.role!]) g.files[k.role!] = k;
      else g.extra.push(k);
      placed.take(k);
    }
    groups.push(g);
  }
  return groups;
}

// The same primary/masks bytes elsewhere on the medium (a stale copy) are not a second file: their
// random mask and salt make them unique to one container. Headers and names are not: a copied
// container can have a byte-identical header.key, so those are kept.
const unique = (k: KeyFile) => k.kind === 'primary' || k.kind === 'masks';

function uniqueShas(groups: readonly Group[]): Set<string> {
  return new Set(groups.flatMap((g) => Object.values(g.files).filter((k) => unique(k!)).map((k) => k!.sha256)));
}

/** The files no folder holds, each unique key file once. */
function withoutStaleCopies(keyFiles: readonly KeyFile[], placed: Placed, groupedSha: ReadonlySet<string>): KeyFile[] {
  const seenSha = new Set<string>();
  return keyFiles.filter((k) => {
    if (placed.has(k)) return false;
    if (!unique(k)) return true;
    if (groupedSha.has(k.sha256) || seenSha.has(k.sha256)) return false;
    seenSha.add(k.sha256);
    return true;
  });
}

/** 2. The rest are paired by cryptography: password MAC, unmask → fingerprint, equal keys. */
function pairByCrypto(rest: readonly KeyFile[], certificates: Certificates, variants: readonly PasswordVariant[], opts: ReassembleOptions) {
  const certFps = certificates.flatMap((c) => (c.info.fingerprint && c.info.curveOid ? [{ fp: c.info.fingerprint, curveOid: c.info.curveOid }] : []));
  return pairByCryptography(
    rest.filter((k) => k.kind === 'header' && k.ident.macOk),
    rest.filter((k) => k.kind === 'masks' && k.ident.macOk),
    rest.filter((k) => k.kind === 'primary'),
    certFps,
    variants,
    { maxScalarMults: opts.maxScalarMults ?? 20_000, maxKdf: opts.maxKdf ?? 2_000 },
  );
}
type Pairing = ReturnType<typeof pairByCrypto>;

/**
 * Each matched pair goes to the nearest header with its fingerprint (copies of a container share
 * one key and may even have identical headers); per header, the nearest pair is primary, the next
 * one its reserve copy. Pairs matched only by a certificate group by key.
 */
function groupsByHeader(pr: Pairing, placed: Placed): Group[] {
  const dist = (a: KeyFile, b: KeyFile) => Math.abs(a.offset - b.offset);
  const perHeader = new Map<KeyFile, KeyPair[]>();
  const perCertKey = new Map<string, KeyPair[]>();
  const seenPair = new Set<string>();
  // A two-key header's second key ([11]) goes to primary2/masks2, one pair per header.
  const secondOf = new Map<KeyFile, KeyPair>();
  const combos: { pair: KeyPair; header: KeyFile; d: number; second: boolean }[] = [];
  for (const { pair, targets } of pr.matched) {
    const id = `${pair.primary.id}:${pair.masks.id}`;
    if (seenPair.has(id)) continue;
    seenPair.add(id);
    const headers = targets.flatMap((t) => (t.header ? [{ header: t.header, second: t.second }] : []));
    if (headers.length === 0) perCertKey.set(pair.keyId, [...(perCertKey.get(pair.keyId) ?? []), pair]);
    for (const { header, second } of headers) combos.push({ pair, header, second, d: dist(header, pair.primary) + dist(header, pair.masks) });
  }
  // Greedy nearest-first, two pairs (primary + reserve) per header at most.
  combos.sort((a, b) => a.d - b.d);
  const assigned = new Set<KeyPair>();
  for (const { pair, header, second } of combos) {
    const list = perHeader.get(header) ?? [];
    if (assigned.has(pair) || (second ? secondOf.has(header) : list.length >= 2)) continue;
    if (second) secondOf.set(header, pair);
    else perHeader.set(header, [...list, pair]);
    assigned.add(pair);
  }
  for (const { pair } of combos) if (!assigned.has(pair)) perCertKey.set(pair.keyId, [...(perCertKey.get(pair.keyId) ?? []), pair]), assigned.add(pair);
  const groups: Group[] = [];
  const add = (g: Group | null) => g && groups.push(g);
  for (const [h, pairs] of perHeader) add(formGroup(h, pairs, pr, placed, secondOf.get(h)));
  for (const pairs of perCertKey.values()) add(formGroup(null, pairs, pr, placed));
  return groups;
}

/** A header (if any) with its nearest free pair and, as primary2/masks2, its second key or a reserve pair of the same key. */
function formGroup(header: KeyFile | null, pairs: readonly KeyPair[], pr: Pairing, placed: Placed, second?: KeyPair): Group | null {
  const g: Group = { folderKey: null, files: {}, extra: [], tiedByFs: false, pairing: pairs[0]! };
  if (header && placed.take(header)) g.files['header.key'] = header;
  const free = pairs.filter((p) => placed.free(p));
  free.sort((a, b) => a.primary.offset - b.primary.offset);
  const [a, b] = free;
  if (!a) return null;
  placed.take(a.primary), placed.take(a.masks);
  g.files['primary.key'] = a.primary;
  g.files['masks.key'] = a.masks;
  const twin = second && placed.free(second) ? second : (b ?? (pr.byKey.get(a.keyId) ?? []).find((x) => placed.free(x)));
  if (twin && twin.primary.id !== a.primary.id && twin.masks.id !== a.masks.id && placed.take(twin.primary) && placed.take(twin.masks)) {
    g.files['primary2.key'] = twin.primary;
    g.files['masks2.key'] = twin.masks;
  }
  return g;
}

/** Headerless: two free pairs agreeing on one key are a container and its reserve copy. */
function groupsWithoutHeader(pr: Pairing, placed: Placed): Group[] {
  const groups: Group[] = [];
  for (const list of pr.byKey.values()) {
    const free = list.filter((x) => placed.free(x));
    const a = free[0];
    const b = free.find((x) => x !== a && x.primary.id !== a?.primary.id && x.masks.id !== a?.masks.id);
    if (!a || !b) continue;
    const [first, second] = a.primary.offset <= b.primary.offset ? [a, b] : [b, a];
    [first.primary, first.masks, second.primary, second.masks].forEach((k) => placed.take(k));
    groups.push({
      folderKey: null,
      files: { 'primary.key': first.primary, 'masks.key': first.masks, 'primary2.key': second.primary, 'masks2.key': second.masks },
      extra: [],
      tiedByFs: false,
      pairing: first,
    });
  }
  return groups;
}

/** 3. name.key joins a cryptographic group by adjacency: the weakest hint, never enough for `intact`. */
function attachNames(groups: readonly Group[], rest: readonly KeyFile[], placed: Placed, window: number): void {
  const names = rest.filter((k) => k.kind === 'name');
  for (const g of groups) {
    if (g.files['name.key'] || g.tiedByFs) continue;
    const anchor = g.files['header.key'] ?? g.files['primary.key'];
    if (!anchor) continue;
    let best: KeyFile | null = null;
    for (const n of names) {
      if (placed.has(n)) continue;
      const dist = Math.abs(n.offset - anchor.offset);
      if (dist <= window && (!best || dist < Math.abs(best.offset - anchor.offset))) best = n;
    }
    if (best && placed.take(best)) g.files['name.key'] = best;
  }
}

/** A file the folder lists whose bytes are gone makes its container partial, whatever else it proved. */
function markUnreadable(groups: readonly Group[], containers: RecoveredContainer[], unreadable: MergeResult['unreadable']): void {
  groups.forEach((g, i) => {
    for (const u of unreadable)
      if (g.folderKey && u.folderKey === g.folderKey && !g.files[u.name as Role]) {
        const c = containers[i]!;
        if (c.problems.some((p) => p.startsWith(`${u.name} is listed`))) continue;
        c.problems.splice(0, c.problems.length, ...c.problems.filter((p) => p !== `${u.name} missing`));
        addProblem(c, `${u.name} is listed in the folder, but its bytes are unreadable or overwritten: not recovered`, 'first');
      }
  });
}

/** 4. Each group judged by format/verifyContainer, with what ties it (see Tie). */
function judge(g: Group, texts: readonly string[], variants: readonly PasswordVariant[], certs: Certificates, regenerateName: boolean): RecoveredContainer {
  const files = containerFiles(g.files);
  // verifyContainer tries the empty password itself; hand it the variants' texts after it.
  const passwords = texts.slice(1);
  const tie = g.tiedByFs ? 'file-system' : null;
  let result = verifyWithCertificates(g, files, passwords, certs, tie);
  const rebuilt = rebuildHeader(g, files, result, passwords, certs, tie, regenerateName);
  if (rebuilt) result = rebuilt.result;
  const problems = groupProblems(g, result, rebuilt?.replaced ?? null);
  const added = nonEmpty(problems.slice(result.problems.length));
  const status = added ? downgrade(result.status, ...added) : result.status;
  if (rebuilt) problems.push(rebuilt.note); // recorded, but a proven rebuilt header does not downgrade the status
  problems.push(...folderNotes(g)); // a lost folder name costs the name, not the keys
  return describeContainer(g, { ...result, status }, result.privateKey, variants, problems);
}

/** What the file system said about the folder it could not name, once each. */
function folderNotes(g: Group): string[] {
  const notes = new Set<string>();
  for (const k of Object.values(g.files)) if (k?.fs?.folderNote) notes.add(k.fs.folderNote);
  return [...notes];
}

function containerFiles(f: Group['files']): ContainerFiles {
  return {
    header: f['header.key']?.bytes,
    primary: f['primary.key']?.bytes,
    masks: f['masks.key']?.bytes,
    primary2: f['primary2.key']?.bytes,
    masks2: f['masks2.key']?.bytes,
    name: f['name.key']?.bytes,
  };
}

/** No certificate in the header: a recovered certificate with the same key can still prove it. */
function verifyWithCertificates(g: Group, files: ContainerFiles, passwords: readonly string[], certs: Certificates, tie: Tie | null): ContainerResult {
  const result = verifyContainer(files, passwords, undefined, tie);
  if (result.status.kind === 'verified' || result.opened !== false || g.files['header.key']) return result;
  const gost = certs.filter((c) => c.info.fingerprint).map((c) => c.info.der);
  return verifyAgainstCertificates(files, passwords, gost, tie) ?? result;
}

/**
 * Header missing or broken but the key matches a recovered certificate: rebuild it (format notes §7)
 * and keep it only when the rebuilt container is verified. Updates the group and `files`.
 */
function rebuildHeader(g: Group, files: ContainerFiles, result: ContainerResult, passwords: readonly string[], certs: Certificates, tie: Tie | null, regenerateName: boolean) {
  const f = g.files;
  const headerBad = !f['header.key'] || !result.checks.some((x) => x.name === 'header-mac' && x.ok);
  if (!headerBad || !f['primary.key'] || !f['masks.key']) return null;
  for (const c of certs) {
    if (!c.info.fingerprint) continue;
    const rb = rebuildFromCertificate(files, c.info.der, passwords);
    if (!rb.ok) continue;
    const name = regenerateName && !files.name ? encodeName(regeneratedName(c.info.subject, g)) : undefined;
    const r = verifyContainer({ ...files, header: rb.header, ...(name ? { name } : {}) }, passwords, undefined, tie);
    if (r.status.kind !== 'verified') continue;
    const replaced = f['header.key'] ?? null;
    if (replaced) g.extra.push(replaced);
    f['header.key'] = synthetic('header', rb.header);
    files.header = rb.header;
    if (name) (f['name.key'] = synthetic('name', name)), (files.name = name);
    const from = `certificate ${c.file.name ?? `at offset ${c.file.offset}`}`;
    const note = `header rebuilt from ${from}${replaced ? ' (the damaged header.key is kept in loose/)' : ''}${name ? '; name.key made from its name' : ''}`;
    return { result: r, replaced, note };
  }
  return null;
}

/** verifyContainer's problems, then missing roles, the files' own problems and extra files. */
function groupProblems(g: Group, result: ContainerResult, replaced: KeyFile | null): string[] {
  const f = g.files;
  const problems = [...result.problems];
  for (const role of Object.keys(KIND_OF_ROLE) as Role[]) {
    if (!f[role] && !(role === 'primary2.key' || role === 'masks2.key')) {
      if (!problems.some((p) => p.includes(role))) problems.push(`${role} missing`);
    }
  }
  for (const k of Object.values(f)) for (const p of k!.problems) problems.push(p);
  for (const e of g.extra) if (e !== replaced) problems.push(`another ${e.role} in the same folder (kept in loose/)`);
  return problems;
}

/** What the report says of a judged group: folder, path, evidence, password, key identity. */
function describeContainer(g: Group, result: ContainerResult, pk: bigint | undefined, variants: readonly PasswordVariant[], problems: string[]): RecoveredContainer {
  const f = g.files;
  const v = result.passwordIndex === null ? (result.opened ? variants[0]! : null) : variants[result.passwordIndex + 1] ?? null;
  const any = Object.values(f)[0];
  const evidence = new Set<EvidenceKind>();
  for (const k of Object.values(f)) for (const e of k!.evidence) evidence.add(e);
  if (g.pairing) evidence.add('crypto-pairing');
  const fsFiles = Object.values(f).filter((k) => k!.fs);
  const curve = result.curveOid ? curveByOid(result.curveOid) : null;
  const folder = any?.fs?.parentName ? restoreFirstLetter(any.fs.parentName, result.name, any.fs.deleted) : null;
  const originalPath = any?.fs?.parentPath && folder ? any.fs.parentPath.replace(/[^/]*$/, folder) : (any?.fs?.parentPath ?? null);
  return {
    folder,
    originalPath,
    profilePath: fsFiles.find((k) => k!.fs!.profilePath)?.fs!.profilePath ?? null,
    files: f,
    evidence: [...evidence],
    deleted: fsFiles.length ? fsFiles.some((k) => k!.fs!.deleted) : null,
    result,
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

/**
 * A name for a container that lost name.key: the certificate's CN, else the folder's name, kept to
 * what CryptoPro names a folder by (ASCII, at most 8 characters), so folder and name agree.
 */
export function regeneratedName(subject: string, g: Pick<Group, 'files'>): string {
  const cn = /(?:^|, )CN=(.*?)(?=, [A-Za-z][A-Za-z0-9.]*=|$)/.exec(subject)?.[1] ?? '';
  const dir = Object.values(g.files).find((k) => k?.fs?.parentPath)?.fs?.parentPath?.split('/').pop() ?? '';
  for (const s of [cn, dir.replace(/\.\d{3}$/, '')]) {
    const ascii = s.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 8);
    if (ascii) return ascii;
  }
  return 'restored';
}

/** A file keycarve made (a rebuilt header, a regenerated name): no offset on the medium, evidence of its own. */
function synthetic(kind: 'header' | 'name', bytes: Uint8Array): KeyFile {
  return { id: -1, kind, role: null, bytes, offset: -1, fragments: 0, evidence: new Set(['crypto-pairing']), ident: { kind, length: bytes.length, macOk: kind === 'header' }, fs: null, problems: [], sha256: sha256(bytes) };
}

function linkCopies(cs: RecoveredContainer[]): void {
  const byKey = new Map<string, number[]>();
  cs.forEach((c, i) => c.keyId && byKey.set(c.keyId, [...(byKey.get(c.keyId) ?? []), i]));
  for (const idx of byKey.values()) if (idx.length > 1) for (const i of idx) cs[i]!.copies = idx.filter((j) => j !== i);
}

/** Every certificate each file holds (a PEM chain or PKCS#7 bundle gives several, one file). */
function realCertificates(others: readonly OtherFile[]): Reassembly['certificates'] {
  return dedupe(others.filter((o) => o.kind === 'x509')).flatMap((file) => {
    const found = certificatesIn(file.bytes);
    return (found?.certificates ?? []).flatMap((der) => {
      const p = parseCertificate(der);
      const valid = p.ok && p.value.subject.trim() !== '' && !isNaN(p.value.notBefore.getTime()) && !isNaN(p.value.notAfter.getTime());
      return valid ? [{ file, info: p.value, format: found!.format }] : [];
    });
  });
}

/**
 * NCA names carry the key id: it must be the bag's localKeyID, and a recovered certificate with
 * that Subject Key Identifier is this key's certificate (format notes §9).
 */
function checkedPkcs12(others: readonly OtherFile[], certificates: Certificates): RecoveredPkcs12[] {
  return dedupe(others.filter((o) => o.kind === 'pkcs12')).map((file) => {
    const id = file.name ? ncaKeyIdFromName(file.name) : null;
    const cert = id ? certificates.find((c) => c.info.subjectKeyId && hex(c.info.subjectKeyId) === id.keyId) : undefined;
    const { checks } = checkPkcs12(file.bytes, file.name ?? undefined, cert?.info.subjectKeyId ?? null);
    return { file, keyId: id?.keyId ?? null, checks };
  });
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

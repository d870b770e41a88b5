// verifyContainer: every check cryptopro-format.md §4 allows on one container's files, and the
// status of contract.md (verified / intact / partial) derived from them. The proofs `verified` and
// `intact` carry are made only here, where the key is matched and the MACs are checked.

import { cpkdf, type PasswordUnits } from '../crypto/cpkdf.ts';
import { curveByOid, fingerprint, type GostCurve } from '../crypto/curves.ts';
import { unmaskPrivateKey } from '../crypto/unmask.ts';
import { equalBytes, hex } from '../crypto/bytes.ts';
import { SBOX_CRYPTOPRO_A, SBOX_TC26_Z } from '../crypto/gost28147.ts';
import { parseHeader, checkHeaderMac, checkPasswordMac, hasPasswordMac, OID_CONTAINER_V2, type HeaderKey } from './header-key.ts';
import { parseMasks, checkMasksMac, type MasksKey } from './masks-key.ts';
import { keyCiphertexts, parsePrimary, type PrimaryKey } from './primary-key.ts';
import { unframe } from './framing.ts';
import { publicKeyBytes } from './writer.ts';
import { parseName, encodeCp1251, type NameKey } from './name-key.ts';
import { parseCertificate, type CertificateInfo } from './certificate.ts';
import { GENERATIONS, type Generation, type GenerationInfo } from './algorithms.ts';
import type { Parsed } from './parsed.ts';
import { KEY_FILE_NAMES, type KeyFileName } from './key-file-names.ts';
import { nonEmpty, type Status, type Tie } from './status.ts';

/** The names of the one table, in the order a folder's files are read and reported (name.key last). */
export const FILE_NAMES: readonly KeyFileName[] = [...KEY_FILE_NAMES.filter((n) => n !== 'name.key'), 'name.key'];
export type FileName = (typeof FILE_NAMES)[number];

export interface ContainerFiles {
  header?: Uint8Array | undefined;
  primary?: Uint8Array | undefined;
  masks?: Uint8Array | undefined;
  primary2?: Uint8Array | undefined;
  masks2?: Uint8Array | undefined;
  name?: Uint8Array | undefined;
}

export type CheckId =
  | 'structure'
  | 'header-mac'
  | 'masks-mac'
  | 'masks2-mac'
  | 'sizes'
  | 'fp-certificate'
  | 'password-mac'
  | 'key-fingerprint'
  | 'key-certificate'
  | 'key2-fingerprint'
  | 'primary2-same-key'
  | 'framing';

export interface Check {
  readonly name: CheckId;
  readonly ok: boolean;
  readonly detail: string;
  /** The file(s) the check is about; on failure, the ones to suspect. */
  readonly files: readonly FileName[];
}

// The brands of the two proofs: module-private, so only this file can make one.
const KEY_PROOF: unique symbol = Symbol('KeyProof');
const INTACT_PROOF: unique symbol = Symbol('IntactProof');

/** The unmasked private key gives the public key the header fingerprint or a certificate names. */
export interface KeyProof {
  readonly [KEY_PROOF]: true;
  readonly by: 'key-fingerprint' | 'key-certificate';
  readonly fingerprint: string | null;
  /** Two-key container: the second key is proven against header [11] too. */
  readonly secondFingerprint: string | null;
}

/** Every file present and valid with correct MACs, and the files tied together. */
export interface IntactProof {
  readonly [INTACT_PROOF]: true;
  readonly macs: readonly CheckId[];
  readonly tiedBy: Tie;
}

export const NO_TIE_PROBLEM = 'files grouped without file-system evidence and the key could not be checked (password unknown)';

export interface ContainerResult {
  readonly status: Status;
  readonly name: string | null;
  readonly nameRawHex: string | null;
  readonly algorithm: Generation | null;
  readonly curveOid: string | null;
  /** null when unknown (no header). */
  readonly passwordRequired: boolean | null;
  /** Index into the given passwords; null when the empty password opened it or none did. */
  readonly passwordIndex: number | null;
  /** Which byte form of the password worked. */
  readonly passwordEncoding: PasswordEncoding | null;
  readonly opened: boolean;
  readonly fingerprint: string | null;
  readonly keyNotAfter: string | null;
  readonly exportable: boolean | null;
  readonly certificate: {
    readonly source: 'header' | 'file';
    readonly subject: string;
    readonly issuer: string;
    readonly notBefore: string;
    readonly notAfter: string;
  } | null;
  /** Which key each primary/masks pair holds, and whether it was proven. */
  readonly keys: readonly KeyReport[];
  readonly checks: readonly Check[];
  readonly problems: readonly string[];
  /** The unmasked key; non-enumerable, so JSON.stringify and spreads never include it. */
  readonly privateKey?: bigint;
}

export type PasswordEncoding = 'utf8' | 'cp1251' | 'utf32';

/**
 * Forms of a password to try (§3.2): UTF-8 bytes; for non-ASCII also cp1251 bytes and UTF-16 code
 * units (= UTF-32LE units in the KDF for Cyrillic, GostCrypto's form). ASCII has one form.
 */
export function passwordEncodings(pw: string): PasswordUnits[] {
  return passwordForms(pw).map((f) => f.bytes);
}

function passwordForms(pw: string): { enc: PasswordEncoding; bytes: PasswordUnits }[] {
  const utf8 = new TextEncoder().encode(pw);
  const out: { enc: PasswordEncoding; bytes: PasswordUnits }[] = [{ enc: 'utf8', bytes: utf8 }];
  if (/[^\x00-\x7f]/.test(pw)) {
    const cp = encodeCp1251(pw);
    if (cp) out.push({ enc: 'cp1251', bytes: cp });
    out.push({ enc: 'utf32', bytes: Uint16Array.from(pw, (c) => c.charCodeAt(0)) });
  }
  return out;
}

interface Candidate {
  readonly index: number | null;
  readonly enc: PasswordEncoding;
  readonly bytes: PasswordUnits;
}

/** Which key a pair of files holds (§11): the header's key attributes say exchange or signature. */
export type KeyRole = 'exchange' | 'signature';

/** One key of the container and the files that hold it. */
export interface KeyReport {
  /** null when no header says (headerless container). */
  readonly role: KeyRole | null;
  readonly files: readonly [FileName, FileName];
  /** The key was unmasked and matches its own fingerprint (a reserve copy: equals the first key). */
  readonly verified: boolean;
  /** A reserve copy of the first key (kccaReservePrimary), not a key of its own. */
  readonly reserve: boolean;
}

/** What one verification has found so far: checks, and every failure as a problem. */
class Findings {
  readonly checks: Check[] = [];
  readonly problems: string[] = [];
  add(c: Check): void {
    this.checks.push(c);
    if (!c.ok) this.problems.push(`${c.files.join(', ')}: ${c.detail}`);
  }
  note(problem: string): void {
    this.problems.push(problem);
  }
  passed(id: CheckId): boolean {
    return this.checks.some((c) => c.name === id && c.ok);
  }
}

interface ParsedFiles {
  readonly header: HeaderKey | null;
  readonly primary: PrimaryKey | null;
  readonly masks: MasksKey | null;
  readonly primary2: PrimaryKey | null;
  readonly masks2: MasksKey | null;
  readonly name: NameKey | null;
}

interface CertificateUse {
  readonly info: CertificateInfo;
  readonly source: 'header' | 'file';
}

/** A primary/masks pair and what its key must match. */
interface KeySlot {
  readonly role: KeyRole | null;
  readonly files: readonly [FileName, FileName];
  readonly primary: PrimaryKey;
  readonly masks: MasksKey;
  readonly masksCheck: CheckId;
  readonly curve: GostCurve;
  readonly gen: GenerationInfo;
  /** The fingerprint this key must give; a reserve slot must give the first key instead. */
  readonly fp: Uint8Array | null;
  readonly reserve: boolean;
}

interface Opened {
  readonly slot: KeySlot;
  readonly d: bigint | null;
  readonly by: Candidate | null;
}

/**
 * `tie` says what groups `files` into one container: the caller's folder by default; null when
 * nothing does (files paired by cryptography), and then only a proven key gives more than `partial`.
 * The steps: parse the files → check the MACs → open with the passwords → unmask each key → match
 * fingerprint / certificate → build the status.
 */
export function verifyContainer(files: ContainerFiles, passwords: readonly string[], cert?: Uint8Array, tie: Tie | null = 'folder'): ContainerResult {
  const f = new Findings();
  const parsed = parseFiles(files, f);
  noteMissing(files, parsed.header, f);
  let gen = checkMacs(parsed, f);
  checkShapes(parsed, gen, f);
  const certificate = readCertificate(parsed.header, cert, f);
  const curveOid = parsed.header?.algorithm.curveOid ?? certificate?.info.curveOid ?? null;
  const curve = curveOid ? curveByOid(curveOid) : null;
  if (!gen && certificate?.info.generation) gen = GENERATIONS[certificate.info.generation];
  const passwordRequired = parsed.header ? parsed.header.softPassword || hasPasswordMac(parsed.header) : null;
  const { candidates, passwordKnown } = openWithPasswords(parsed.header, passwords, passwordRequired, f);
  const fpRef = parsed.header?.primaryFP ?? certificate?.info.fingerprint ?? null;
  let opened: Opened[] = [];
  if (gen && curve && candidates.length > 0) {
    opened = unmaskKeys(keySlots(parsed, gen, curve, fpRef), candidates);
    matchKeys(opened, certificate, passwordKnown, f);
  } else if (gen && !curve && curveOid) f.note(`unknown curve ${curveOid}`);
  const keyProof = proveKeys(opened, fpRef, certificate, f);
  const status = decideStatus(f.checks, f.problems, keyProof, tie);
  return buildResult({ parsed, gen, curveOid, passwordRequired, fpRef, certificate, opened, status, f });
}

// --- 1. parse every file present (token framing trimmed first, §11)

function parseFiles(files: ContainerFiles, f: Findings): ParsedFiles {
  const parse = <T>(file: FileName, bytes: Uint8Array | undefined, fn: (b: Uint8Array) => Parsed<T & { length: number }>): T | null => {
    if (!bytes) return null;
    const { der, framing } = unframe(bytes);
    if (framing !== 'none') f.add({ name: 'framing', ok: true, detail: `token framing (${framing}): ${bytes.length - der.length} bytes around the DER value trimmed`, files: [file] });
    const r = fn(der);
    if (!r.ok) {
      f.add({ name: 'structure', ok: false, detail: `malformed at byte ${r.at}: ${r.why}`, files: [file] });
      return null;
    }
    if (r.value.length !== der.length) {
      f.add({ name: 'structure', ok: false, detail: `${der.length - r.value.length} bytes after the end of the DER value`, files: [file] });
      return null;
    }
    return r.value;
  };
  return {
    header: parse<HeaderKey>('header.key', files.header, parseHeader),
    primary: parse<PrimaryKey>('primary.key', files.primary, parsePrimary),
    masks: parse<MasksKey>('masks.key', files.masks, parseMasks),
    primary2: parse<PrimaryKey>('primary2.key', files.primary2, parsePrimary),
    masks2: parse<MasksKey>('masks2.key', files.masks2, parseMasks),
    name: parse<NameKey>('name.key', files.name, parseName),
  };
}

/** A header with [11] or kccaReservePrimary expects primary2/masks2; without a header, either one does. */
function noteMissing(files: ContainerFiles, header: HeaderKey | null, f: Findings): void {
  for (const [name, b] of [
    ['header.key', files.header],
    ['primary.key', files.primary],
    ['masks.key', files.masks],
    ['name.key', files.name],
  ] as const)
    if (!b) f.note(`${name} missing`);
  const secondExpected = header ? header.reservePrimary || header.secondaryFP !== null : !!(files.primary2 || files.masks2);
  if (secondExpected && !files.primary2) f.note('primary2.key missing');
  if (secondExpected && !files.masks2) f.note('masks2.key missing');
}

// --- 2. MACs: header and masks; the generation from the header, else from the masks MAC S-box

function checkMacs(p: ParsedFiles, f: Findings): GenerationInfo | null {
  let gen: GenerationInfo | null = p.header ? p.header.algorithm.info : null;
  if (p.header) {
    const m = checkHeaderMac(p.header);
    f.add({ name: 'header-mac', ok: m.ok && m.sboxMatchesGeneration, detail: macDetail(m, p.header.hmac), files: ['header.key'] });
  }
  for (const [id, file, mk] of [
    ['masks-mac', 'masks.key', p.masks],
    ['masks2-mac', 'masks2.key', p.masks2],
  ] as const) {
    if (!mk) continue;
    const m = checkMasksMac(mk, gen?.sbox ?? (mk.mask.length === 64 ? SBOX_TC26_Z : SBOX_CRYPTOPRO_A));
    f.add({ name: id, ok: gen ? m.ok && m.sboxMatchesGeneration : m.ok, detail: macDetail(m, mk.hmac), files: [file] });
    if (!gen && m.ok) gen = guessGeneration(m.sbox, mk.mask.length);
  }
  return gen;
}

/** Header fields this code does not check, key/mask sizes against the algorithm, old primary forms. */
function checkShapes(p: ParsedFiles, gen: GenerationInfo | null, f: Findings): void {
  const h = p.header;
  if (h?.primaryKeyAbsent) f.note('header.key: kccaPrimaryKeyAbsent is set');
  if (h && h.containerAlgorithmOid !== OID_CONTAINER_V2) f.note(`header.key: container format ${h.containerAlgorithmOid} (only V2 ${OID_CONTAINER_V2} is known)`);
  if (h?.other.has(0xa3)) f.note('header.key: holds a secondary encrypted key [3] (not checked)');
  if (h?.other.has(0xa4) && (!h.secondaryAlgorithm || !h.secondaryFP)) f.note('header.key: secondary key parameters [4] unreadable or without a fingerprint [11]');
  if (gen) {
    const bad: FileName[] = [];
    if (p.masks && p.masks.mask.length !== gen.keySize) bad.push('masks.key');
    if (p.masks2 && p.masks2.mask.length !== gen.keySize) bad.push('masks2.key');
    if (p.primary && p.primary.primaryKey.length !== gen.keySize) bad.push('primary.key');
    if (p.primary2 && p.primary2.primaryKey.length !== gen.keySize) bad.push('primary2.key');
    if (bad.length) f.add({ name: 'sizes', ok: false, detail: `key/mask size differs from ${gen.generation} (${gen.keySize} bytes)`, files: bad });
  }
  for (const [name, pk] of [
    ['primary.key', p.primary],
    ['primary2.key', p.primary2],
  ] as const) {
    // The token form's two ciphertexts are both tried; [gc]'s two-key form would hide a key unchecked.
    if (pk?.form === 'two-octet') f.note(`${name}: holds two keys in one file ([gc]'s secondary form, only one is checked)`);
    if (pk?.hmacKey) f.note(`${name}: old key format with hmacKey`);
  }
}

/** A loose certificate wins over the header copy; the header FP must be its public key. */
function readCertificate(header: HeaderKey | null, cert: Uint8Array | undefined, f: Findings): CertificateUse | null {
  let use: CertificateUse | null = null;
  if (cert) {
    const c = parseCertificate(cert);
    if (c.ok) use = { info: c.value, source: 'file' };
    else f.note(`certificate: ${c.why}`);
  }
  if (!use && header?.primaryCertificate) {
    const c = parseCertificate(header.primaryCertificate);
    if (c.ok) use = { info: c.value, source: 'header' };
    else f.add({ name: 'structure', ok: false, detail: `certificate [5] unreadable: ${c.why}`, files: ['header.key'] });
  }
  if (header && use?.info.fingerprint) {
    const same = equalBytes(header.primaryFP, use.info.fingerprint);
    const detail = same ? `header FP ${hex(header.primaryFP)} = certificate public key` : `header FP ${hex(header.primaryFP)} ≠ certificate ${hex(use.info.fingerprint)}`;
    f.add({ name: 'fp-certificate', ok: same, detail, files: ['header.key'] });
  }
  return use;
}

// --- 3. the passwords to try; the header's [2] (if any) picks the password cheaply

function openWithPasswords(header: HeaderKey | null, passwords: readonly string[], required: boolean | null, f: Findings): { candidates: Candidate[]; passwordKnown: boolean } {
  let candidates: Candidate[] = [{ index: null, enc: 'utf8', bytes: new Uint8Array(0) }];
  passwords.forEach((pw, i) => {
    if (pw === '') return;
    for (const form of passwordForms(pw)) candidates.push({ index: i, enc: form.enc, bytes: form.bytes });
  });
  if (required === true) candidates = candidates.filter((c) => c.bytes.length > 0);
  else if (required === false) candidates = candidates.slice(0, 1);
  // passwordKnown: the password used is certainly right, so a key mismatch means damaged files.
  if (!header || !hasPasswordMac(header)) return { candidates, passwordKnown: required === false };
  // A password that does not match is not damage: no failed check, the key stays unchecked.
  const hit = candidates.find((c) => checkPasswordMac(header, c.bytes).ok);
  if (hit) f.add({ name: 'password-mac', ok: true, detail: `${hit.index === null ? 'the empty password' : `given password ${hit.index + 1}`} matches header [2]`, files: ['header.key'] });
  return { candidates: hit ? [hit] : [], passwordKnown: !!hit };
}

// --- 4. unmask each key

/** primary/masks; primary2/masks2 as the second key when the header has [11], else as a reserve copy. */
function keySlots(p: ParsedFiles, gen: GenerationInfo, curve: GostCurve, fpRef: Uint8Array | null): KeySlot[] {
  const h = p.header;
  const role: KeyRole | null = h ? (h.exchange ? 'exchange' : 'signature') : null;
  const slots: KeySlot[] = [];
  if (p.primary && p.masks) slots.push({ role, files: ['primary.key', 'masks.key'], primary: p.primary, masks: p.masks, masksCheck: 'masks-mac', curve, gen, fp: fpRef, reserve: false });
  if (!p.primary2 || !p.masks2) return slots;
  const second = { files: ['primary2.key', 'masks2.key'] as const, primary: p.primary2, masks: p.masks2, masksCheck: 'masks2-mac' as const };
  if (!h?.secondaryFP) return [...slots, { ...second, role, curve, gen, fp: fpRef, reserve: true }];
  const alg = h.secondaryAlgorithm;
  const curve2 = (alg && curveByOid(alg.curveOid)) || curve;
  return [...slots, { ...second, role: h.secondaryExchange ? 'exchange' : 'signature', curve: curve2, gen: alg?.info ?? gen, fp: h.secondaryFP, reserve: false }];
}

/**
 * Each slot with the candidates (the first key's password first: one container, one password).
 * A key counts as opened when it gives its fingerprint; a reserve copy when it gives the first key
 * (or, the first pair failing, the fingerprint).
 */
function unmaskKeys(slots: readonly KeySlot[], candidates: readonly Candidate[]): Opened[] {
  const out: Opened[] = [];
  for (const slot of slots) {
    const first = out[0];
    const tryFirst = first?.by ? [first.by, ...candidates.filter((c) => c !== first.by)] : candidates;
    const accept = slot.reserve && first?.d != null ? (d: bigint) => d === first.d : (d: bigint) => slot.fp !== null && equalBytes(fingerprint(slot.curve, d), slot.fp);
    out.push(openSlot(slot, slot.reserve && first?.by ? [first.by] : tryFirst, accept));
  }
  return out;
}

function openSlot(slot: KeySlot, candidates: readonly Candidate[], accept: (d: bigint) => boolean): Opened {
  for (const c of candidates)
    for (const ct of keyCiphertexts(slot.primary)) {
      const d = unmaskWith(c.bytes, slot.gen, slot.curve, ct, slot.masks);
      if (d !== null && accept(d)) return { slot, d, by: c };
    }
  return { slot, d: null, by: null };
}

// --- 5. match fingerprint / certificate: one check per key, naming the files to suspect

function matchKeys(opened: readonly Opened[], cert: CertificateUse | null, passwordKnown: boolean, f: Findings): void {
  const [first] = opened;
  // Once one key opened, the password is certainly right: a key that then fails is damaged.
  const known = passwordKnown || opened.some((o) => o.d !== null);
  for (const o of opened) {
    if (o.slot.reserve) checkReserve(o, first!, known, f);
    else checkOwnKey(o, o === first ? passwordKnown : known, f);
  }
  if (first && first.slot.files[0] === 'primary.key' && first.d !== null && cert?.info.generation) checkCertificateKey(first, cert, f);
}

function checkOwnKey(o: Opened, passwordKnown: boolean, f: Findings): void {
  const { slot, d } = o;
  if (!slot.fp || (d === null && !passwordKnown)) return;
  const second = slot.files[0] === 'primary2.key';
  const masksOk = f.passed(slot.masksCheck);
  const form = slot.primary.form === 'token' ? ' (token form)' : '';
  f.add({
    name: second ? 'key2-fingerprint' : 'key-fingerprint',
    ok: d !== null,
    detail: d !== null ? `unmasked ${second ? `${slot.role} key ` : ''}key${form} gives public-key FP ${hex(slot.fp)}` : `unmasked ${second ? 'second ' : ''}key does not match FP ${hex(slot.fp)}`,
    files: d !== null || !masksOk ? slot.files : [slot.files[0]],
  });
}

function checkReserve(o: Opened, first: Opened, passwordKnown: boolean, f: Findings): void {
  const d1 = first.slot === o.slot ? null : first.d;
  if (d1 === null && o.d === null && !passwordKnown) return;
  const same = d1 !== null && o.d === d1;
  const detail = same ? 'primary2/masks2 hold the same key' : d1 === null ? (o.d === null ? 'neither key copy opens' : 'only the reserve copy opens') : 'primary2/masks2 give a different key';
  const files: FileName[] = same ? ['primary2.key', 'masks2.key'] : d1 === null && o.d !== null ? ['primary.key'] : f.passed('masks2-mac') ? ['primary2.key'] : ['primary2.key', 'masks2.key'];
  f.add({ name: 'primary2-same-key', ok: same, detail, files });
}

function checkCertificateKey(o: Opened, cert: CertificateUse, f: Findings): void {
  const same = equalBytes(publicKeyBytes(o.slot.curve, o.d!), cert.info.publicKey);
  const detail = same ? `private key matches the ${cert.source === 'header' ? 'header' : 'given'} certificate` : 'private key does not match the certificate';
  f.add({ name: 'key-certificate', ok: same, detail, files: cert.source === 'header' ? ['header.key'] : ['primary.key'] });
}

// --- 6. the status and the result

/** The key proof exists only when every key present is proven and nothing failed on the way. */
function proveKeys(opened: readonly Opened[], fpRef: Uint8Array | null, cert: CertificateUse | null, f: Findings): KeyProof | null {
  const [first] = opened;
  if (!first || first.d === null || first.slot.files[0] !== 'primary.key' || !opened.every((o) => o.d !== null)) return null;
  const fp2 = opened.find((o) => !o.slot.reserve && o.slot.files[0] === 'primary2.key')?.slot.fp ?? null;
  if (fpRef) return { [KEY_PROOF]: true, by: 'key-fingerprint', fingerprint: hex(fpRef), secondFingerprint: fp2 ? hex(fp2) : null };
  if (f.passed('key-certificate')) return { [KEY_PROOF]: true, by: 'key-certificate', fingerprint: cert?.info.fingerprint ? hex(cert.info.fingerprint) : null, secondFingerprint: null };
  return null;
}

/**
 * `verified` with a key proof, `intact` with all MACs and a tie, else `partial` with its reasons.
 * Every failed check has added a problem, so no problems means no failed check.
 */
function decideStatus(checks: readonly Check[], problems: string[], keyProof: KeyProof | null, tie: Tie | null): Status {
  const reasons = nonEmpty(problems);
  if (reasons) return { kind: 'partial', problems: reasons };
  if (keyProof) return { kind: 'verified', proof: keyProof };
  if (!tie) {
    problems.push(NO_TIE_PROBLEM);
    return { kind: 'partial', problems: [NO_TIE_PROBLEM] };
  }
  const macs = checks.filter((c) => c.name.endsWith('-mac')).map((c) => c.name);
  return { kind: 'intact', proof: { [INTACT_PROOF]: true, macs, tiedBy: tie } };
}

interface Outcome {
  readonly parsed: ParsedFiles;
  readonly gen: GenerationInfo | null;
  readonly curveOid: string | null;
  readonly passwordRequired: boolean | null;
  readonly fpRef: Uint8Array | null;
  readonly certificate: CertificateUse | null;
  readonly opened: readonly Opened[];
  readonly status: Status;
  readonly f: Findings;
}

function buildResult(o: Outcome): ContainerResult {
  const { parsed, certificate } = o;
  const first = o.opened[0]?.slot.files[0] === 'primary.key' ? o.opened[0] : undefined;
  const privateKey = first?.d ?? null;
  const by = privateKey !== null ? first!.by : null;
  const result: ContainerResult = {
    status: o.status,
    name: parsed.name?.text ?? null,
    nameRawHex: parsed.name ? hex(parsed.name.raw) : null,
    algorithm: o.gen?.generation ?? null,
    curveOid: o.curveOid,
    passwordRequired: o.passwordRequired,
    passwordIndex: by?.index ?? null,
    passwordEncoding: by ? by.enc : null,
    opened: by !== null,
    fingerprint: o.fpRef ? hex(o.fpRef) : null,
    keyNotAfter: parsed.header?.keyNotAfter ?? null,
    exportable: parsed.header ? parsed.header.exportable : null,
    certificate: certificate
      ? {
          source: certificate.source,
          subject: certificate.info.subject,
          issuer: certificate.info.issuer,
          notBefore: certificate.info.notBefore.toISOString(),
          notAfter: certificate.info.notAfter.toISOString(),
        }
      : null,
    keys: keyReports(parsed, o.opened),
    checks: o.f.checks,
    problems: o.f.problems,
  };
  if (privateKey !== null) Object.defineProperty(result, 'privateKey', { value: privateKey, enumerable: false });
  return result;
}

/** Every pair present, with its role; a pair that could not be tried (no password) is not verified. */
function keyReports(p: ParsedFiles, opened: readonly Opened[]): KeyReport[] {
  const h = p.header;
  const role: KeyRole | null = h ? (h.exchange ? 'exchange' : 'signature') : null;
  const out: KeyReport[] = [];
  const d1 = opened.find((o) => o.slot.files[0] === 'primary.key')?.d ?? null;
  const tried = (name: FileName) => opened.find((o) => o.slot.files[0] === name);
  if (p.primary || p.masks) out.push({ role, files: ['primary.key', 'masks.key'], verified: d1 !== null, reserve: false });
  if (p.primary2 || p.masks2) {
    const two = tried('primary2.key');
    const reserve = !h?.secondaryFP;
    const verified = two?.d != null && (!reserve || two.d === d1);
    out.push({ role: reserve ? role : h.secondaryExchange ? 'exchange' : 'signature', files: ['primary2.key', 'masks2.key'], verified, reserve });
  }
  return out;
}

function unmaskWith(pw: PasswordUnits, gen: GenerationInfo, curve: GostCurve, ciphertext: Uint8Array, m: MasksKey): bigint | null {
  const kek = cpkdf(pw, m.salt.subarray(0, 12), gen.kdfHash);
  try {
    return unmaskPrivateKey(curve, kek, ciphertext, m.mask, gen.sbox);
  } catch {
    return null;
  } finally {
    kek.fill(0);
  }
}

function guessGeneration(sbox: 'E-A' | 'E-Z' | null, maskLen: number): GenerationInfo | null {
  if (sbox === 'E-A') return GENERATIONS.gost2001;
  if (sbox === 'E-Z') return maskLen === 64 ? GENERATIONS['gost2012-512'] : GENERATIONS['gost2012-256'];
  return null;
}

function macDetail(m: { ok: boolean; sbox: string | null; sboxMatchesGeneration: boolean }, stored: Uint8Array): string {
  if (!m.ok) return `MAC ${hex(stored)} does not match (tried E-A and E-Z)`;
  return m.sboxMatchesGeneration ? `MAC ${hex(stored)} ok (${m.sbox})` : `MAC ${hex(stored)} matches only with ${m.sbox}, not this algorithm's S-box`;
}

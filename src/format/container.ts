// verifyContainer: every check cryptopro-format.md §4 allows on one container's files, and the
// status of contract.md (verified / intact / partial) derived from them. The proofs `verified` and
// `intact` carry are made only here, where the key is matched and the MACs are checked.

import { cpkdf, type PasswordUnits } from '../crypto/cpkdf.ts';
import { curveByOid, publicKey, fingerprint, type GostCurve } from '../crypto/curves.ts';
import { unmaskPrivateKey } from '../crypto/unmask.ts';
import { bigIntToLe, equalBytes, hex } from '../crypto/bytes.ts';
import { SBOX_CRYPTOPRO_A, SBOX_TC26_Z } from '../crypto/gost28147.ts';
import { parseHeader, checkHeaderMac, checkPasswordMac, hasPasswordMac, OID_CONTAINER_V2, type HeaderKey } from './header-key.ts';
import { parseMasks, checkMasksMac, type MasksKey } from './masks-key.ts';
import { parsePrimary, type PrimaryKey } from './primary-key.ts';
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
  | 'primary2-same-key';

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

/**
 * `tie` says what groups `files` into one container: the caller's folder by default; null when
 * nothing does (files paired by cryptography), and then only a proven key gives more than `partial`.
 */
export function verifyContainer(files: ContainerFiles, passwords: readonly string[], cert?: Uint8Array, tie: Tie | null = 'folder'): ContainerResult {
  const checks: Check[] = [];
  const problems: string[] = [];
  const add = (c: Check): void => {
    checks.push(c);
    if (!c.ok) problems.push(`${c.files.join(', ')}: ${c.detail}`);
  };

  // --- structure of every file present
  const parse = <T>(file: FileName, bytes: Uint8Array | undefined, fn: (b: Uint8Array) => Parsed<T & { length: number }>): T | null => {
    if (!bytes) return null;
    const r = fn(bytes);
    if (!r.ok) {
      add({ name: 'structure', ok: false, detail: `malformed at byte ${r.at}: ${r.why}`, files: [file] });
      return null;
    }
    if (r.value.length !== bytes.length) {
      add({ name: 'structure', ok: false, detail: `${bytes.length - r.value.length} bytes after the end of the DER value`, files: [file] });
      return null;
    }
    return r.value;
  };
  const header = parse<HeaderKey>('header.key', files.header, parseHeader);
  const primary = parse<PrimaryKey>('primary.key', files.primary, parsePrimary);
  const masks = parse<MasksKey>('masks.key', files.masks, parseMasks);
  const primary2 = parse<PrimaryKey>('primary2.key', files.primary2, parsePrimary);
  const masks2 = parse<MasksKey>('masks2.key', files.masks2, parseMasks);
  const name = parse<NameKey>('name.key', files.name, parseName);

  for (const [f, b] of [
    ['header.key', files.header],
    ['primary.key', files.primary],
    ['masks.key', files.masks],
    ['name.key', files.name],
  ] as const)
    if (!b) problems.push(`${f} missing`);
  const reserveExpected = header ? header.reservePrimary : !!(files.primary2 || files.masks2);
  if (reserveExpected && !files.primary2) problems.push('primary2.key missing');
  if (reserveExpected && !files.masks2) problems.push('masks2.key missing');

  // --- generation: from the header, else from the masks MAC S-box and mask size
  let gen: GenerationInfo | null = header ? header.algorithm.info : null;
  if (header) {
    const m = checkHeaderMac(header);
    add({ name: 'header-mac', ok: m.ok && m.sboxMatchesGeneration, detail: macDetail(m, header.hmac), files: ['header.key'] });
    if (header.primaryKeyAbsent) problems.push('header.key: kccaPrimaryKeyAbsent is set');
    if (header.containerAlgorithmOid !== OID_CONTAINER_V2) problems.push(`header.key: container format ${header.containerAlgorithmOid} (only V2 ${OID_CONTAINER_V2} is known)`);
    if (header.other.has(0xa3) || header.other.has(0xa4)) problems.push('header.key: holds a secondary key (two-key container, only the primary key is checked)');
  }
  for (const [id, file, mk] of [
    ['masks-mac', 'masks.key', masks],
    ['masks2-mac', 'masks2.key', masks2],
  ] as const) {
    if (!mk) continue;
    const want = gen?.sbox ?? (mk.mask.length === 64 ? SBOX_TC26_Z : SBOX_CRYPTOPRO_A);
    const m = checkMasksMac(mk, want);
    const okGen = gen ? m.ok && m.sboxMatchesGeneration : m.ok;
    add({ name: id, ok: okGen, detail: macDetail(m, mk.hmac), files: [file] });
    if (!gen && m.ok) gen = guessGeneration(m.sbox, mk.mask.length);
  }

  // --- sizes agree with the algorithm
  if (gen) {
    const bad: FileName[] = [];
    if (masks && masks.mask.length !== gen.keySize) bad.push('masks.key');
    if (masks2 && masks2.mask.length !== gen.keySize) bad.push('masks2.key');
    if (primary && primary.primaryKey.length !== gen.keySize) bad.push('primary.key');
    if (primary2 && primary2.primaryKey.length !== gen.keySize) bad.push('primary2.key');
    if (bad.length) add({ name: 'sizes', ok: false, detail: `key/mask size differs from ${gen.generation} (${gen.keySize} bytes)`, files: bad });
  }
  for (const [f, p] of [
    ['primary.key', primary],
    ['primary2.key', primary2],
  ] as const) {
    if (p?.secondaryKey) problems.push(`${f}: holds a secondary key (two-key container, not supported)`);
    if (p?.hmacKey) problems.push(`${f}: old key format with hmacKey`);
  }

  // --- certificate: a loose one wins over the header copy
  let certInfo: CertificateInfo | null = null;
  let certSource: 'header' | 'file' = 'file';
  if (cert) {
    const c = parseCertificate(cert);
    if (c.ok) certInfo = c.value;
    else problems.push(`certificate: ${c.why}`);
  }
  if (!certInfo && header?.primaryCertificate) {
    const c = parseCertificate(header.primaryCertificate);
    if (c.ok) {
      certInfo = c.value;
      certSource = 'header';
    } else add({ name: 'structure', ok: false, detail: `certificate [5] unreadable: ${c.why}`, files: ['header.key'] });
  }
  if (header && certInfo?.fingerprint) {
    const same = equalBytes(header.primaryFP, certInfo.fingerprint);
    add({
      name: 'fp-certificate',
      ok: same,
      detail: same ? `header FP ${hex(header.primaryFP)} = certificate public key` : `header FP ${hex(header.primaryFP)} ≠ certificate ${hex(certInfo.fingerprint)}`,
      files: certSource === 'header' ? ['header.key'] : ['header.key'],
    });
  }

  // --- the curve
  const curveOid = header?.algorithm.curveOid ?? certInfo?.curveOid ?? null;
  const curve = curveOid ? curveByOid(curveOid) : null;
  if (!gen && certInfo?.generation) gen = GENERATIONS[certInfo.generation];

  // --- password candidates; the header's [2] (if any) picks the password cheaply
  const passwordRequired = header ? header.softPassword || hasPasswordMac(header) : null;
  let candidates: Candidate[] = [{ index: null, enc: 'utf8', bytes: new Uint8Array(0) }];
  passwords.forEach((pw, i) => {
    if (pw === '') return;
    for (const f of passwordForms(pw)) candidates.push({ index: i, enc: f.enc, bytes: f.bytes });
  });
  if (passwordRequired === true) candidates = candidates.filter((c) => c.bytes.length > 0);
  else if (passwordRequired === false) candidates = candidates.slice(0, 1);
  // True when the password used is certainly right, so a key mismatch means damaged files.
  let passwordKnown = passwordRequired === false;
  if (header && hasPasswordMac(header)) {
    // A password that does not match is not damage: no failed check, the key stays unchecked.
    const hit = candidates.find((c) => checkPasswordMac(header, c.bytes).ok);
    if (hit) add({ name: 'password-mac', ok: true, detail: `${hit.index === null ? 'the empty password' : `given password ${hit.index + 1}`} matches header [2]`, files: ['header.key'] });
    candidates = hit ? [hit] : [];
    passwordKnown = !!hit;
  }

  // --- unmask and prove the key
  let privateKey: bigint | null = null;
  let opened: Candidate | null = null;
  let keyProof: KeyProof | null = null;
  const fpRef = header?.primaryFP ?? certInfo?.fingerprint ?? null;
  if (gen && curve && primary && masks && candidates.length > 0) {
    for (const c of candidates) {
      const d = unmaskWith(c.bytes, gen, curve, primary, masks);
      if (d === null) continue;
      const fpOk = fpRef !== null && equalBytes(fingerprint(curve, d), fpRef);
      if (fpOk) {
        privateKey = d;
        opened = c;
        break;
      }
    }
    const masksOk = checks.some((c) => c.name === 'masks-mac' && c.ok);
    if (privateKey !== null && fpRef) keyProof = { [KEY_PROOF]: true, by: 'key-fingerprint', fingerprint: hex(fpRef) };
    if (fpRef && (privateKey !== null || passwordKnown)) {
      add({
        name: 'key-fingerprint',
        ok: privateKey !== null,
        detail: privateKey !== null ? `unmasked key gives public-key FP ${hex(fpRef)}` : `unmasked key does not match FP ${hex(fpRef)}`,
        files: privateKey !== null || !masksOk ? ['primary.key', 'masks.key'] : ['primary.key'],
      });
    }
    if (privateKey !== null && certInfo && certInfo.generation) {
      const Q = publicKey(curve, privateKey);
      const mine = new Uint8Array(2 * curve.size);
      mine.set(bigIntToLe(Q.x, curve.size), 0);
      mine.set(bigIntToLe(Q.y, curve.size), curve.size);
      const same = equalBytes(mine, certInfo.publicKey);
      if (same) keyProof ??= { [KEY_PROOF]: true, by: 'key-certificate', fingerprint: certInfo.fingerprint ? hex(certInfo.fingerprint) : null };
      add({
        name: 'key-certificate',
        ok: same,
        detail: same ? `private key matches the ${certSource === 'header' ? 'header' : 'given'} certificate` : 'private key does not match the certificate',
        files: certSource === 'header' ? ['header.key'] : ['primary.key'],
      });
    }
    if (primary2 && masks2) {
      const masks2Ok = checks.some((c) => c.name === 'masks2-mac' && c.ok);
      const cands = opened ? [opened] : candidates;
      let d2: bigint | null = null;
      for (const c of cands) {
        d2 = unmaskWith(c.bytes, gen, curve, primary2, masks2);
        if (d2 !== null && (privateKey === null ? fpRef !== null && equalBytes(fingerprint(curve, d2), fpRef) : d2 === privateKey)) break;
        d2 = null;
      }
      if (privateKey !== null || d2 !== null || passwordKnown) {
        const same = privateKey !== null && d2 === privateKey;
        add({
          name: 'primary2-same-key',
          ok: same,
          detail: same
            ? 'primary2/masks2 hold the same key'
            : privateKey === null
              ? d2 === null
                ? 'neither key copy opens'
                : 'only the reserve copy opens'
              : 'primary2/masks2 give a different key',
          files: same ? ['primary2.key', 'masks2.key'] : privateKey === null && d2 !== null ? ['primary.key'] : masks2Ok ? ['primary2.key'] : ['primary2.key', 'masks2.key'],
        });
      }
    }
  } else if (gen && !curve && curveOid) problems.push(`unknown curve ${curveOid}`);

  const status = decideStatus(checks, problems, keyProof, tie);
  const result: ContainerResult = {
    status,
    name: name?.text ?? null,
    nameRawHex: name ? hex(name.raw) : null,
    algorithm: gen?.generation ?? null,
    curveOid,
    passwordRequired,
    passwordIndex: opened?.index ?? null,
    passwordEncoding: opened ? opened.enc : null,
    opened: opened !== null,
    fingerprint: fpRef ? hex(fpRef) : null,
    keyNotAfter: header?.keyNotAfter ?? null,
    exportable: header ? header.exportable : null,
    certificate: certInfo
      ? {
          source: certSource,
          subject: certInfo.subject,
          issuer: certInfo.issuer,
          notBefore: certInfo.notBefore.toISOString(),
          notAfter: certInfo.notAfter.toISOString(),
        }
      : null,
    checks,
    problems,
  };
  if (privateKey !== null) Object.defineProperty(result, 'privateKey', { value: privateKey, enumerable: false });
  return result;
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

function unmaskWith(pw: PasswordUnits, gen: GenerationInfo, curve: GostCurve, p: PrimaryKey, m: MasksKey): bigint | null {
  const kek = cpkdf(pw, m.salt.subarray(0, 12), gen.kdfHash);
  try {
    return unmaskPrivateKey(curve, kek, p.primaryKey, m.mask, gen.sbox);
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

// Rebuild header.key from a certificate (cryptopro-format.md §7): every header field follows
// from the certificate's public key plus a few choices (password, keyValidity, attributes).
// Refuses unless the key in primary/masks, unmasked with the password, is the certificate's key:
// a rebuilt header for the wrong key would make a container that looks fine and never works.

import { cpkdf, type PasswordUnits } from '../crypto/cpkdf.ts';
import { curveByOid } from '../crypto/curves.ts';
import { unmaskPrivateKey } from '../crypto/unmask.ts';
import { equalBytes } from '../crypto/bytes.ts';
import { ok, fail, type Parsed } from './parsed.ts';
import { GENERATIONS } from './algorithms.ts';
import { encodeHeader, parseHeader, hasPasswordMac, type HeaderFields } from './header-key.ts';
import { parseMasks } from './masks-key.ts';
import { keyCiphertexts, parsePrimary } from './primary-key.ts';
import { certificatesIn, parseCertificate } from './certificate.ts';
import { unframe } from './framing.ts';
import { headerFieldsFor, publicKeyBytes } from './writer.ts';
import { passwordEncodings, type ContainerFiles } from './container.ts';

export interface RebuildOptions {
  certificate: Uint8Array;
  primary: Uint8Array;
  masks: Uint8Array;
  /** Password bytes as the container uses them (UTF-8 / cp1251); empty = none. */
  password?: PasswordUnits;
  /** keyValidity notAfter ('20200701145710Z'); omitted when unknown. */
  keyValidity?: string;
  /** Sets kccaReservePrimary (default true: CSP writes primary2/masks2). */
  reserve?: boolean;
  /** pkaExportable (default true). */
  exportable?: boolean;
  /**
   * With an empty password some CSP versions write [2] as 00 00 00 00, others omit it
   * (samples: srv.000 vs le-22951.000). Default 'omit'.
   */
  emptyPasswordMac?: 'omit' | 'zero';
}

export interface Rebuilt {
  readonly header: Uint8Array;
  readonly fields: HeaderFields;
  readonly privateKey: bigint;
}

export function rebuildHeader(o: RebuildOptions): Parsed<Rebuilt> {
  const cert = parseCertificate(o.certificate);
  if (!cert.ok) return fail(0, `certificate: ${cert.why}`);
  const c = cert.value;
  if (!c.generation || !c.fingerprint) return fail(0, `certificate key ${c.publicKeyAlgorithmOid} is not a GOST R 34.10 key`);
  const info = GENERATIONS[c.generation];
  if (!c.curveOid) return fail(0, 'certificate names no curve');
  const curve = curveByOid(c.curveOid);
  if (!curve) return fail(0, `unknown curve ${c.curveOid}`);
  const primary = parsePrimary(unframe(o.primary).der);
  if (!primary.ok) return fail(0, `primary.key: ${primary.why}`);
  const masks = parseMasks(unframe(o.masks).der);
  if (!masks.ok) return fail(0, `masks.key: ${masks.why}`);

  const pw = o.password ?? new Uint8Array(0);
  const kek = cpkdf(pw, masks.value.salt.subarray(0, 12), info.kdfHash);
  const d = keyCiphertexts(primary.value)
    .map((ct) => unmaskPrivateKey(curve, kek, ct, masks.value.mask, info.sbox))
    .find((x) => x !== null && equalBytes(publicKeyBytes(curve, x), c.publicKey));
  kek.fill(0);
  if (d === undefined || d === null)
    return fail(0, 'the key in primary.key/masks.key (with this password) is not the certificate key; refusing to rebuild');

  const base = headerFieldsFor(info, {
    curveOid: c.curveOid,
    fp: c.fingerprint,
    password: pw,
    reserve: o.reserve ?? true,
    cert: c.der,
    keyValidity: o.keyValidity,
    exportable: o.exportable ?? true,
  });
  const fields: HeaderFields = {
    ...base,
    algorithm: { ...base.algorithm, digestOid: c.digestOid ?? info.digestOid },
    hmacPassword: base.hmacPassword ?? (o.emptyPasswordMac === 'zero' ? new Uint8Array(4) : undefined),
  };
  return ok({ header: encodeHeader(fields, info.sbox), fields, privateKey: d }, 0);
}

/**
 * What fix-header and the scan use: tries the empty password and each given one; keeps what a
 * damaged header still tells (key validity, exportable flag, the empty [2] form) when it parses.
 */
export function rebuildFromCertificate(files: ContainerFiles, cert: Uint8Array, passwords: readonly string[]) {
  // A bundle (PKCS#7, a PEM chain) is tried certificate by certificate; the CA's never match.
  const certs = certificatesIn(cert)?.certificates ?? [cert];
  let failed: { ok: false; why: string } | null = null;
  for (const c of certs) {
    const r = rebuildFromOne(files, c, passwords);
    if (r.ok) return r;
    // "not the certificate key" says more than "not a GOST key" (a CA certificate of the chain).
    if (!failed || !/not a GOST/.test(r.why)) failed = r;
  }
  return failed!;
}

function rebuildFromOne(files: ContainerFiles, cert: Uint8Array, passwords: readonly string[]) {
  if (!files.primary || !files.masks) return { ok: false as const, why: 'primary.key and masks.key are needed to prove the certificate matches' };
  // What the damaged header still tells (when it parses): key validity, exportable flag, [2] form.
  const old = files.header ? parseHeader(unframe(files.header).der) : null;
  const o = old?.ok ? old.value : null;
  const salvaged = !o && files.header ? salvageHeader(files.header) : null;
  let last = 'no password given opens primary.key/masks.key';
  for (const pw of ['', ...passwords]) {
    for (const enc of pw === '' ? [new Uint8Array(0)] : passwordEncodings(pw)) {
      const r = rebuildHeader({
        certificate: cert,
        primary: files.primary,
        masks: files.masks,
        password: enc,
        reserve: !!files.primary2 && !!files.masks2,
        ...(o?.keyNotAfter ? { keyValidity: o.keyNotAfter } : {}),
        ...(o ? { exportable: o.exportable, emptyPasswordMac: o.hmacPassword && !hasPasswordMac(o) ? ('zero' as const) : ('omit' as const) } : {}),
        ...(salvaged?.keyValidity ? { keyValidity: salvaged.keyValidity } : {}),
        ...(salvaged?.exportable !== undefined ? { exportable: salvaged.exportable } : {}),
      });
      if (r.ok) return { ok: true as const, header: r.value.header, passwordIndex: pw === '' ? null : passwords.indexOf(pw) };
      last = r.why;
      if (/not a GOST|certificate:|unknown curve|names no curve/.test(r.why)) return { ok: false as const, why: r.why };
    }
  }
  return { ok: false as const, why: last };
}

const KEY_VALIDITY = Uint8Array.of(0x06, 0x08, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x25, 0x03, 0x0a, 0x04, 0x13, 0x30, 0x11, 0x81, 0x0f);

/**
 * Fields a header too damaged to parse may still hold at recognisable byte patterns: the
 * keyValidity extension (OID + GeneralizedTime) and the key attributes (30 LL 03 02 05 xx A0).
 */
export function salvageHeader(b: Uint8Array): { keyValidity?: string; exportable?: boolean } {
  const out: { keyValidity?: string; exportable?: boolean } = {};
  for (let i = 0; i + KEY_VALIDITY.length + 15 <= b.length; i++) {
    let k = 0;
    while (k < KEY_VALIDITY.length && b[i + k] === KEY_VALIDITY[k]) k++;
    if (k < KEY_VALIDITY.length) continue;
    const text = String.fromCharCode(...b.subarray(i + k, i + k + 15));
    if (/^\d{14}Z$/.test(text)) out.keyValidity = text;
    break;
  }
  for (let i = 0; i + 7 <= Math.min(b.length, 64); i++) {
    if (b[i] === 0x30 && b[i + 2] === 0x03 && b[i + 3] === 0x02 && b[i + 4] === 0x05 && b[i + 6] === 0xa0) {
      out.exportable = ((b[i + 5] ?? 0) & 0x80) !== 0;
      break;
    }
  }
  return out;
}

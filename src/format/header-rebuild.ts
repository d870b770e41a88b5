// Rebuild header.key from a certificate (cryptopro-format.md §7): every header field follows
// from the certificate's public key plus a few choices (password, keyValidity, attributes).
// Refuses unless the key in primary/masks, unmasked with the password, is the certificate's key:
// a rebuilt header for the wrong key would make a container that looks fine and never works.

import { cpkdf } from '../crypto/cpkdf.ts';
import { curveByOid } from '../crypto/curves.ts';
import { unmaskPrivateKey } from '../crypto/unmask.ts';
import { equalBytes } from '../crypto/bytes.ts';
import { ok, fail, type Parsed } from './parsed.ts';
import { GENERATIONS } from './algorithms.ts';
import { encodeHeader, type HeaderFields } from './header-key.ts';
import { parseMasks } from './masks-key.ts';
import { parsePrimary } from './primary-key.ts';
import { parseCertificate } from './certificate.ts';
import { headerFieldsFor, publicKeyBytes } from './writer.ts';

export interface RebuildOptions {
  certificate: Uint8Array;
  primary: Uint8Array;
  masks: Uint8Array;
  /** Password bytes as the container uses them (UTF-8 / cp1251); empty = none. */
  password?: Uint8Array;
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
  const primary = parsePrimary(o.primary);
  if (!primary.ok) return fail(0, `primary.key: ${primary.why}`);
  const masks = parseMasks(o.masks);
  if (!masks.ok) return fail(0, `masks.key: ${masks.why}`);

  const pw = o.password ?? new Uint8Array(0);
  const kek = cpkdf(pw, masks.value.salt.subarray(0, 12), info.kdfHash);
  const d = unmaskPrivateKey(curve, kek, primary.value.primaryKey, masks.value.mask, info.sbox);
  kek.fill(0);
  if (d === null || !equalBytes(publicKeyBytes(curve, d), c.publicKey))
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

// writeContainer: builds the six files of a CryptoPro folder container from a key (or a fresh
// one). Synchronous; randomness comes from `opts.random` so tests are deterministic. The byte
// layout is the one parsed by header-key.ts / masks-key.ts / primary-key.ts / name-key.ts, and
// the encoders are the ones proven byte-exact against the real samples in test/format.

import { randomBytes } from 'node:crypto';
import { cpkdf, type PasswordUnits } from '../crypto/cpkdf.ts';
import { curveByOid, fingerprint, publicKey, type GostCurve } from '../crypto/curves.ts';
import { maskPrivateKey } from '../crypto/unmask.ts';
import { mac4 } from '../crypto/gost28147.ts';
import { bigIntToLe, equalBytes, leToBigInt } from '../crypto/bytes.ts';
import { GENERATIONS, CURVE_OIDS_256, CURVE_OIDS_512, type Generation, type GenerationInfo } from './algorithms.ts';
import {
  encodeHeader,
  passwordMac,
  containerAttributes,
  keyAttributes,
  encodeKeyValidity,
  OID_CONTAINER_V2,
  OID_KEY_VALIDITY,
  type HeaderFields,
} from './header-key.ts';
import { encodeMasks, masksMacKey } from './masks-key.ts';
import { encodePrimary } from './primary-key.ts';
import { encodeName } from './name-key.ts';
import { parseCertificate } from './certificate.ts';

export interface WriteOptions {
  algorithm: Generation;
  curveOid?: string;
  privateKey?: bigint;
  /** Empty or absent = no password (attributes 06 40, no [2]). */
  password?: string;
  name: string;
  /** Write primary2/masks2 (default true). */
  reserve?: boolean;
  certificate?: Uint8Array;
  /** keyValidity notAfter as GeneralizedTime text, e.g. '20200701145710Z'. */
  keyValidity?: string;
  exportable?: boolean;
  random?: (n: number) => Uint8Array;
}

export interface WrittenContainer {
  files: Record<string, Uint8Array>;
  privateKey: bigint;
}

export function writeContainer(opts: WriteOptions): WrittenContainer {
  const info = GENERATIONS[opts.algorithm];
  const curveOid = opts.curveOid ?? info.defaultCurveOid;
  if (!(info.keySize === 64 ? CURVE_OIDS_512 : CURVE_OIDS_256).includes(curveOid)) throw new RangeError(`curve ${curveOid} does not fit ${opts.algorithm}`);
  const curve = curveByOid(curveOid);
  if (!curve) throw new RangeError(`unknown curve ${curveOid}`);
  const random = opts.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const d = opts.privateKey ?? randomScalar(curve, random);
  if (d <= 0n || d >= curve.q) throw new RangeError('private key out of range');
  const pw = new TextEncoder().encode(opts.password ?? '');
  const fp = fingerprint(curve, d);

  let cert: Uint8Array | undefined;
  if (opts.certificate) {
    const c = parseCertificate(opts.certificate);
    if (!c.ok) throw new Error(`certificate: ${c.why}`);
    if (!equalBytes(c.value.publicKey, publicKeyBytes(curve, d))) throw new Error('certificate does not belong to this private key');
    cert = c.value.der;
  }

  const files: Record<string, Uint8Array> = {};
  const reserve = opts.reserve ?? true;
  const pair = (): [Uint8Array, Uint8Array] => {
    const mask = randomMask(curve, random);
    const salt = random(12);
    const kek = cpkdf(pw, salt, info.kdfHash);
    const enc = maskPrivateKey(curve, d, mask, kek, info.sbox);
    kek.fill(0);
    return [encodePrimary(enc), encodeMasks(mask, salt, mac4(masksMacKey(mask), salt, info.sbox))];
  };
  [files['primary.key'], files['masks.key']] = pair();
  if (reserve) [files['primary2.key'], files['masks2.key']] = pair();

  files['header.key'] = encodeHeader(
    headerFieldsFor(info, { curveOid, fp, password: pw, reserve, cert, keyValidity: opts.keyValidity, exportable: opts.exportable ?? true }),
    info.sbox,
  );
  files['name.key'] = encodeName(opts.name);
  return { files, privateKey: d };
}

/** Header fields of a fresh container (also used to rebuild a header, §7). */
export function headerFieldsFor(
  info: GenerationInfo,
  o: { curveOid: string; fp: Uint8Array; password: PasswordUnits; reserve: boolean; cert?: Uint8Array | undefined; keyValidity?: string | undefined; exportable: boolean },
): HeaderFields {
  return {
    containerAlgorithmOid: OID_CONTAINER_V2,
    attributesRaw: containerAttributes({ password: o.password.length > 0, reserve: o.reserve }),
    keyAttributesRaw: keyAttributes({ exportable: o.exportable, exchange: true }),
    algorithm: { algorithmOid: info.agreementOid, curveOid: o.curveOid, digestOid: info.digestOid },
    hmacPassword: o.password.length > 0 ? passwordMac(o.password, o.fp, info) : undefined,
    primaryCertificate: o.cert,
    primaryFP: o.fp,
    extensions: o.keyValidity ? [{ oid: OID_KEY_VALIDITY, critical: false, value: encodeKeyValidity(o.keyValidity) }] : [],
  };
}

/** LE x ‖ LE y, the form certificates carry. */
export function publicKeyBytes(curve: GostCurve, d: bigint): Uint8Array {
  const Q = publicKey(curve, d);
  const out = new Uint8Array(2 * curve.size);
  out.set(bigIntToLe(Q.x, curve.size), 0);
  out.set(bigIntToLe(Q.y, curve.size), curve.size);
  return out;
}

function randomScalar(curve: GostCurve, random: (n: number) => Uint8Array): bigint {
  for (let i = 0; i < 64; i++) {
    const d = leToBigInt(random(curve.size)) % curve.q;
    if (d !== 0n) return d;
  }
  throw new Error('random source keeps returning zero');
}

function randomMask(curve: GostCurve, random: (n: number) => Uint8Array): Uint8Array {
  for (let i = 0; i < 64; i++) {
    const m = random(curve.size);
    if (m.length === curve.size && leToBigInt(m) % curve.q !== 0n) return m;
  }
  throw new Error('random source keeps returning an unusable mask');
}

// writeContainer: builds the six files of a CryptoPro folder container from a key (or a fresh
// one), and the forms a token writes (§11): the 70-byte token primary.key, two-key containers,
// and (frameFiles) the FF / 01 framing of a token's fixed file sizes. Synchronous; randomness
// comes from `opts.random` so tests are deterministic. The byte layout is the one parsed by
// header-key.ts / masks-key.ts / primary-key.ts / name-key.ts, and the encoders are the ones
// proven byte-exact against the real samples in test/format.

import { cpkdf, type PasswordUnits } from '../crypto/cpkdf.ts';
import { curveByOid, fingerprint, publicKey, type GostCurve } from '../crypto/curves.ts';
import { maskPrivateKey } from '../crypto/unmask.ts';
import { mac4 } from '../crypto/gost28147.ts';
import { bigIntToLe, equalBytes, leToBigInt } from '../crypto/bytes.ts';
import { GENERATIONS, CURVE_OIDS_256, CURVE_OIDS_512, encodeAlgorithmBlock, type Generation, type GenerationInfo } from './algorithms.ts';
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
import { tlv } from './der.ts';
import { frame, type Framing } from './framing.ts';

export interface WriteOptions {
  algorithm: Generation;
  curveOid?: string;
  privateKey?: bigint;
  /** Empty or absent = no password (attributes 06 40, no [2]). */
  password?: string;
  name: string;
  /** Write primary2/masks2 as a reserve copy (default true; ignored with `secondKey`). */
  reserve?: boolean;
  /** A two-key container: primary2/masks2 hold this second (signature) key, header [4] and [11]
   * describe it. `true` makes a fresh one. */
  secondKey?: bigint | true;
  /** Write primary.key (and primary2.key) in the 70-byte token form `04 <A> 80 <B>`, B the key. */
  tokenForm?: boolean;
  certificate?: Uint8Array;
  /** keyValidity notAfter as GeneralizedTime text, e.g. '20200701145710Z'. */
  keyValidity?: string;
  exportable?: boolean;
  random?: (n: number) => Uint8Array;
}

export interface WrittenContainer {
  files: Record<string, Uint8Array>;
  privateKey: bigint;
  /** The second key of a two-key container. */
  secondKey?: bigint;
}

export function writeContainer(opts: WriteOptions): WrittenContainer {
  const info = GENERATIONS[opts.algorithm];
  const curveOid = opts.curveOid ?? info.defaultCurveOid;
  if (!(info.keySize === 64 ? CURVE_OIDS_512 : CURVE_OIDS_256).includes(curveOid)) throw new RangeError(`curve ${curveOid} does not fit ${opts.algorithm}`);
  const curve = curveByOid(curveOid);
  if (!curve) throw new RangeError(`unknown curve ${curveOid}`);
  const random = opts.random ?? ((n: number) => new Uint8Array(process.getBuiltinModule('node:crypto').randomBytes(n)));
  const d = checkedKey(curve, opts.privateKey ?? randomScalar(curve, random));
  const d2 = opts.secondKey === undefined ? null : checkedKey(curve, opts.secondKey === true ? randomScalar(curve, random) : opts.secondKey);
  const pw = new TextEncoder().encode(opts.password ?? '');
  const cert = opts.certificate ? certificateFor(opts.certificate, curve, d) : undefined;

  const files: Record<string, Uint8Array> = {};
  const reserve = d2 === null && (opts.reserve ?? true);
  const pair = (key: bigint): [Uint8Array, Uint8Array] => {
    const mask = randomMask(curve, random);
    const salt = random(12);
    const kek = cpkdf(pw, salt, info.kdfHash);
    const enc = maskPrivateKey(curve, key, mask, kek, info.sbox);
    kek.fill(0);
    return [encodePrimary(enc, opts.tokenForm ? random(enc.length) : undefined), encodeMasks(mask, salt, mac4(masksMacKey(mask), salt, info.sbox))];
  };
  [files['primary.key'], files['masks.key']] = pair(d);
  if (reserve || d2 !== null) [files['primary2.key'], files['masks2.key']] = pair(d2 ?? d);

  const exportable = opts.exportable ?? true;
  const fields = headerFieldsFor(info, { curveOid, fp: fingerprint(curve, d), password: pw, reserve, cert, keyValidity: opts.keyValidity, exportable });
  files['header.key'] = encodeHeader(d2 === null ? fields : withSecondKey(fields, fingerprint(curve, d2), exportable), info.sbox);
  files['name.key'] = encodeName(opts.name);
  return { files, privateKey: d, ...(d2 !== null ? { secondKey: d2 } : {}) };
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

/** A two-key header (§11): [4] the signature key's parameters (same algorithm), [11] its fingerprint. */
function withSecondKey(f: HeaderFields, fp2: Uint8Array, exportable: boolean): HeaderFields {
  const params = tlv(0xa4, tlv(0x03, keyAttributes({ exportable, exchange: false })), encodeAlgorithmBlock({ ...f.algorithm, digestOid: f.algorithm.digestOid ?? null }));
  return { ...f, other: new Map([[0xa4, params], [0x8b, tlv(0x8b, fp2)]]) };
}

/** What a Rutoken makes of each file (§11): fixed sizes, header.key rounded up to 256 bytes. */
export const TOKEN_FILE_SIZES: Readonly<Record<string, number>> = Object.freeze({ 'primary.key': 70, 'primary2.key': 70, 'masks.key': 60, 'masks2.key': 60, 'name.key': 300 });

/** The files as a token stores them: FF-padded to the token's file sizes, or with the ESMART 01 byte and a zero tail. */
export function frameFiles(files: Record<string, Uint8Array>, framing: Framing, sizes: Readonly<Record<string, number>> = TOKEN_FILE_SIZES): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [name, der] of Object.entries(files)) {
    const need = der.length + (framing === 'lead-01' ? 1 : 0);
    out[name] = frame(der, framing, Math.max(sizes[name] ?? Math.ceil(need / 256) * 256, need));
  }
  return out;
}

function checkedKey(curve: GostCurve, d: bigint): bigint {
  if (d <= 0n || d >= curve.q) throw new RangeError('private key out of range');
  return d;
}

function certificateFor(der: Uint8Array, curve: GostCurve, d: bigint): Uint8Array {
  const c = parseCertificate(der);
  if (!c.ok) throw new Error(`certificate: ${c.why}`);
  if (!equalBytes(c.value.publicKey, publicKeyBytes(curve, d))) throw new Error('certificate does not belong to this private key');
  return c.value.der;
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

// The algorithm block of header.key (cryptopro-format.md §2.1) and the per-generation crypto
// parameters (§3.1).
//
//   A0 LL  06 <algorithm OID>  30 LL  06 <curve OID>  [06 <digest OID>]
//
// The algorithm OID is the key-agreement OID for container keys; certificates carry the
// signature OID of the same generation, so both map to a generation here.

import { SBOX_CRYPTOPRO_A, SBOX_TC26_Z, type SBox } from '../crypto/gost28147.ts';
import type { KdfHash } from '../crypto/cpkdf.ts';
import { ok, fail, type Parsed } from './parsed.ts';
import { readTlv, readOid, oidTlv, tlv } from './der.ts';

export type Generation = 'gost2001' | 'gost2012-256' | 'gost2012-512';

export interface GenerationInfo {
  readonly generation: Generation;
  /** Key-agreement OID written into container headers. */
  readonly agreementOid: string;
  /** Signature-key OID certificates use for this generation. */
  readonly signatureOid: string;
  readonly defaultCurveOid: string;
  readonly digestOid: string;
  /** S-box for every MAC and for decrypting primary.key (§3.1). */
  readonly sbox: SBox;
  readonly kdfHash: KdfHash;
  /** Private key / mask size in bytes. */
  readonly keySize: 32 | 64;
}

export const GENERATIONS: Readonly<Record<Generation, GenerationInfo>> = Object.freeze({
  gost2001: Object.freeze({
    generation: 'gost2001',
    agreementOid: '1.2.643.2.2.98',
    signatureOid: '1.2.643.2.2.19',
    defaultCurveOid: '1.2.643.2.2.36.0',
    digestOid: '1.2.643.2.2.30.1',
    sbox: SBOX_CRYPTOPRO_A,
    kdfHash: 'gost3411-94',
    keySize: 32,
  }),
  'gost2012-256': Object.freeze({
    generation: 'gost2012-256',
    agreementOid: '1.2.643.7.1.1.6.1',
    signatureOid: '1.2.643.7.1.1.1.1',
    defaultCurveOid: '1.2.643.2.2.36.0',
    digestOid: '1.2.643.7.1.1.2.2',
    sbox: SBOX_TC26_Z,
    kdfHash: 'streebog256',
    keySize: 32,
  }),
  'gost2012-512': Object.freeze({
    generation: 'gost2012-512',
    agreementOid: '1.2.643.7.1.1.6.2',
    signatureOid: '1.2.643.7.1.1.1.2',
    defaultCurveOid: '1.2.643.7.1.2.1.2.1',
    digestOid: '1.2.643.7.1.1.2.3',
    // 2012-512 containers still derive the KEK with Streebog-256 (§3.1).
    sbox: SBOX_TC26_Z,
    kdfHash: 'streebog256',
    keySize: 64,
  }),
} satisfies Record<Generation, GenerationInfo>);

/** Curve OIDs by key size (§2.1 "other curve OIDs"). */
export const CURVE_OIDS_256: readonly string[] = Object.freeze([
  '1.2.643.2.2.35.1', '1.2.643.2.2.35.2', '1.2.643.2.2.35.3', '1.2.643.2.2.36.0', '1.2.643.2.2.36.1',
  '1.2.643.7.1.2.1.1.1', '1.2.643.7.1.2.1.1.2', '1.2.643.7.1.2.1.1.3', '1.2.643.7.1.2.1.1.4',
]);
export const CURVE_OIDS_512: readonly string[] = Object.freeze([
  '1.2.643.7.1.2.1.2.1', '1.2.643.7.1.2.1.2.2', '1.2.643.7.1.2.1.2.3',
]);

/** Any GOST public-key OID (agreement or signature, 2001 or 2012) → generation. */
export function generationOfOid(oid: string): Generation | null {
  switch (oid) {
    case '1.2.643.2.2.98':
    case '1.2.643.2.2.19':
      return 'gost2001';
    case '1.2.643.7.1.1.6.1':
    case '1.2.643.7.1.1.1.1':
      return 'gost2012-256';
    case '1.2.643.7.1.1.6.2':
    case '1.2.643.7.1.1.1.2':
      return 'gost2012-512';
    default:
      return null;
  }
}

/** Certificate signature-algorithm OIDs (GOST R 34.10 with its hash) → generation. */
export function generationOfSignatureOid(oid: string): Generation | null {
  switch (oid) {
    case '1.2.643.2.2.3': // GOST R 34.11-94 with GOST R 34.10-2001
      return 'gost2001';
    case '1.2.643.7.1.1.3.2':
      return 'gost2012-256';
    case '1.2.643.7.1.1.3.3':
      return 'gost2012-512';
    default:
      return generationOfOid(oid);
  }
}

export interface AlgorithmBlock {
  readonly generation: Generation;
  readonly algorithmOid: string;
  readonly curveOid: string;
  /** Absent in some 2012 parameter sets (TC26 256-A curves). */
  readonly digestOid: string | null;
  readonly info: GenerationInfo;
}

/** Parses the `A0 LL` algorithm block at `at` (inside primaryPrivateKeyParameters). */
export function parseAlgorithmBlock(b: Uint8Array, at: number, limit: number): Parsed<AlgorithmBlock> {
  const outer = readTlv(b, at, 0xa0, limit);
  if (!outer.ok) return outer;
  const innerEnd = outer.end;
  const alg = readOid(b, outer.value.valueStart, innerEnd);
  if (!alg.ok) return alg;
  const params = readTlv(b, alg.end, 0x30, innerEnd);
  if (!params.ok) return params;
  if (params.end !== innerEnd) return fail(params.end, 'trailing bytes in algorithm block');
  const curve = readOid(b, params.value.valueStart, params.end);
  if (!curve.ok) return curve;
  let digestOid: string | null = null;
  if (curve.end < params.end) {
    const d = readOid(b, curve.end, params.end);
    if (!d.ok) return d;
    if (d.end !== params.end) return fail(d.end, 'trailing bytes in algorithm parameters');
    digestOid = d.value;
  }
  const generation = generationOfOid(alg.value);
  if (generation === null) return fail(at, `unknown key algorithm ${alg.value}`);
  const info = GENERATIONS[generation];
  const sizeOk = info.keySize === 64 ? CURVE_OIDS_512.includes(curve.value) : CURVE_OIDS_256.includes(curve.value);
  if (!sizeOk) return fail(alg.end, `curve ${curve.value} does not fit ${generation}`);
  return ok({ generation, algorithmOid: alg.value, curveOid: curve.value, digestOid, info }, innerEnd);
}

/** Encodes the `A0 LL` block; with defaults it is byte-identical to the §2.1 blocks. */
export function encodeAlgorithmBlock(a: {
  algorithmOid: string;
  curveOid: string;
  digestOid: string | null;
}): Uint8Array {
  const params = a.digestOid === null ? tlv(0x30, oidTlv(a.curveOid)) : tlv(0x30, oidTlv(a.curveOid), oidTlv(a.digestOid));
  return tlv(0xa0, oidTlv(a.algorithmOid), params);
}

/** The block a fresh container of this generation gets. */
export function defaultAlgorithmBlock(g: Generation, curveOid?: string): Uint8Array {
  const info = GENERATIONS[g];
  return encodeAlgorithmBlock({ algorithmOid: info.agreementOid, curveOid: curveOid ?? info.defaultCurveOid, digestOid: info.digestOid });
}

export function otherSbox(s: SBox): SBox {
  return s === SBOX_CRYPTOPRO_A ? SBOX_TC26_Z : SBOX_CRYPTOPRO_A;
}

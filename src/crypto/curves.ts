// GOST R 34.10-2001/2012 curves as frozen data (short Weierstrass y² = x³ + ax + b over F_p,
// base point (x, y) of prime order q); d·G is computed by Node's OpenSSL, given the parameters
// (@noble/curves where OpenSSL refuses explicit parameters).
// Sources: RFC 4357 §11.4 (CryptoPro A/B/C, XchA/XchB), RFC 7836 Appendix A.2 (TC26 256-A, which
// is a twisted Edwards curve given here in its Weierstrass form, and 512-A/B/C), RFC 7091 /
// RFC 5832 (test curves). TC26 256-B/C/D reuse the CryptoPro A/B/C parameters (RFC 7836 A.2).

import { createRequire } from 'node:module';
import type * as NobleWeierstrass from '@noble/curves/abstract/weierstrass.js';
import { beToBigInt, bigIntToLe } from './bytes.ts';

export interface GostCurve {
  readonly name: string;
  /** Every OID that names these parameters (a key-container header may use any of them). */
  readonly oids: readonly string[];
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  /** Order of the base point (the private-key modulus). */
  readonly q: bigint;
  readonly x: bigint;
  readonly y: bigint;
  /** Bytes per coordinate / private key. */
  readonly size: 32 | 64;
  /** Group order / q (4 for the TC26 Edwards-derived curves, else 1). */
  readonly cofactor: bigint;
  readonly source: string;
}

type Params = Omit<GostCurve, 'name' | 'oids' | 'source'>;

function curve(name: string, oids: readonly string[], source: string, p: Params): GostCurve {
  return Object.freeze({ name, oids: Object.freeze([...oids]), source, ...p });
}

const CP_A: Params = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd97n,
  a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd94n,
  b: 0xa6n,
  q: 0xffffffffffffffffffffffffffffffff6c611070995ad10045841b09b761b893n,
  x: 0x1n,
  y: 0x8d91e471e0989cda27df505a453f2b7635294f2ddf23e3b122acc99c9e9f1e14n,
  size: 32,
  cofactor: 1n,
};
const CP_B: Params = {
  p: 0x8000000000000000000000000000000000000000000000000000000000000c99n,
  a: 0x8000000000000000000000000000000000000000000000000000000000000c96n,
  b: 0x3e1af419a269a5f866a7d3c25c3df80ae979259373ff2b182f49d4ce7e1bbc8bn,
  q: 0x800000000000000000000000000000015f700cfff1a624e5e497161bcc8a198fn,
  x: 0x1n,
  y: 0x3fa8124359f96680b83d1c3eb2c070e5c545c9858d03ecfb744bf8d717717efcn,
  size: 32,
  cofactor: 1n,
};
const CP_C: Params = {
  p: 0x9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d759bn,
  a: 0x9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d7598n,
  b: 0x805an,
  q: 0x9b9f605f5a858107ab1ec85e6b41c8aa582ca3511eddfb74f02f3a6598980bb9n,
  x: 0x0n,
  y: 0x41ece55743711a8c3cbf3783cd08c0ee4d4dc440d4641a8f366e550dfdb3bb67n,
  size: 32,
  cofactor: 1n,
};
const TC26_256_A: Params = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd97n,
  a: 0xc2173f1513981673af4892c23035a27ce25e2013bf95aa33b22c656f277e7335n,
  b: 0x295f9bae7428ed9ccc20e7c359a9d41a22fccd9108e17bf7ba9337a6f8ae9513n,
  q: 0x400000000000000000000000000000000fd8cddfc87b6635c115af556c360c67n,
  x: 0x91e38443a5e82c0d880923425712b2bb658b9196932e02c78b2582fe742daa28n,
  y: 0x32879423ab1a0375895786c4bb46e9565fde0b5344766740af268adb32322e5cn,
  size: 32,
  cofactor: 4n,
};
const TC26_512_A: Params = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7n,
  a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc4n,
  b: 0xe8c2505dedfc86ddc1bd0b2b6667f1da34b82574761cb0e879bd081cfd0b6265ee3cb090f30d27614cb4574010da90dd862ef9d4ebee4761503190785a71c760n,
  q: 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff27e69532f48d89116ff22b8d4e0560609b4b38abfad2b85dcacdb1411f10b275n,
  x: 0x3n,
  y: 0x7503cfe87a836ae3a61b8816e25450e6ce5e1c93acf1abc1778064fdcbefa921df1626be4fd036e93d75e6a50e3a41e98028fe5fc235f5b889a589cb5215f2a4n,
  size: 64,
  cofactor: 1n,
};
const TC26_512_B: Params = {
  p: 0x8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006fn,
  a: 0x8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006cn,
  b: 0x687d1b459dc841457e3e06cf6f5e2517b97c7d614af138bcbf85dc806c4b289f3e965d2db1416d217f8b276fad1ab69c50f78bee1fa3106efb8ccbc7c5140116n,
  q: 0x800000000000000000000000000000000000000000000000000000000000000149a1ec142565a545acfdb77bd9d40cfa8b996712101bea0ec6346c54374f25bdn,
  x: 0x2n,
  y: 0x1a8f7eda389b094c2c071e3647a8940f3c123b697578c213be6dd9e6c8ec7335dcb228fd1edf4a39152cbcaaf8c0398828041055f94ceeec7e21340780fe41bdn,
  size: 64,
  cofactor: 1n,
};
const TC26_512_C: Params = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7n,
  a: 0xdc9203e514a721875485a529d2c722fb187bc8980eb866644de41c68e143064546e861c0e2c9edd92ade71f46fcf50ff2ad97f951fda9f2a2eb6546f39689bd3n,
  b: 0xb4c4ee28cebc6c2c8ac12952cf37f16ac7efb6a9f69f4b57ffda2e4f0de5ade038cbc2fff719d2c18de0284b8bfef3b52b8cc7a5f5bf0a3c8d2319a5312557e1n,
  q: 0x3fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc98cdba46506ab004c33a9ff5147502cc8eda9e7a769a12694623cef47f023edn,
  x: 0xe2e31edfc23de7bdebe241ce593ef5de2295b7a9cbaef021d385f7074cea043aa27272a7ae602bf2a7b9033db9ed3610c6fb85487eae97aac5bc7928c1950148n,
  y: 0xf5ce40d95b5eb899abbccff5911cb8577939804d6527378b8c108c3d2090ff9be18e2d33e3021ed2ef32d85822423b6304f726aa854bae07d0396e9a9addc40fn,
  size: 64,
  cofactor: 4n,
};

const RFC4357 = 'RFC 4357 §11.4';
const RFC7836 = 'RFC 7836 Appendix A.2';

/**
 * Every curve a CryptoPro container header may name. Entries with equal parameters are listed
 * separately so that each name keeps its own OIDs; they share one noble Point class.
 */
export const CURVES: readonly GostCurve[] = Object.freeze([
  curve('id-GostR3410-2001-CryptoPro-A-ParamSet', ['1.2.643.2.2.35.1'], RFC4357, CP_A),
  curve('id-GostR3410-2001-CryptoPro-B-ParamSet', ['1.2.643.2.2.35.2'], RFC4357, CP_B),
  curve('id-GostR3410-2001-CryptoPro-C-ParamSet', ['1.2.643.2.2.35.3'], RFC4357, CP_C),
  curve('id-GostR3410-2001-CryptoPro-XchA-ParamSet', ['1.2.643.2.2.36.0'], `${RFC4357} (= CryptoPro-A)`, CP_A),
  curve('id-GostR3410-2001-CryptoPro-XchB-ParamSet', ['1.2.643.2.2.36.1'], `${RFC4357} (= CryptoPro-C)`, CP_C),
  curve('id-tc26-gost-3410-2012-256-paramSetA', ['1.2.643.7.1.2.1.1.1'], RFC7836, TC26_256_A),
  curve('id-tc26-gost-3410-2012-256-paramSetB', ['1.2.643.7.1.2.1.1.2'], `${RFC7836} (= CryptoPro-A)`, CP_A),
  curve('id-tc26-gost-3410-2012-256-paramSetC', ['1.2.643.7.1.2.1.1.3'], `${RFC7836} (= CryptoPro-B)`, CP_B),
  curve('id-tc26-gost-3410-2012-256-paramSetD', ['1.2.643.7.1.2.1.1.4'], `${RFC7836} (= CryptoPro-C)`, CP_C),
  curve('id-tc26-gost-3410-12-512-paramSetA', ['1.2.643.7.1.2.1.2.1'], RFC7836, TC26_512_A),
  curve('id-tc26-gost-3410-12-512-paramSetB', ['1.2.643.7.1.2.1.2.2'], RFC7836, TC26_512_B),
  curve('id-tc26-gost-3410-2012-512-paramSetC', ['1.2.643.7.1.2.1.2.3'], RFC7836, TC26_512_C),
]);

/** Test curves of the standards (for known-answer tests only; never in container headers). */
export const TEST_CURVES: readonly GostCurve[] = Object.freeze([
  curve('id-GostR3410-2001-TestParamSet', ['1.2.643.2.2.35.0'], 'RFC 5832 §7.1 / RFC 7091 §A.1', {
    p: 0x8000000000000000000000000000000000000000000000000000000000000431n,
    a: 0x7n,
    b: 0x5fbff498aa938ce739b8e022fbafef40563f6e6a3472fc2a514c0ce9dae23b7en,
    q: 0x8000000000000000000000000000000150fe8a1892976154c59cfc193accf5b3n,
    x: 0x2n,
    y: 0x8e2a8a0e65147d4bd6316030e16d19c85c97f0a9ca267122b96abbcea7e8fc8n,
    size: 32,
    cofactor: 1n,
  }),
  curve('id-tc26-gost-3410-12-512-paramSetTest', ['1.2.643.7.1.2.1.2.0'], 'RFC 7091 §A.2', {
    p: 0x4531acd1fe0023c7550d267b6b2fee80922b14b2ffb90f04d4eb7c09b5d2d15df1d852741af4704a0458047e80e4546d35b8336fac224dd81664bbf528be6373n,
    a: 0x7n,
    b: 0x1cff0806a31116da29d8cfa54e57eb748bc5f377e49400fdd788b649eca1ac4361834013b2ad7322480a89ca58e0cf74bc9e540c2add6897fad0a3084f302adcn,
    q: 0x4531acd1fe0023c7550d267b6b2fee80922b14b2ffb90f04d4eb7c09b5d2d15da82f2d7ecb1dbac719905c5eecc423f1d86e25edbe23c595d644aaf187e6e6dfn,
    x: 0x24d19cc64572ee30f396bf6ebbfd7a6c5213b3b3d7057cc825f91093a68cd762fd60611262cd838dc6b60aa7eee804e28bc849977fac33b4b530f1b120248a9an,
    y: 0x2bb312a43bd2ce6e0d020613c857acddcfbf061e91e5f2c3f32447c259f39b2c83ab156d77f1496bf7eb3351e1ee4e43dc1a18b91b24640b6dbb92cb1add371en,
    size: 64,
    cofactor: 1n,
  }),
]);

const BY_OID = new Map<string, GostCurve>();
for (const c of CURVES) for (const oid of c.oids) BY_OID.set(oid, c);

/** The curve a header's parameter-set OID names, or null if unknown. */
export function curveByOid(oid: string): GostCurve | null {
  return BY_OID.get(oid) ?? null;
}

// d·G by OpenSSL: a SEC1 private key carrying the curve's explicit parameters, whose public key
// OpenSSL derives (constant-time ladder). Measured here against @noble/curves (now the tests'
// oracle): ~1 ms for a 256-bit and ~1.6 ms for a 512-bit key, warm or cold, where noble took
// 6-22 ms cold without its window table and 0.8-2.2 ms warm with it (after 100-200 ms building
// it), and its modules cost every run ~10 ms to load.

const PRIME_FIELD = Uint8Array.of(0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x01, 0x01); // OID 1.2.840.10045.1.1

function der(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  return Buffer.concat([Uint8Array.of(tag, ...(n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff])), body]);
}

/** Big-endian, at least `len` bytes. */
function be(v: bigint, len: number): Buffer {
  const h = v.toString(16);
  return Buffer.from(h.padStart(Math.max(2 * len, h.length + (h.length % 2)), '0'), 'hex');
}
const int = (v: bigint) => {
  const b = be(v, 1);
  return der(0x02, b[0]! & 0x80 ? Buffer.concat([Uint8Array.of(0), b]) : b);
};

/** SEC1 ECParameters (specifiedCurve), built once per curve. */
const PARAMS = new Map<GostCurve, Buffer>();
function ecParameters(c: GostCurve): Buffer {
  let p = PARAMS.get(c);
  if (!p) {
    const field = (v: bigint) => der(0x04, be(v, c.size));
    const base = der(0x04, Uint8Array.of(4), be(c.x, c.size), be(c.y, c.size));
    p = der(0x30, int(1n), der(0x30, PRIME_FIELD, int(c.p)), der(0x30, field(c.a), field(c.b)), base, int(c.q), int(c.cofactor));
    PARAMS.set(c, p);
  }
  return p;
}

/** Public key Q = d·G in affine coordinates. `d` must be in [1, q-1]. */
export function publicKey(c: GostCurve, d: bigint): { x: bigint; y: bigint } {
  if (d <= 0n || d >= c.q) throw new RangeError('private key must be in [1, q-1]');
  return (opensslRefuses ? null : opensslPublicKey(c, d)) ?? noblePublicKey(c, d);
}

/** Set once OpenSSL refused explicit curve parameters (FIPS mode, a build without them), or by
 * tests through KEYCARVE_NO_OPENSSL_EC=1: from then on d·G comes from @noble/curves. */
let opensslRefuses = process.env['KEYCARVE_NO_OPENSSL_EC'] === '1';

function opensslPublicKey(c: GostCurve, d: bigint): { x: bigint; y: bigint } | null {
  const sec1 = der(0x30, int(1n), der(0x04, be(d, c.size)), der(0xa0, ecParameters(c)));
  let spki: Buffer;
  try {
    // node:crypto loads at the first key checked (~4 ms a start that checks none would spend).
    const { createPrivateKey, createPublicKey } = process.getBuiltinModule('node:crypto');
    spki = createPublicKey(createPrivateKey({ key: sec1, format: 'der', type: 'sec1' })).export({ format: 'der', type: 'spki' });
  } catch {
    opensslRefuses = true;
    return null;
  }
  // SubjectPublicKeyInfo ends with its BIT STRING: 0 unused bits, then the point 04 ‖ X ‖ Y.
  const point = spki.subarray(spki.length - 2 * c.size - 2);
  if (point[0] !== 0 || point[1] !== 4) throw new Error(`OpenSSL gave no uncompressed ${c.name} point`);
  return { x: beToBigInt(point.subarray(2, 2 + c.size)), y: beToBigInt(point.subarray(2 + c.size)) };
}

/** The fallback, required on first use (it costs ~10 ms to load; Node ≥ 20.19 requires ES modules). */
const NOBLE = new Map<GostCurve, NobleWeierstrass.WeierstrassPointCons<bigint>>();
function noblePublicKey(c: GostCurve, d: bigint): { x: bigint; y: bigint } {
  let P = NOBLE.get(c);
  if (!P) {
    const { weierstrass } = createRequire(import.meta.url)('@noble/curves/abstract/weierstrass.js') as typeof NobleWeierstrass;
    P = weierstrass({ p: c.p, n: c.q, h: c.cofactor, a: c.a, b: c.b, Gx: c.x, Gy: c.y });
    P.BASE.precompute(1); // no window table: a few multiplies per curve (a table costs 100-200 ms)
    NOBLE.set(c, P);
  }
  const Q = P.BASE.multiply(d).toAffine();
  return { x: Q.x, y: Q.y };
}

/** Header primaryFP: the first 8 bytes of little-endian Q.x (cryptopro-format.md §3.3 step 4). */
export function fingerprint(c: GostCurve, d: bigint): Uint8Array {
  return bigIntToLe(publicKey(c, d).x, c.size).slice(0, 8);
}

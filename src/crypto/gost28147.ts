// GOST 28147-89 (RFC 5830) in the "legacy" byte order CryptoPro uses: the 32-byte key is eight
// little-endian uint32 words K0..K7 and a 64-bit block is two little-endian uint32 halves (N1, N2).
// Only what container recovery needs: ECB and the 4-byte MAC ("imitovstavka").

/** A GOST 28147-89 substitution box plus the lookup tables derived from it. */
export interface SBox {
  readonly name: 'E-A' | 'E-Z' | 'D-A' | 'TEST';
  /** Where the table is defined. */
  readonly source: string;
  /** 8 rows of 16 nibbles; row i substitutes bits 4i..4i+3 of the round input (RFC 5830 K1..K8). */
  readonly rows: readonly (readonly number[])[];
  /**
   * T[j][b]: output of rows 2j, 2j+1 for byte j of the round input, already shifted into place and
   * rotated left by 11, so the whole round function is four lookups XORed together.
   */
  readonly tables: readonly [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
}

function makeSBox(name: SBox['name'], source: string, flat: readonly number[]): SBox {
  if (flat.length !== 128) throw new Error(`S-box ${name}: expected 128 nibbles`);
  const rows = Array.from({ length: 8 }, (_, i) => Object.freeze(flat.slice(16 * i, 16 * i + 16)));
  const tables = [0, 1, 2, 3].map((j) => {
    const t = new Uint32Array(256);
    for (let b = 0; b < 256; b++) {
      const v = ((rows[2 * j]![b & 15]! | (rows[2 * j + 1]![b >>> 4]! << 4)) << (8 * j)) >>> 0;
      t[b] = ((v << 11) | (v >>> 21)) >>> 0;
    }
    return t;
  }) as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  return Object.freeze({ name, source, rows: Object.freeze(rows), tables: Object.freeze(tables) as SBox['tables'] });
}

/** id-Gost28147-89-CryptoPro-A-ParamSet, 1.2.643.2.2.31.1 (RFC 4357 §11.2). Used by 2001 containers. */
export const SBOX_CRYPTOPRO_A: SBox = makeSBox('E-A', 'RFC 4357 §11.2 id-Gost28147-89-CryptoPro-A-ParamSet', [
  0x9, 0x6, 0x3, 0x2, 0x8, 0xb, 0x1, 0x7, 0xa, 0x4, 0xe, 0xf, 0xc, 0x0, 0xd, 0x5,
  0x3, 0x7, 0xe, 0x9, 0x8, 0xa, 0xf, 0x0, 0x5, 0x2, 0x6, 0xc, 0xb, 0x4, 0xd, 0x1,
  0xe, 0x4, 0x6, 0x2, 0xb, 0x3, 0xd, 0x8, 0xc, 0xf, 0x5, 0xa, 0x0, 0x7, 0x1, 0x9,
  0xe, 0x7, 0xa, 0xc, 0xd, 0x1, 0x3, 0x9, 0x0, 0x2, 0xb, 0x4, 0xf, 0x8, 0x5, 0x6,
  0xb, 0x5, 0x1, 0x9, 0x8, 0xd, 0xf, 0x0, 0xe, 0x4, 0x2, 0x3, 0xc, 0x7, 0xa, 0x6,
  0x3, 0xa, 0xd, 0xc, 0x1, 0x2, 0x0, 0xb, 0x7, 0x5, 0x9, 0x4, 0x8, 0xf, 0xe, 0x6,
  0x1, 0xd, 0x2, 0x9, 0x7, 0xa, 0x6, 0x0, 0x8, 0xc, 0x4, 0x5, 0xf, 0x3, 0xb, 0xe,
  0xb, 0xa, 0xf, 0x5, 0x0, 0xc, 0xe, 0x8, 0x6, 0x2, 0x3, 0x9, 0x1, 0x7, 0xd, 0x4,
]);

/** id-tc26-gost-28147-param-Z, 1.2.643.7.1.2.5.1.1 (RFC 7836 Appendix A.1). Used by 2012 containers. */
export const SBOX_TC26_Z: SBox = makeSBox('E-Z', 'RFC 7836 A.1 id-tc26-gost-28147-param-Z', [
  0xc, 0x4, 0x6, 0x2, 0xa, 0x5, 0xb, 0x9, 0xe, 0x8, 0xd, 0x7, 0x0, 0x3, 0xf, 0x1,
  0x6, 0x8, 0x2, 0x3, 0x9, 0xa, 0x5, 0xc, 0x1, 0xe, 0x4, 0x7, 0xb, 0xd, 0x0, 0xf,
  0xb, 0x3, 0x5, 0x8, 0x2, 0xf, 0xa, 0xd, 0xe, 0x1, 0x7, 0x4, 0xc, 0x9, 0x6, 0x0,
  0xc, 0x8, 0x2, 0x1, 0xd, 0x4, 0xf, 0x6, 0x7, 0x0, 0xa, 0x5, 0x3, 0xe, 0x9, 0xb,
  0x7, 0xf, 0x5, 0xa, 0x8, 0x1, 0x6, 0xd, 0x0, 0x9, 0x3, 0xe, 0xb, 0x4, 0x2, 0xc,
  0x5, 0xd, 0xf, 0x6, 0x9, 0x2, 0xc, 0xa, 0xb, 0x7, 0x8, 0x1, 0x4, 0x3, 0xe, 0x0,
  0x8, 0xe, 0x2, 0x5, 0x6, 0x9, 0x1, 0xc, 0xf, 0x4, 0xb, 0x0, 0xd, 0xa, 0x3, 0x7,
  0x1, 0x7, 0xe, 0xd, 0x0, 0x5, 0x8, 0x3, 0x4, 0xf, 0xa, 0x6, 0x9, 0xc, 0xb, 0x2,
]);

/** id-GostR3411-94-CryptoProParamSet, 1.2.643.2.2.30.1 (RFC 4357 §11.2): the hash S-box "D-A". */
export const SBOX_CRYPTOPRO_HASH: SBox = makeSBox('D-A', 'RFC 4357 §11.2 id-GostR3411-94-CryptoProParamSet', [
  0xa, 0x4, 0x5, 0x6, 0x8, 0x1, 0x3, 0x7, 0xd, 0xc, 0xe, 0x0, 0x9, 0x2, 0xb, 0xf,
  0x5, 0xf, 0x4, 0x0, 0x2, 0xd, 0xb, 0x9, 0x1, 0x7, 0x6, 0x3, 0xc, 0xe, 0xa, 0x8,
  0x7, 0xf, 0xc, 0xe, 0x9, 0x4, 0x1, 0x0, 0x3, 0xb, 0x5, 0x2, 0x6, 0xa, 0x8, 0xd,
  0x4, 0xa, 0x7, 0xc, 0x0, 0xf, 0x2, 0x8, 0xe, 0x1, 0x6, 0x5, 0xd, 0xb, 0x9, 0x3,
  0x7, 0x6, 0x4, 0xb, 0x9, 0xc, 0x2, 0xa, 0x1, 0x8, 0x0, 0xe, 0xf, 0xd, 0x3, 0x5,
  0x7, 0x6, 0x2, 0x4, 0xd, 0x9, 0xf, 0x0, 0xa, 0x1, 0x5, 0xb, 0x8, 0xe, 0xc, 0x3,
  0xd, 0xe, 0x4, 0x1, 0x7, 0x0, 0x5, 0xa, 0x3, 0xc, 0x8, 0xf, 0x6, 0x2, 0x9, 0xb,
  0x1, 0x3, 0xa, 0x9, 0x5, 0xb, 0x4, 0xf, 0x8, 0x6, 0x7, 0xe, 0xd, 0x0, 0x2, 0xc,
]);

/**
 * id-GostR3411-94-TestParamSet, 1.2.643.2.2.30.0 (RFC 5831 §7.3 / GOST R 34.11-94 Appendix A):
 * only for reproducing the published test examples.
 */
export const SBOX_TEST: SBox = makeSBox('TEST', 'RFC 5831 §7.3 id-GostR3411-94-TestParamSet', [
  0x4, 0xa, 0x9, 0x2, 0xd, 0x8, 0x0, 0xe, 0x6, 0xb, 0x1, 0xc, 0x7, 0xf, 0x5, 0x3,
  0xe, 0xb, 0x4, 0xc, 0x6, 0xd, 0xf, 0xa, 0x2, 0x3, 0x8, 0x1, 0x0, 0x7, 0x5, 0x9,
  0x5, 0x8, 0x1, 0xd, 0xa, 0x3, 0x4, 0x2, 0xe, 0xf, 0xc, 0x7, 0x6, 0x0, 0x9, 0xb,
  0x7, 0xd, 0xa, 0x1, 0x0, 0x8, 0x9, 0xf, 0xe, 0x4, 0x6, 0xc, 0xb, 0x2, 0x5, 0x3,
  0x6, 0xc, 0x7, 0x1, 0x5, 0xf, 0xd, 0x8, 0x4, 0xa, 0x9, 0xe, 0x0, 0x3, 0xb, 0x2,
  0x4, 0xb, 0xa, 0x0, 0x7, 0x2, 0x1, 0xd, 0x3, 0x6, 0x8, 0x5, 0x9, 0xc, 0xf, 0xe,
  0xd, 0xb, 0x4, 0x1, 0x3, 0xf, 0x5, 0x9, 0x0, 0xa, 0xe, 0x7, 0x6, 0x8, 0x2, 0xc,
  0x1, 0xf, 0xd, 0x0, 0x5, 0x7, 0xa, 0x4, 0x9, 0x2, 0x3, 0xe, 0x6, 0xb, 0x8, 0xc,
]);

/** Encryption key schedule: K0..K7 three times, then K7..K0. */
const ENC_ORDER = Uint8Array.from({ length: 32 }, (_, i) => (i < 24 ? i & 7 : 31 - i));
/** Decryption: K0..K7 once, then K7..K0 three times. */
const DEC_ORDER = Uint8Array.from({ length: 32 }, (_, i) => (i < 8 ? i : 7 - (i & 7)));

/** Reads the 32-byte key as eight little-endian words into `out` (allocation-free for hot loops). */
export function loadKey(key: Uint8Array, out: Uint32Array = new Uint32Array(8)): Uint32Array {
  if (key.length !== 32) throw new RangeError('GOST 28147-89 key must be 32 bytes');
  for (let i = 0; i < 8; i++) {
    const o = 4 * i;
    out[i] = (key[o]! | (key[o + 1]! << 8) | (key[o + 2]! << 16) | (key[o + 3]! << 24)) >>> 0;
  }
  return out;
}

/**
 * Four independent 32-round encryptions side by side (the four of a GOST R 34.11-94 step, its hot
 * path): block l = (blocks[2l], blocks[2l+1]) under the key keys[8l..8l+8), output block l as
 * (N2, N1) at out[2l]. One encryption alone is a chain of dependent lookups; four interleave.
 */
export function encrypt4Words(keys: Uint32Array, blocks: Uint32Array, sbox: SBox, out: Uint32Array): void {
  const [t0, t1, t2, t3] = sbox.tables;
  let a0 = blocks[0]!, b0 = blocks[1]!, a1 = blocks[2]!, b1 = blocks[3]!;
  let a2 = blocks[4]!, b2 = blocks[5]!, a3 = blocks[6]!, b3 = blocks[7]!;
  let x0: number, x1: number, x2: number, x3: number;
  for (let r = 0; r < 32; r += 2) {
    const i = ENC_ORDER[r]!, j = ENC_ORDER[r + 1]!;
    x0 = (a0 + keys[i]!) | 0; x1 = (a1 + keys[8 + i]!) | 0; x2 = (a2 + keys[16 + i]!) | 0; x3 = (a3 + keys[24 + i]!) | 0;
    b0 ^= t0[x0 & 255]! ^ t1[(x0 >>> 8) & 255]! ^ t2[(x0 >>> 16) & 255]! ^ t3[x0 >>> 24]!;
    b1 ^= t0[x1 & 255]! ^ t1[(x1 >>> 8) & 255]! ^ t2[(x1 >>> 16) & 255]! ^ t3[x1 >>> 24]!;
    b2 ^= t0[x2 & 255]! ^ t1[(x2 >>> 8) & 255]! ^ t2[(x2 >>> 16) & 255]! ^ t3[x2 >>> 24]!;
    b3 ^= t0[x3 & 255]! ^ t1[(x3 >>> 8) & 255]! ^ t2[(x3 >>> 16) & 255]! ^ t3[x3 >>> 24]!;
    x0 = (b0 + keys[j]!) | 0; x1 = (b1 + keys[8 + j]!) | 0; x2 = (b2 + keys[16 + j]!) | 0; x3 = (b3 + keys[24 + j]!) | 0;
    a0 ^= t0[x0 & 255]! ^ t1[(x0 >>> 8) & 255]! ^ t2[(x0 >>> 16) & 255]! ^ t3[x0 >>> 24]!;
    a1 ^= t0[x1 & 255]! ^ t1[(x1 >>> 8) & 255]! ^ t2[(x1 >>> 16) & 255]! ^ t3[x1 >>> 24]!;
    a2 ^= t0[x2 & 255]! ^ t1[(x2 >>> 8) & 255]! ^ t2[(x2 >>> 16) & 255]! ^ t3[x2 >>> 24]!;
    a3 ^= t0[x3 & 255]! ^ t1[(x3 >>> 8) & 255]! ^ t2[(x3 >>> 16) & 255]! ^ t3[x3 >>> 24]!;
  }
  // Rounds alternate between a and b, so after 32 rounds N1 = a and N2 = b; the final round does not
  // swap (RFC 5830 §6.1), so each block is written as (N2, N1).
  out[0] = b0; out[1] = a0; out[2] = b1; out[3] = a1;
  out[4] = b2; out[5] = a2; out[6] = b3; out[7] = a3;
}

function readLE32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function writeLE32(b: Uint8Array, o: number, v: number): void {
  b[o] = v; b[o + 1] = v >>> 8; b[o + 2] = v >>> 16; b[o + 3] = v >>> 24;
}

/** Generic round loop over a schedule (ECB decrypt, MAC); not as hot as encryptWords. */
function rounds(k: Uint32Array, order: Uint8Array, count: number, sbox: SBox, s: Uint32Array): void {
  const [t0, t1, t2, t3] = sbox.tables;
  let n1 = s[0]!, n2 = s[1]!;
  for (let i = 0; i < count; i++) {
    const x = (n1 + k[order[i]!]!) | 0;
    const t = n2 ^ t0[x & 255]! ^ t1[(x >>> 8) & 255]! ^ t2[(x >>> 16) & 255]! ^ t3[x >>> 24]!;
    n2 = n1;
    n1 = t >>> 0;
  }
  s[0] = n1;
  s[1] = n2;
}

function ecb(key: Uint8Array, data: Uint8Array, sbox: SBox, order: Uint8Array): Uint8Array {
  if (data.length % 8 !== 0) throw new RangeError('GOST 28147-89 ECB: data length must be a multiple of 8');
  const k = loadKey(key);
  const s = new Uint32Array(2);
  const out = new Uint8Array(data.length);
  for (let o = 0; o < data.length; o += 8) {
    s[0] = readLE32(data, o);
    s[1] = readLE32(data, o + 4);
    rounds(k, order, 32, sbox, s);
    // The 32nd round does not swap halves (RFC 5830 §6.1), i.e. undo the loop's last swap.
    writeLE32(out, o, s[1]!);
    writeLE32(out, o + 4, s[0]!);
  }
  k.fill(0);
  s.fill(0);
  return out;
}

/** ECB encryption (RFC 5830 §6). `data.length` must be a multiple of 8. */
export function ecbEncrypt(key: Uint8Array, data: Uint8Array, sbox: SBox): Uint8Array {
  return ecb(key, data, sbox, ENC_ORDER);
}

/** ECB decryption (RFC 5830 §6). `data.length` must be a multiple of 8. */
export function ecbDecrypt(key: Uint8Array, data: Uint8Array, sbox: SBox): Uint8Array {
  return ecb(key, data, sbox, DEC_ORDER);
}

/**
 * 4-byte MAC, "imitovstavka" (RFC 5830 §8): zero IV, each zero-padded 8-byte block XORed into the
 * state, then 16 rounds with K0..K7 twice (no final swap); output the first 4 bytes of the state.
 */
export function mac4(key: Uint8Array, data: Uint8Array, sbox: SBox): Uint8Array {
  const k = loadKey(key);
  const s = new Uint32Array(2);
  const block = new Uint8Array(8);
  for (let o = 0; o < data.length; o += 8) {
    block.fill(0);
    block.set(data.subarray(o, o + 8));
    s[0] = (s[0]! ^ readLE32(block, 0)) >>> 0;
    s[1] = (s[1]! ^ readLE32(block, 4)) >>> 0;
    rounds(k, ENC_ORDER, 16, sbox, s);
  }
  const out = new Uint8Array(4);
  writeLE32(out, 0, s[0]!);
  k.fill(0);
  s.fill(0);
  block.fill(0);
  return out;
}

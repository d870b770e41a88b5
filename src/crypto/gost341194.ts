// GOST R 34.11-94 hash (RFC 5831), one-shot, 32-byte digest. Default S-box: the CryptoPro
// parameter set (RFC 4357 §11.2, "D-A"), which is what 2001 containers use in CPKDF.
// Byte order as in OpenSSL/GostCrypto: byte 0 of message and digest is the least significant
// byte of the RFC's numbers; 28147 keys and blocks are little-endian words.

import { SBOX_CRYPTOPRO_HASH, encrypt4Words, type SBox } from './gost28147.ts';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  // Word views over byte buffers below assume a little-endian host (every Node target we ship on).
  throw new Error('gost341194: big-endian hosts are not supported');
}

/** RFC 5831 §6.1 / GOST: C_3 = 0xff00ffff000000ffff0000ff00ffff0000ff00ff00ff00ffff00ff00ff00ff00, as LE words. */
const C3 = new Uint32Array(8);
{
  const be = 'ff00ffff000000ffff0000ff00ffff0000ff00ff00ff00ffff00ff00ff00ff00';
  for (let i = 0; i < 8; i++) C3[i] = parseInt(be.slice(64 - 8 * (i + 1), 64 - 8 * i), 16) >>> 0;
}

/** Transposition P: byte i + 4k of the key takes byte 8i + k of W (φ in RFC 5831 §6.2, 0-based). */
const P_SRC = new Uint8Array(32);
for (let i = 0; i < 4; i++) for (let k = 0; k < 8; k++) P_SRC[i + 4 * k] = 8 * i + k;

// Scratch buffers (synchronous, non-reentrant): no allocation per block.
const U = new Uint32Array(8);
const V = new Uint32Array(8);
const Wb = new Uint8Array(32);
const W32 = new Uint32Array(Wb.buffer);
const Kb = new Uint8Array(4 * 32); // the step's four keys, back to back
const K32 = new Uint32Array(Kb.buffer);
const S32 = new Uint32Array(8);
const S16 = new Uint16Array(S32.buffer);
const R = new Uint16Array(16 + 64); // ψ^n unrolled into a run of 16-bit words
const SUM = new Uint32Array(8);
const LEN = new Uint32Array(8);
const HB = new Uint8Array(32);
const H32 = new Uint32Array(HB.buffer);
const H16 = new Uint16Array(HB.buffer);
const MB = new Uint8Array(32);
const M32 = new Uint32Array(MB.buffer);
const M16 = new Uint16Array(MB.buffer);

/** Y ← A(Y): (y4‖y3‖y2‖y1) → (y1⊕y2)‖y4‖y3‖y2, 64-bit halves as LE word pairs. */
function transformA(y: Uint32Array): void {
  const a0 = y[0]!, a1 = y[1]!;
  y[0] = y[2]!; y[1] = y[3]!;
  y[2] = y[4]!; y[3] = y[5]!;
  y[4] = y[6]!; y[5] = y[7]!;
  y[6] = (a0 ^ y[0]!) >>> 0; y[7] = (a1 ^ y[1]!) >>> 0;
}

/** Runs ψ n times starting from the 16 words already in R[0..16); result is R[n..n+16). */
function psiRun(n: number): number {
  for (let k = 0; k < n; k++) {
    R[k + 16] = R[k]! ^ R[k + 1]! ^ R[k + 2]! ^ R[k + 3]! ^ R[k + 12]! ^ R[k + 15]!;
  }
  return n;
}

/** Step function f(H, M) of RFC 5831 §6, on the module scratch HB/MB; updates HB in place. */
function step(sbox: SBox): void {
  U.set(H32);
  V.set(M32);
  for (let j = 0; j < 4; j++) {
    if (j > 0) {
      transformA(U);
      if (j === 2) for (let i = 0; i < 8; i++) U[i] = (U[i]! ^ C3[i]!) >>> 0;
      transformA(V);
      transformA(V);
    }
    for (let i = 0; i < 8; i++) W32[i] = U[i]! ^ V[i]!;
    for (let i = 0; i < 32; i++) Kb[32 * j + i] = Wb[P_SRC[i]!]!;
  }
  encrypt4Words(K32, H32, sbox, S32);
  // H ← ψ^61(H ⊕ ψ(M ⊕ ψ^12(S)))
  R.set(S16);
  let o = psiRun(12);
  for (let i = 0; i < 16; i++) R[i] = R[o + i]! ^ M16[i]!;
  o = psiRun(1);
  for (let i = 0; i < 16; i++) R[i] = R[o + i]! ^ H16[i]!;
  o = psiRun(61);
  for (let i = 0; i < 16; i++) H16[i] = R[o + i]!;
}

/** a += b mod 2^256 (LE words). */
function add256(a: Uint32Array, b: Uint32Array): void {
  let carry = 0;
  for (let i = 0; i < 8; i++) {
    const s = a[i]! + b[i]! + carry;
    a[i] = s >>> 0;
    carry = s > 0xffffffff ? 1 : 0;
  }
}

function addLen(bits: number): void {
  // Message lengths here are far below 2^53 bits; carry through the words anyway.
  let carry = bits;
  for (let i = 0; i < 8 && carry !== 0; i++) {
    const s = LEN[i]! + (carry % 0x100000000);
    LEN[i] = s >>> 0;
    carry = Math.floor(carry / 0x100000000) + (s > 0xffffffff ? 1 : 0);
  }
}

/** Digest written to `out` (32 bytes); for hot loops. `data` and `out` may overlap. */
export function gost341194Into(data: Uint8Array, out: Uint8Array, sbox: SBox = SBOX_CRYPTOPRO_HASH): Uint8Array {
  if (out.length !== 32) throw new RangeError('gost341194: output must be 32 bytes');
  H32.fill(0); // IV = 0 in both RFC 5831 parameter sets
  SUM.fill(0);
  LEN.fill(0);
  const full = data.length - (data.length % 32);
  for (let o = 0; o < full; o += 32) {
    MB.set(data.subarray(o, o + 32));
    step(sbox);
    add256(SUM, M32);
  }
  const r = data.length - full;
  if (r > 0) {
    // A partial last block is zero-padded; an empty tail adds no block (RFC 5831 §7.1).
    MB.fill(0);
    MB.set(data.subarray(full));
    step(sbox);
    add256(SUM, M32);
  }
  addLen(data.length * 8);
  M32.set(LEN);
  step(sbox);
  M32.set(SUM);
  step(sbox);
  out.set(HB);
  MB.fill(0);
  return out;
}

/** GOST R 34.11-94 with the CryptoPro S-box (or `sbox`, e.g. SBOX_TEST for RFC 5831 examples). */
export function gost341194(data: Uint8Array, sbox: SBox = SBOX_CRYPTOPRO_HASH): Uint8Array {
  return gost341194Into(data, new Uint8Array(32), sbox);
}

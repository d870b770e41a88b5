// GOST R 34.11-2012 "Streebog" (RFC 6986), one-shot 256- and 512-bit digests.
// Byte order follows the usual implementations (OpenSSL gost-engine, GostCrypto): the message and
// the digest are byte strings whose byte 0 is the least significant byte of the RFC's numbers, so
// the RFC examples appear reversed.
// The state is 8 little-endian 64-bit lanes held as 16 int32 words (lo, hi), never BigInt: the
// whole LPS transform is 8 lookups per lane in tables that fold S, P and L together.

/** RFC 6986 §6.1: the substitution π. */
const PI = new Uint8Array([
  252, 238, 221, 17, 207, 110, 49, 22, 251, 196, 250, 218, 35, 197, 4, 77, 233, 119, 240, 219, 147, 46, 153, 186,
  23, 54, 241, 187, 20, 205, 95, 193, 249, 24, 101, 90, 226, 92, 239, 33, 129, 28, 60, 66, 139, 1, 142, 79, 5, 132,
  2, 174, 227, 106, 143, 160, 6, 11, 237, 152, 127, 212, 211, 31, 235, 52, 44, 81, 234, 200, 72, 171, 242, 42, 104,
  162, 253, 58, 206, 204, 181, 112, 14, 86, 8, 12, 118, 18, 191, 114, 19, 71, 156, 183, 93, 135, 21, 161, 150, 41,
  16, 123, 154, 199, 243, 145, 120, 111, 157, 158, 178, 177, 50, 117, 25, 61, 255, 53, 138, 126, 109, 84, 198, 128,
  195, 189, 13, 87, 223, 245, 36, 169, 62, 168, 67, 201, 215, 121, 214, 246, 124, 34, 185, 3, 224, 15, 236, 222,
  122, 148, 176, 188, 220, 232, 40, 80, 78, 51, 10, 74, 167, 151, 96, 115, 30, 0, 98, 68, 26, 184, 56, 130, 100,
  159, 38, 65, 173, 69, 70, 146, 39, 94, 85, 47, 140, 163, 165, 125, 105, 213, 149, 59, 7, 88, 179, 64, 134, 172,
  29, 247, 48, 55, 107, 228, 136, 217, 231, 137, 225, 27, 131, 73, 76, 63, 248, 254, 141, 83, 170, 144, 202, 216,
  133, 97, 32, 113, 103, 164, 45, 43, 9, 91, 203, 155, 37, 208, 190, 229, 108, 82, 89, 166, 116, 210, 230, 244, 180,
  192, 209, 102, 175, 194, 57, 75, 99, 182,
]);

/** RFC 6986 §6.4: rows A_0..A_63 of the linear map l; A_0 is selected by the lane's most significant bit. */
const A = [
  '8e20faa72ba0b470', '47107ddd9b505a38', 'ad08b0e0c3282d1c', 'd8045870ef14980e', '6c022c38f90a4c07', '3601161cf205268d',
  '1b8e0b0e798c13c8', '83478b07b2468764', 'a011d380818e8f40', '5086e740ce47c920', '2843fd2067adea10', '14aff010bdd87508',
  '0ad97808d06cb404', '05e23c0468365a02', '8c711e02341b2d01', '46b60f011a83988e', '90dab52a387ae76f', '486dd4151c3dfdb9',
  '24b86a840e90f0d2', '125c354207487869', '092e94218d243cba', '8a174a9ec8121e5d', '4585254f64090fa0', 'accc9ca9328a8950',
  '9d4df05d5f661451', 'c0a878a0a1330aa6', '60543c50de970553', '302a1e286fc58ca7', '18150f14b9ec46dd', '0c84890ad27623e0',
  '0642ca05693b9f70', '0321658cba93c138', '86275df09ce8aaa8', '439da0784e745554', 'afc0503c273aa42a', 'd960281e9d1d5215',
  'e230140fc0802984', '71180a8960409a42', 'b60c05ca30204d21', '5b068c651810a89e', '456c34887a3805b9', 'ac361a443d1c8cd2',
  '561b0d22900e4669', '2b838811480723ba', '9bcf4486248d9f5d', 'c3e9224312c8c1a0', 'effa11af0964ee50', 'f97d86d98a327728',
  'e4fa2054a80b329c', '727d102a548b194e', '39b008152acb8227', '9258048415eb419d', '492c024284fbaec0', 'aa16012142f35760',
  '550b8e9e21f7a530', 'a48b474f9ef5dc18', '70a6a56e2440598e', '3853dc371220a247', '1ca76e95091051ad', '0edd37c48a08a6d8',
  '07e095624504536c', '8d70c431ac02a736', 'c83862965601dd1b', '641c314b2b8ee083',
];

/** RFC 6986 §6.6: iteration constants C_1..C_12, printed most significant word first as in the RFC. */
const C_HEX = [
  'b1085bda1ecadae9ebcb2f81c0657c1f2f6a76432e45d016714eb88d7585c4fc4b7ce09192676901a2422a08a460d31505767436cc744d23dd806559f2a64507',
  '6fa3b58aa99d2f1a4fe39d460f70b5d7f3feea720a232b9861d55e0f16b501319ab5176b12d699585cb561c2db0aa7ca55dda21bd7cbcd56e679047021b19bb7',
  'f574dcac2bce2fc70a39fc286a3d843506f15e5f529c1f8bf2ea7514b1297b7bd3e20fe490359eb1c1c93a376062db09c2b6f443867adb31991e96f50aba0ab2',
  'ef1fdfb3e81566d2f948e1a05d71e4dd488e857e335c3c7d9d721cad685e353fa9d72c82ed03d675d8b71333935203be3453eaa193e837f1220cbebc84e3d12e',
  '4bea6bacad4747999a3f410c6ca923637f151c1f1686104a359e35d7800fffbdbfcd1747253af5a3dfff00b723271a167a56a27ea9ea63f5601758fd7c6cfe57',
  'ae4faeae1d3ad3d96fa4c33b7a3039c02d66c4f95142a46c187f9ab49af08ec6cffaa6b71c9ab7b40af21f66c2bec6b6bf71c57236904f35fa68407a46647d6e',
  'f4c70e16eeaac5ec51ac86febf240954399ec6c7e6bf87c9d3473e33197a93c90992abc52d822c3706476983284a05043517454ca23c4af38886564d3a14d493',
  '9b1f5b424d93c9a703e7aa020c6e41414eb7f8719c36de1e89b4443b4ddbc49af4892bcb929b069069d18d2bd1a5c42f36acc2355951a8d9a47f0dd4bf02e71e',
  '378f5a541631229b944c9ad8ec165fde3a7d3a1b258942243cd955b7e00d0984800a440bdbb2ceb17b2b8a9aa6079c540e38dc92cb1f2a607261445183235adb',
  'abbedea680056f52382ae548b2e4f3f38941e71cff8a78db1fffe18a1b3361039fe76702af69334b7a1e6c303b7652f43698fad1153bb6c374b4c7fb98459ced',
  '7bcd9ed0efc889fb3002c6cd635afe94d8fa6bbbebab076120018021148466798a1d71efea48b9caefbacd1d7d476e98dea2594ac06fd85d6bcaa4cd81f32d1b',
  '378ee767f11631bad21380b00449b17acda43c32bcdf1d77f82012d430219f9b5d80ef9d1891cc86e71da4aa88e12852faf417d5d9b21b9948bc924af11bd720',
];

/** C_i as 16 words each, little-endian lanes (word 0 = lowest 32 bits of the 512-bit number). */
const C = C_HEX.map((h) => {
  const w = new Int32Array(16);
  for (let i = 0; i < 16; i++) w[i] = parseInt(h.slice(128 - 8 * (i + 1), 128 - 8 * i), 16) | 0;
  return w;
});

/**
 * LPS_LO/HI[t*256 + x] = l(π(x) placed in byte t of a lane), split into 32-bit halves.
 * P is a byte transpose, so output lane j takes byte j of every input lane t through table t.
 */
const LPS_LO = new Int32Array(8 * 256);
const LPS_HI = new Int32Array(8 * 256);
{
  const aLo = A.map((s) => parseInt(s.slice(8), 16) | 0);
  const aHi = A.map((s) => parseInt(s.slice(0, 8), 16) | 0);
  for (let t = 0; t < 8; t++) {
    for (let x = 0; x < 256; x++) {
      const v = PI[x]!;
      let lo = 0, hi = 0;
      for (let m = 0; m < 8; m++) {
        if ((v >>> m) & 1) {
          const row = 63 - (8 * t + m);
          lo ^= aLo[row]!;
          hi ^= aHi[row]!;
        }
      }
      LPS_LO[t * 256 + x] = lo;
      LPS_HI[t * 256 + x] = hi;
    }
  }
}

// Scratch state shared by all calls: the functions are synchronous and not re-entrant, so one set
// suffices and the KDF loop allocates nothing.
const K = new Int32Array(16);
const S = new Int32Array(16);
const M = new Int32Array(16);
const H = new Int32Array(16);
const N = new Int32Array(16);
const SIGMA = new Int32Array(16);
const ZERO = new Int32Array(16);
const LAST = new Uint8Array(64);

/**
 * out = LPS(a ⊕ b); out may alias a or b. Fully unrolled with the 16 input words in locals:
 * this is the innermost loop of CPKDF (25 calls per compression).
 */
function lpsx(a: Int32Array, b: Int32Array, out: Int32Array): void {
  const L = LPS_LO, Hh = LPS_HI;
  const x0 = a[0]! ^ b[0]!;
  const x1 = a[1]! ^ b[1]!;
  const x2 = a[2]! ^ b[2]!;
  const x3 = a[3]! ^ b[3]!;
  const x4 = a[4]! ^ b[4]!;
  const x5 = a[5]! ^ b[5]!;
  const x6 = a[6]! ^ b[6]!;
  const x7 = a[7]! ^ b[7]!;
  const x8 = a[8]! ^ b[8]!;
  const x9 = a[9]! ^ b[9]!;
  const x10 = a[10]! ^ b[10]!;
  const x11 = a[11]! ^ b[11]!;
  const x12 = a[12]! ^ b[12]!;
  const x13 = a[13]! ^ b[13]!;
  const x14 = a[14]! ^ b[14]!;
  const x15 = a[15]! ^ b[15]!;
  {  // lane 0: byte 0 of every input lane
    const i0 = (x0 & 255), i1 = 256 | (x2 & 255), i2 = 512 | (x4 & 255), i3 = 768 | (x6 & 255), i4 = 1024 | (x8 & 255), i5 = 1280 | (x10 & 255), i6 = 1536 | (x12 & 255), i7 = 1792 | (x14 & 255);
    out[0] = L[i0]! ^ L[i1]! ^ L[i2]! ^ L[i3]! ^ L[i4]! ^ L[i5]! ^ L[i6]! ^ L[i7]!;
    out[1] = Hh[i0]! ^ Hh[i1]! ^ Hh[i2]! ^ Hh[i3]! ^ Hh[i4]! ^ Hh[i5]! ^ Hh[i6]! ^ Hh[i7]!;
  }
  {  // lane 1: byte 1 of every input lane
    const i0 = ((x0 >>> 8) & 255), i1 = 256 | ((x2 >>> 8) & 255), i2 = 512 | ((x4 >>> 8) & 255), i3 = 768 | ((x6 >>> 8) & 255), i4 = 1024 | ((x8 >>> 8) & 255), i5 = 1280 | ((x10 >>> 8) & 255), i6 = 1536 | ((x12 >>> 8) & 255), i7 = 1792 | ((x14 >>> 8) & 255);
    out[2] = L[i0]! ^ L[i1]! ^ L[i2]! ^ L[i3]! ^ L[i4]! ^ L[i5]! ^ L[i6]! ^ L[i7]!;
    out[3] = Hh[i0]! ^ Hh[i1]! ^ Hh[i2]! ^ Hh[i3]! ^ Hh[i4]! ^ Hh[i5]! ^ Hh[i6]! ^ Hh[i7]!;
  }
  {  // lane 2: byte 2 of every input lane
    const i0 = ((x0 >>> 16) & 255), i1 = 256 | ((x2 >>> 16) & 255), i2 = 512 | ((x4 >>> 16) & 255), i3 = 768 | ((x6 >>> 16) & 255), i4 = 1024 | ((x8 >>> 16) & 255), i5 = 1280 | ((x10 >>> 16) & 255), i6 = 1536 | ((x12 >>> 16) & 255), i7 = 1792 | ((x14 >>> 16) & 255);
    out[4] = L[i0]! ^ L[i1]! ^ L[i2]! ^ L[i3]! ^ L[i4]! ^ L[i5]! ^ L[i6]! ^ L[i7]!;
    out[5] = Hh[i0]! ^ Hh[i1]! ^ Hh[i2]! ^ Hh[i3]! ^ Hh[i4]! ^ Hh[i5]! ^ Hh[i6]! ^ Hh[i7]!;
  }
  {  // lane 3: byte 3 of every input lane
    const i0 = ((x0 >>> 24) & 255), i1 = 256 | ((x2 >>> 24) & 255), i2 = 512 | ((x4 >>> 24) & 255), i3 = 768 | ((x6 >>> 24) & 255), i4 = 1024 | ((x8 >>> 24) & 255), i5 = 1280 | ((x10 >>> 24) & 255), i6 = 1536 | ((x12 >>> 24) & 255), i7 = 1792 | ((x14 >>> 24) & 255);
    out[6] = L[i0]! ^ L[i1]! ^ L[i2]! ^ L[i3]! ^ L[i4]! ^ L[i5]! ^ L[i6]! ^ L[i7]!;
    out[7] = Hh[i0]! ^ Hh[i1]! ^ Hh[i2]! ^ Hh[i3]! ^ Hh[i4]! ^ Hh[i5]! ^ Hh[i6]! ^ Hh[i7]!;
  }
  {  // lane 4: byte 4 of every input lane
    const i0 = (x1 & 255), i1 = 256 | (x3 & 255), i2 = 512 | (x5 & 255), i3 = 768 | (x7 & 255), i4 = 1024 | (x9 & 255), i5 = 1280 | (x11 & 255), i6 = 1536 | (x13 & 255), i7 = 1792 | (x15 & 255);
    out[8] = L[i0]! ^ L[i1]! ^ L[i2]! ^ L[i3]! ^ L[i4]! ^ L[i5]! ^ L[i6]! ^ L[i7]!;
    out[9] = Hh[i0]! ^ Hh[i1]! ^ Hh[i2]! ^ Hh[i3]! ^ Hh[i4]! ^ Hh[i5]! ^ Hh[i6]! ^ Hh[i7]!;
  }
  {  // lane 5: byte 5 of every input lane
    const i0 = ((x1 >>> 8) & 255), i1 = 256 | ((x3 >>> 8) & 255), i2 = 512 | ((x5 >>> 8) & 255), i3 = 768 | ((x7 >>> 8) & 255), i4 = 1024 | ((x9 >>> 8) & 255), i5 = 1280 | ((x11 >>> 8) & 255), i6 = 1536 | ((x13 >>> 8) & 255), i7 = 1792 | ((x15 >>> 8) & 255);
    out[10] = L[i0]! ^ L[i1]! ^ L[i2]! ^ L[i3]! ^ L[i4]! ^ L[i5]! ^ L[i6]! ^ L[i7]!;
    out[11] = Hh[i0]! ^ Hh[i1]! ^ Hh[i2]! ^ Hh[i3]! ^ Hh[i4]! ^ Hh[i5]! ^ Hh[i6]! ^ Hh[i7]!;
  }
  {  // lane 6: byte 6 of every input lane
    const i0 = ((x1 >>> 16) & 255), i1 = 256 | ((x3 >>> 16) & 255), i2 = 512 | ((x5 >>> 16) & 255), i3 = 768 | ((x7 >>> 16) & 255), i4 = 1024 | ((x9 >>> 16) & 255), i5 = 1280 | ((x11 >>> 16) & 255), i6 = 1536 | ((x13 >>> 16) & 255), i7 = 1792 | ((x15 >>> 16) & 255);
    out[12] = L[i0]! ^ L[i1]! ^ L[i2]! ^ L[i3]! ^ L[i4]! ^ L[i5]! ^ L[i6]! ^ L[i7]!;
    out[13] = Hh[i0]! ^ Hh[i1]! ^ Hh[i2]! ^ Hh[i3]! ^ Hh[i4]! ^ Hh[i5]! ^ Hh[i6]! ^ Hh[i7]!;
  }
  {  // lane 7: byte 7 of every input lane
    const i0 = ((x1 >>> 24) & 255), i1 = 256 | ((x3 >>> 24) & 255), i2 = 512 | ((x5 >>> 24) & 255), i3 = 768 | ((x7 >>> 24) & 255), i4 = 1024 | ((x9 >>> 24) & 255), i5 = 1280 | ((x11 >>> 24) & 255), i6 = 1536 | ((x13 >>> 24) & 255), i7 = 1792 | ((x15 >>> 24) & 255);
    out[14] = L[i0]! ^ L[i1]! ^ L[i2]! ^ L[i3]! ^ L[i4]! ^ L[i5]! ^ L[i6]! ^ L[i7]!;
    out[15] = Hh[i0]! ^ Hh[i1]! ^ Hh[i2]! ^ Hh[i3]! ^ Hh[i4]! ^ Hh[i5]! ^ Hh[i6]! ^ Hh[i7]!;
  }
}

/** Compression g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m, in place on h (RFC 6986 §7). */
function g(h: Int32Array, n: Int32Array, m: Int32Array): void {
  lpsx(h, n, K);
  lpsx(K, m, S);
  for (let i = 0; i < 11; i++) {
    lpsx(K, C[i]!, K);
    lpsx(S, K, S);
  }
  lpsx(K, C[11]!, K);
  for (let i = 0; i < 16; i++) h[i] = h[i]! ^ S[i]! ^ K[i]! ^ m[i]!;
}

/** a += b mod 2^512 (little-endian words). */
function add512(a: Int32Array, b: Int32Array): void {
  let carry = 0;
  for (let i = 0; i < 16; i++) {
    const s = (a[i]! >>> 0) + (b[i]! >>> 0) + carry;
    a[i] = s | 0;
    carry = s > 0xffffffff ? 1 : 0;
  }
}

/** a += small (< 2^32) mod 2^512. */
function addSmall(a: Int32Array, v: number): void {
  let carry = v;
  for (let i = 0; i < 16 && carry !== 0; i++) {
    const s = (a[i]! >>> 0) + carry;
    a[i] = s | 0;
    carry = s > 0xffffffff ? 1 : 0;
  }
}

function load(m: Int32Array, b: Uint8Array, o: number): void {
  for (let i = 0; i < 16; i++) {
    const p = o + 4 * i;
    m[i] = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }
}

/**
 * Digest of `data` written to `out` (32 or 64 bytes). Exported for hot loops (CPKDF) that reuse
 * their output buffer; `data` and `out` may overlap.
 */
export function streebogInto(data: Uint8Array, out: Uint8Array): Uint8Array {
  const size = out.length;
  if (size !== 32 && size !== 64) throw new RangeError('streebog: output must be 32 or 64 bytes');
  H.fill(size === 32 ? 0x01010101 : 0);
  N.fill(0);
  SIGMA.fill(0);
  const full = data.length - (data.length % 64);
  for (let o = 0; o < full; o += 64) {
    load(M, data, o);
    g(H, N, M);
    addSmall(N, 512);
    add512(SIGMA, M);
  }
  // Final block: remaining bytes, then a single 0x01 byte, zero-padded (RFC 6986 §8.3).
  const r = data.length - full;
  LAST.fill(0);
  LAST.set(data.subarray(full));
  LAST[r] = 1;
  load(M, LAST, 0);
  g(H, N, M);
  addSmall(N, r * 8);
  add512(SIGMA, M);
  g(H, ZERO, N);
  g(H, ZERO, SIGMA);
  // The 256-bit digest is the most significant half of h, i.e. words 8..15.
  const from = size === 32 ? 8 : 0;
  for (let i = 0; i < size / 4; i++) {
    const w = H[from + i]!;
    out[4 * i] = w;
    out[4 * i + 1] = w >>> 8;
    out[4 * i + 2] = w >>> 16;
    out[4 * i + 3] = w >>> 24;
  }
  LAST.fill(0);
  M.fill(0);
  return out;
}

/** Streebog-256 (GOST R 34.11-2012, 256-bit digest). */
export function streebog256(data: Uint8Array): Uint8Array {
  return streebogInto(data, new Uint8Array(32));
}

/** Streebog-512 (GOST R 34.11-2012, 512-bit digest). */
export function streebog512(data: Uint8Array): Uint8Array {
  return streebogInto(data, new Uint8Array(64));
}

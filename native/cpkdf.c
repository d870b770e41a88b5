/* CryptoPro password KDF (cryptopro-format.md §3.2) over GOST R 34.11-94 (CryptoPro "D-A" hash
 * parameters) and Streebog-256, in C for `keycarve password`: the same algorithm as
 * src/crypto/cpkdf.ts, which stays the fallback and the test oracle. Byte order as there: byte 0
 * of every message and digest is the least significant byte of the RFC numbers, 64-bit Streebog
 * lanes and 32-bit GOST words are little-endian (so this file assumes a little-endian host).
 * Tables are built once per process (pthread_once) and only read afterwards, so worker threads
 * share them. */
#include "cpkdf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "cpkdf.c assumes a little-endian host"
#endif

/* ---------------------------------------------------------------- Streebog (RFC 6986) */

static const uint8_t PI[256] = {
    252, 238, 221, 17,  207, 110, 49,  22,  251, 196, 250, 218, 35,  197, 4,   77,  233, 119, 240, 219, 147, 46,
    153, 186, 23,  54,  241, 187, 20,  205, 95,  193, 249, 24,  101, 90,  226, 92,  239, 33,  129, 28,  60,  66,
    139, 1,   142, 79,  5,   132, 2,   174, 227, 106, 143, 160, 6,   11,  237, 152, 127, 212, 211, 31,  235, 52,
    44,  81,  234, 200, 72,  171, 242, 42,  104, 162, 253, 58,  206, 204, 181, 112, 14,  86,  8,   12,  118, 18,
    191, 114, 19,  71,  156, 183, 93,  135, 21,  161, 150, 41,  16,  123, 154, 199, 243, 145, 120, 111, 157, 158,
    178, 177, 50,  117, 25,  61,  255, 53,  138, 126, 109, 84,  198, 128, 195, 189, 13,  87,  223, 245, 36,  169,
    62,  168, 67,  201, 215, 121, 214, 246, 124, 34,  185, 3,   224, 15,  236, 222, 122, 148, 176, 188, 220, 232,
    40,  80,  78,  51,  10,  74,  167, 151, 96,  115, 30,  0,   98,  68,  26,  184, 56,  130, 100, 159, 38,  65,
    173, 69,  70,  146, 39,  94,  85,  47,  140, 163, 165, 125, 105, 213, 149, 59,  7,   88,  179, 64,  134, 172,
    29,  247, 48,  55,  107, 228, 136, 217, 231, 137, 225, 27,  131, 73,  76,  63,  248, 254, 141, 83,  170, 144,
    202, 216, 133, 97,  32,  113, 103, 164, 45,  43,  9,   91,  203, 155, 37,  208, 190, 229, 108, 82,  89,  166,
    116, 210, 230, 244, 180, 192, 209, 102, 175, 194, 57,  75,  99,  182,
};

/* RFC 6986 §6.4: rows A_0..A_63 of the linear map l. */
static const uint64_t A[64] = {
    0x8e20faa72ba0b470, 0x47107ddd9b505a38, 0xad08b0e0c3282d1c, 0xd8045870ef14980e, 0x6c022c38f90a4c07,
    0x3601161cf205268d, 0x1b8e0b0e798c13c8, 0x83478b07b2468764, 0xa011d380818e8f40, 0x5086e740ce47c920,
    0x2843fd2067adea10, 0x14aff010bdd87508, 0x0ad97808d06cb404, 0x05e23c0468365a02, 0x8c711e02341b2d01,
    0x46b60f011a83988e, 0x90dab52a387ae76f, 0x486dd4151c3dfdb9, 0x24b86a840e90f0d2, 0x125c354207487869,
    0x092e94218d243cba, 0x8a174a9ec8121e5d, 0x4585254f64090fa0, 0xaccc9ca9328a8950, 0x9d4df05d5f661451,
    0xc0a878a0a1330aa6, 0x60543c50de970553, 0x302a1e286fc58ca7, 0x18150f14b9ec46dd, 0x0c84890ad27623e0,
    0x0642ca05693b9f70, 0x0321658cba93c138, 0x86275df09ce8aaa8, 0x439da0784e745554, 0xafc0503c273aa42a,
    0xd960281e9d1d5215, 0xe230140fc0802984, 0x71180a8960409a42, 0xb60c05ca30204d21, 0x5b068c651810a89e,
    0x456c34887a3805b9, 0xac361a443d1c8cd2, 0x561b0d22900e4669, 0x2b838811480723ba, 0x9bcf4486248d9f5d,
    0xc3e9224312c8c1a0, 0xeffa11af0964ee50, 0xf97d86d98a327728, 0xe4fa2054a80b329c, 0x727d102a548b194e,
    0x39b008152acb8227, 0x9258048415eb419d, 0x492c024284fbaec0, 0xaa16012142f35760, 0x550b8e9e21f7a530,
    0xa48b474f9ef5dc18, 0x70a6a56e2440598e, 0x3853dc371220a247, 0x1ca76e95091051ad, 0x0edd37c48a08a6d8,
    0x07e095624504536c, 0x8d70c431ac02a736, 0xc83862965601dd1b, 0x641c314b2b8ee083,
};

/* RFC 6986 §6.6: C_1..C_12, most significant lane first as printed in the RFC. */
static const char *const C_HEX[12] = {
    "b1085bda1ecadae9ebcb2f81c0657c1f2f6a76432e45d016714eb88d7585c4fc4b7ce09192676901a2422a08a460d31505767436cc744d23dd806559f2a64507",
    "6fa3b58aa99d2f1a4fe39d460f70b5d7f3feea720a232b9861d55e0f16b501319ab5176b12d699585cb561c2db0aa7ca55dda21bd7cbcd56e679047021b19bb7",
    "f574dcac2bce2fc70a39fc286a3d843506f15e5f529c1f8bf2ea7514b1297b7bd3e20fe490359eb1c1c93a376062db09c2b6f443867adb31991e96f50aba0ab2",
    "ef1fdfb3e81566d2f948e1a05d71e4dd488e857e335c3c7d9d721cad685e353fa9d72c82ed03d675d8b71333935203be3453eaa193e837f1220cbebc84e3d12e",
    "4bea6bacad4747999a3f410c6ca923637f151c1f1686104a359e35d7800fffbdbfcd1747253af5a3dfff00b723271a167a56a27ea9ea63f5601758fd7c6cfe57",
    "ae4faeae1d3ad3d96fa4c33b7a3039c02d66c4f95142a46c187f9ab49af08ec6cffaa6b71c9ab7b40af21f66c2bec6b6bf71c57236904f35fa68407a46647d6e",
    "f4c70e16eeaac5ec51ac86febf240954399ec6c7e6bf87c9d3473e33197a93c90992abc52d822c3706476983284a05043517454ca23c4af38886564d3a14d493",
    "9b1f5b424d93c9a703e7aa020c6e41414eb7f8719c36de1e89b4443b4ddbc49af4892bcb929b069069d18d2bd1a5c42f36acc2355951a8d9a47f0dd4bf02e71e",
    "378f5a541631229b944c9ad8ec165fde3a7d3a1b258942243cd955b7e00d0984800a440bdbb2ceb17b2b8a9aa6079c540e38dc92cb1f2a607261445183235adb",
    "abbedea680056f52382ae548b2e4f3f38941e71cff8a78db1fffe18a1b3361039fe76702af69334b7a1e6c303b7652f43698fad1153bb6c374b4c7fb98459ced",
    "7bcd9ed0efc889fb3002c6cd635afe94d8fa6bbbebab076120018021148466798a1d71efea48b9caefbacd1d7d476e98dea2594ac06fd85d6bcaa4cd81f32d1b",
    "378ee767f11631bad21380b00449b17acda43c32bcdf1d77f82012d430219f9b5d80ef9d1891cc86e71da4aa88e12852faf417d5d9b21b9948bc924af11bd720",
};

/* LPS[t][x] = l(π(x) placed in byte t of a lane): P is a byte transpose, so output lane j takes
 * byte j of every input lane t through table t, and LPS is 64 lookups. */
static uint64_t LPS[8][256];
static uint64_t CI[12][8];

typedef struct {
  uint64_t w[8];
} u512;

static inline void lpsx(const u512 *a, const u512 *b, u512 *out) {
  uint64_t x[8];
  for (int t = 0; t < 8; t++) x[t] = a->w[t] ^ b->w[t];
  for (int j = 0; j < 8; j++) {
    const int s = 8 * j;
    out->w[j] = LPS[0][(x[0] >> s) & 255] ^ LPS[1][(x[1] >> s) & 255] ^ LPS[2][(x[2] >> s) & 255] ^
                LPS[3][(x[3] >> s) & 255] ^ LPS[4][(x[4] >> s) & 255] ^ LPS[5][(x[5] >> s) & 255] ^
                LPS[6][(x[6] >> s) & 255] ^ LPS[7][(x[7] >> s) & 255];
  }
}

/* E(K, m) ⊕ h ⊕ m, in place on h, given the 13 round keys K_1..K_13 (RFC 6986 §7). */
static void e_keys(u512 *h, const u512 keys[13], const u512 *m) {
  u512 s;
  lpsx(&keys[0], m, &s);
  for (int i = 1; i < 12; i++) lpsx(&s, &keys[i], &s);
  for (int i = 0; i < 8; i++) h->w[i] ^= s.w[i] ^ keys[12].w[i] ^ m->w[i];
}

/* K_1 = LPS(h ⊕ N), K_{i+1} = LPS(K_i ⊕ C_i). */
static void key_schedule(const u512 *h, const u512 *n, u512 keys[13]) {
  lpsx(h, n, &keys[0]);
  for (int i = 0; i < 12; i++) lpsx(&keys[i], (const u512 *)CI[i], &keys[i + 1]);
}

/* g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m, in place on h (RFC 6986 §7). */
static void g(u512 *h, const u512 *n, const u512 *m) {
  u512 keys[13];
  key_schedule(h, n, keys);
  e_keys(h, keys, m);
}

/* The first block always meets h = IV(256) and N = 0: its round keys are a constant, which saves
 * 13 of the 150 LPS of a CPKDF round. */
static u512 IV256_KEYS[13];

static void add512(u512 *a, const u512 *b) {
  unsigned carry = 0;
  for (int i = 0; i < 8; i++) {
    const uint64_t s = a->w[i] + b->w[i];
    const unsigned c1 = s < a->w[i];
    const uint64_t t = s + carry;
    carry = c1 | (t < s);
    a->w[i] = t;
  }
}

static void add_small(u512 *a, uint64_t v) {
  for (int i = 0; i < 8 && v != 0; i++) {
    const uint64_t s = a->w[i] + v;
    v = s < a->w[i];
    a->w[i] = s;
  }
}

/* Streebog-256 digest of data (any length) into out[32]. */
static void streebog256(const uint8_t *data, size_t len, uint8_t out[32]) {
  static const u512 zero;
  u512 h, n = {{0}}, sigma = {{0}}, m;
  memset(h.w, 0x01, sizeof h.w);
  const size_t full = len - len % 64;
  for (size_t o = 0; o < full; o += 64) {
    memcpy(m.w, data + o, 64);
    if (o == 0) e_keys(&h, IV256_KEYS, &m);
    else g(&h, &n, &m);
    add_small(&n, 512);
    add512(&sigma, &m);
  }
  const size_t r = len - full;
  uint8_t last[64] = {0};
  memcpy(last, data + full, r);
  last[r] = 1;
  memcpy(m.w, last, 64);
  if (full == 0) e_keys(&h, IV256_KEYS, &m);
  else g(&h, &n, &m);
  add_small(&n, (uint64_t)r * 8);
  add512(&sigma, &m);
  g(&h, &zero, &n);
  g(&h, &zero, &sigma);
  memcpy(out, &h.w[4], 32); /* the 256-bit digest is the most significant half */
}

/* ---------------------------------------------------------------- GOST R 34.11-94 (RFC 5831) */

/* id-GostR3411-94-CryptoProParamSet, 1.2.643.2.2.30.1 (RFC 4357 §11.2): the hash S-box "D-A". */
static const uint8_t SBOX_D_A[8][16] = {
    {0xa, 0x4, 0x5, 0x6, 0x8, 0x1, 0x3, 0x7, 0xd, 0xc, 0xe, 0x0, 0x9, 0x2, 0xb, 0xf},
    {0x5, 0xf, 0x4, 0x0, 0x2, 0xd, 0xb, 0x9, 0x1, 0x7, 0x6, 0x3, 0xc, 0xe, 0xa, 0x8},
    {0x7, 0xf, 0xc, 0xe, 0x9, 0x4, 0x1, 0x0, 0x3, 0xb, 0x5, 0x2, 0x6, 0xa, 0x8, 0xd},
    {0x4, 0xa, 0x7, 0xc, 0x0, 0xf, 0x2, 0x8, 0xe, 0x1, 0x6, 0x5, 0xd, 0xb, 0x9, 0x3},
    {0x7, 0x6, 0x4, 0xb, 0x9, 0xc, 0x2, 0xa, 0x1, 0x8, 0x0, 0xe, 0xf, 0xd, 0x3, 0x5},
    {0x7, 0x6, 0x2, 0x4, 0xd, 0x9, 0xf, 0x0, 0xa, 0x1, 0x5, 0xb, 0x8, 0xe, 0xc, 0x3},
    {0xd, 0xe, 0x4, 0x1, 0x7, 0x0, 0x5, 0xa, 0x3, 0xc, 0x8, 0xf, 0x6, 0x2, 0x9, 0xb},
    {0x1, 0x3, 0xa, 0x9, 0x5, 0xb, 0x4, 0xf, 0x8, 0x6, 0x7, 0xe, 0xd, 0x0, 0x2, 0xc},
};

/* F[j][b]: rows 2j, 2j+1 applied to byte j of the round input, shifted into place and rotated
 * left by 11, so the round function is four lookups. */
static uint32_t F[4][256];

/* C_3 of RFC 5831 as little-endian words. */
static const uint32_t C3[8] = {0xff00ff00, 0xff00ff00, 0x00ff00ff, 0x00ff00ff,
                               0x00ffff00, 0xff0000ff, 0x000000ff, 0xff00ffff};

#define F32(x) (F[0][(x) & 255] ^ F[1][((x) >> 8) & 255] ^ F[2][((x) >> 16) & 255] ^ F[3][(x) >> 24])

/* One GOST 28147-89 round in each of the four lanes: b ^= f(a + k). */
#define ROUND4(a, b, i)                                           \
  do {                                                            \
    for (int l_ = 0; l_ < 4; l_++) (b)[l_] ^= F32((a)[l_] + k[l_][i]); \
  } while (0)

/* The four GOST 28147-89 encryptions of a step, of block (h[2l], h[2l+1]) under k[l], side by
 * side: they are independent, and one alone is a chain of dependent table lookups. Output block l
 * is (N2, N1) as RFC 5830 §6.1, at s[2l]. */
static void encrypt4(const uint32_t k[4][8], const uint32_t h[8], uint32_t s[8]) {
  uint32_t a[4], b[4];
  for (int l = 0; l < 4; l++) {
    a[l] = h[2 * l];
    b[l] = h[2 * l + 1];
  }
  for (int r = 0; r < 3; r++) {
    ROUND4(a, b, 0); ROUND4(b, a, 1); ROUND4(a, b, 2); ROUND4(b, a, 3);
    ROUND4(a, b, 4); ROUND4(b, a, 5); ROUND4(a, b, 6); ROUND4(b, a, 7);
  }
  ROUND4(a, b, 7); ROUND4(b, a, 6); ROUND4(a, b, 5); ROUND4(b, a, 4);
  ROUND4(a, b, 3); ROUND4(b, a, 2); ROUND4(a, b, 1); ROUND4(b, a, 0);
  for (int l = 0; l < 4; l++) {
    s[2 * l] = b[l];
    s[2 * l + 1] = a[l];
  }
}

/* Y ← A(Y): (y4‖y3‖y2‖y1) → (y1⊕y2)‖y4‖y3‖y2, 64-bit halves as word pairs. */
static inline void transform_a(uint32_t y[8]) {
  const uint32_t a0 = y[0], a1 = y[1];
  y[0] = y[2]; y[1] = y[3];
  y[2] = y[4]; y[3] = y[5];
  y[4] = y[6]; y[5] = y[7];
  y[6] = a0 ^ y[0]; y[7] = a1 ^ y[1];
}

/* Key transposition P: byte i + 4k of the key takes byte 8i + k of W (RFC 5831 §6.2). */
static inline void transpose(const uint32_t w[8], uint32_t key[8]) {
  const uint8_t *wb = (const uint8_t *)w;
  uint8_t *kb = (uint8_t *)key;
  for (int i = 0; i < 4; i++)
    for (int k = 0; k < 8; k++) kb[i + 4 * k] = wb[8 * i + k];
}

/* ψ^n on 16 16-bit words in r[0..16); the result is r[n..n+16). */
static inline void psi_run(uint16_t *r, int n) {
  for (int k = 0; k < n; k++) r[k + 16] = r[k] ^ r[k + 1] ^ r[k + 2] ^ r[k + 3] ^ r[k + 12] ^ r[k + 15];
}

/* Step function f(H, M) of RFC 5831 §6; updates h in place. */
static void step(uint32_t h[8], const uint32_t m[8]) {
  uint32_t u[8], v[8], w[8], key[4][8], s[8];
  memcpy(u, h, 32);
  memcpy(v, m, 32);
  for (int j = 0; j < 4; j++) {
    if (j > 0) {
      transform_a(u);
      if (j == 2)
        for (int i = 0; i < 8; i++) u[i] ^= C3[i];
      transform_a(v);
      transform_a(v);
    }
    for (int i = 0; i < 8; i++) w[i] = u[i] ^ v[i];
    transpose(w, key[j]);
  }
  encrypt4((const uint32_t(*)[8])key, h, s);
  /* H ← ψ^61(H ⊕ ψ(M ⊕ ψ^12(S))) */
  uint16_t r[16 + 64];
  uint16_t m16[16], h16[16];
  memcpy(m16, m, 32);
  memcpy(h16, h, 32);
  memcpy(r, s, 32);
  psi_run(r, 12);
  for (int i = 0; i < 16; i++) r[i] = r[12 + i] ^ m16[i];
  psi_run(r, 1);
  for (int i = 0; i < 16; i++) r[i] = r[1 + i] ^ h16[i];
  psi_run(r, 61);
  memcpy(h, r + 61, 32);
}

static void add256(uint32_t a[8], const uint32_t b[8]) {
  uint64_t carry = 0;
  for (int i = 0; i < 8; i++) {
    const uint64_t s = (uint64_t)a[i] + b[i] + carry;
    a[i] = (uint32_t)s;
    carry = s >> 32;
  }
}

/* GOST R 34.11-94 (CryptoPro parameters, IV 0) of data into out[32]. */
static void gost94(const uint8_t *data, size_t len, uint8_t out[32]) {
  uint32_t h[8] = {0}, sum[8] = {0}, m[8], bits[8] = {0};
  const size_t full = len - len % 32;
  for (size_t o = 0; o < full; o += 32) {
    memcpy(m, data + o, 32);
    step(h, m);
    add256(sum, m);
  }
  if (len > full) { /* a partial last block is zero-padded; an empty tail adds no block */
    memset(m, 0, 32);
    memcpy(m, data + full, len - full);
    step(h, m);
    add256(sum, m);
  }
  const uint64_t nbits = (uint64_t)len * 8;
  bits[0] = (uint32_t)nbits;
  bits[1] = (uint32_t)(nbits >> 32);
  step(h, bits);
  step(h, sum);
  memcpy(out, h, 32);
}

/* ---------------------------------------------------------------- tables and the KDF */

static unsigned hexval(char c) { return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10); }

static void build_tables(void) {
  for (int t = 0; t < 8; t++)
    for (int x = 0; x < 256; x++) {
      uint64_t v = 0;
      for (int b = 0; b < 8; b++)
        if ((PI[x] >> b) & 1) v ^= A[63 - (8 * t + b)];
      LPS[t][x] = v;
    }
  for (int i = 0; i < 12; i++)
    for (int lane = 0; lane < 8; lane++) {
      uint64_t v = 0;
      const char *p = C_HEX[i] + 128 - 16 * (lane + 1);
      for (int d = 0; d < 16; d++) v = (v << 4) | hexval(p[d]);
      CI[i][lane] = v;
    }
  u512 iv, zero = {{0}};
  memset(iv.w, 0x01, sizeof iv.w);
  key_schedule(&iv, &zero, IV256_KEYS);
  for (int j = 0; j < 4; j++)
    for (int b = 0; b < 256; b++) {
      const uint32_t v = (uint32_t)(SBOX_D_A[2 * j][b & 15] | (SBOX_D_A[2 * j + 1][b >> 4] << 4)) << (8 * j);
      F[j][b] = (v << 11) | (v >> 21);
    }
}

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void wipe(void *p, size_t n) { explicit_bzero(p, n); }

static const char SEED[33] = "DENEFH028.760246785.IUEFHWUIO.EF";

int cpkdf(enum cpkdf_hash hash, const uint8_t *pin4, size_t pin4_len, const uint8_t *salt, size_t salt_len,
          uint8_t kek[32]) {
  pthread_once(&tables_once, build_tables);
  void (*const H)(const uint8_t *, size_t, uint8_t *) = hash == CPKDF_STREEBOG256 ? streebog256 : gost94;
  const size_t B = hash == CPKDF_STREEBOG256 ? 64 : 32; /* hash block size: the pad length */
  const size_t first_len = salt_len + pin4_len, fin_len = 64 + salt_len + pin4_len;
  uint8_t *first = malloc(first_len + 1), *fin = malloc(fin_len);
  if (first == NULL || fin == NULL) {
    free(first);
    free(fin);
    return -1;
  }
  uint8_t h0[32], c[32], buf[2 * 64 + 64];

  memcpy(first, salt, salt_len);
  memcpy(first + salt_len, pin4, pin4_len);
  H(first, first_len, h0);

  /* (c ⊕ 0x36)_B ‖ h0 ‖ (c ⊕ 0x5C)_B ‖ h0: only the first 32 bytes of c are non-zero, so the pad
   * tails stay constant and 64 bytes are rewritten per round. */
  memset(buf, 0x36, B);
  memcpy(buf + B, h0, 32);
  memset(buf + B + 32, 0x5c, B);
  memcpy(buf + 2 * B + 32, h0, 32);
  memcpy(c, SEED, 32);
  const int rounds = pin4_len == 0 ? 2 : 2000;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < 32; i++) {
      buf[i] = c[i] ^ 0x36;
      buf[B + 32 + i] = c[i] ^ 0x5c;
    }
    H(buf, 2 * B + 64, c);
  }

  /* (c ⊕ 0x36)[0..32) ‖ salt ‖ (c ⊕ 0x5C)[0..32) ‖ pin4, then KEK = H(c[0..32)). */
  for (int i = 0; i < 32; i++) {
    fin[i] = c[i] ^ 0x36;
    fin[32 + salt_len + i] = c[i] ^ 0x5c;
  }
  memcpy(fin + 32, salt, salt_len);
  memcpy(fin + 64 + salt_len, pin4, pin4_len);
  H(fin, fin_len, c);
  H(c, 32, kek);

  wipe(first, first_len);
  wipe(fin, fin_len);
  wipe(h0, sizeof h0);
  wipe(c, sizeof c);
  wipe(buf, sizeof buf);
  free(first);
  free(fin);
  return 0;
}

// CryptoPro password KDF ("CPKDF"): password + 12-byte salt → 32-byte key-encryption key.
// Algorithm as in cryptopro-format.md §3.2 (get-cpcert make2001_pwd_key/make2012_pwd_key,
// GostCrypto deriveBitsCP): an HMAC-like loop of 2000 rounds (2 for an empty password).
// The C addon's copy (native/cpkdf.c) runs when it is built, ~6x faster (bench/password.ts);
// this TypeScript one is the fallback and the oracle the tests compare it with.

import { loadNative } from '../native.ts';
import { gost341194Into } from './gost341194.ts';
import { streebogInto } from './streebog.ts';

/** 'gost3411-94' for GOST R 34.10-2001 containers, 'streebog256' for both 2012 sizes (§3.1). */
export type KdfHash = 'gost3411-94' | 'streebog256';

const SEED = new TextEncoder().encode('DENEFH028.760246785.IUEFHWUIO.EF');

/**
 * A password as the KDF sees it: a Uint8Array is one byte per character (ASCII, UTF-8 bytes or
 * cp1251 bytes), a Uint16Array one UTF-16 code unit per character — written as (lo, hi, 0, 0),
 * which is UTF-32LE for Cyrillic and GostCrypto's form (§3.2).
 */
export type PasswordUnits = Uint8Array | Uint16Array;

/** Rounds of the main loop: 2000, or 2 for the empty password (§3.2 step 4). */
export function cpkdfIterations(password: PasswordUnits): number {
  return password.length === 0 ? 2 : 2000;
}

/**
 * Derives the KEK. `password` is the byte string whose bytes are widened to 32-bit LE units
 * (usually the ASCII/UTF-8 bytes; see §3.2 on non-ASCII passwords). `salt` is used whole: the
 * 12-byte salt of masks.key, or the 8-byte primaryFP for the header password MAC.
 * `native: false` forces the TypeScript path (tests); otherwise the addon runs when present.
 */
export function cpkdf(password: PasswordUnits, salt: Uint8Array, hash: KdfHash, opts: { native?: boolean } = {}): Uint8Array {
  const pin4 = widen(password);
  const addon = opts.native === false ? null : loadNative();
  // An addon built from an older checkout lacks cpkdf: fall back rather than fail.
  const kek = typeof addon?.cpkdf === 'function' ? addon.cpkdf(hash, pin4, salt) : cpkdfTs(pin4, salt, hash);
  pin4.fill(0);
  return kek;
}

/** §3.2 step 1: each unit as a 32-bit little-endian word (byte, 0, 0, 0 for a byte string). */
function widen(password: PasswordUnits): Uint8Array {
  const pin4 = new Uint8Array(4 * password.length);
  for (let i = 0; i < password.length; i++) {
    const u = password[i]!;
    pin4[4 * i] = u & 0xff;
    pin4[4 * i + 1] = u >>> 8;
  }
  return pin4;
}

function cpkdfTs(pin4: Uint8Array, salt: Uint8Array, hash: KdfHash): Uint8Array {
  const H = hash === 'streebog256' ? streebogInto : gost341194Into;
  const B = hash === 'streebog256' ? 64 : 32; // hash block size: the pad length

  const h0 = new Uint8Array(32);
  const first = concat(salt, pin4);
  H(first, h0);

  // Loop buffer: (c ⊕ 0x36)_B ‖ h0 ‖ (c ⊕ 0x5C)_B ‖ h0. Only the first 32 bytes of c are ever
  // non-zero, so the pad tails stay constant and only 64 bytes are rewritten per round.
  const buf = new Uint8Array(2 * B + 64);
  buf.fill(0x36, 0, B);
  buf.set(h0, B);
  buf.fill(0x5c, B + 32, 2 * B + 32);
  buf.set(h0, 2 * B + 32);
  const c = new Uint8Array(32);
  c.set(SEED);
  const n = cpkdfIterations(pin4); // pin4 is empty iff the password is
  const o2 = B + 32;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < 32; i++) {
      const v = c[i]!;
      buf[i] = v ^ 0x36;
      buf[o2 + i] = v ^ 0x5c;
    }
    H(buf, c);
  }

  // Final: (c ⊕ 0x36)[0..32) ‖ salt ‖ (c ⊕ 0x5C)[0..32) ‖ pin4, then KEK = H(c[0..32)).
  const fin = new Uint8Array(64 + salt.length + pin4.length);
  for (let i = 0; i < 32; i++) {
    fin[i] = c[i]! ^ 0x36;
    fin[32 + salt.length + i] = c[i]! ^ 0x5c;
  }
  fin.set(salt, 32);
  fin.set(pin4, 64 + salt.length);
  H(fin, c);
  const kek = new Uint8Array(32);
  H(c, kek);

  for (const b of [h0, first, buf, c, fin]) b.fill(0);
  return kek;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

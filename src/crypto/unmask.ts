// primary.key → private key d (cryptopro-format.md §3.3): ECB-decrypt with the KEK, read k
// little-endian, divide out the multiplicative mask: d = k · m⁻¹ mod q.

import { bigIntToLe, leToBigInt } from './bytes.ts';
import type { GostCurve } from './curves.ts';
import { ecbDecrypt, ecbEncrypt, type SBox } from './gost28147.ts';

/** ECB-decrypts primary.key's OCTET STRING (32 or 64 bytes) with the 32-byte KEK. */
export function decryptPrimary(kek: Uint8Array, encrypted: Uint8Array, sbox: SBox): Uint8Array {
  return ecbDecrypt(kek, encrypted, sbox);
}

/** x⁻¹ mod q for prime q via extended Euclid; x must be non-zero mod q. */
function invMod(x: bigint, q: bigint): bigint {
  let a = ((x % q) + q) % q, b = q, u = 1n, v = 0n;
  while (a !== 0n) {
    const t = b / a;
    [a, b] = [b - t * a, a];
    [u, v] = [v - t * u, u];
  }
  return ((v % q) + q) % q;
}

/**
 * d = LE(decrypt(primary)) · LE(mask)⁻¹ mod q. Returns null if the mask is ≡ 0 mod q or d is 0
 * (both mean wrong inputs). Whether d is the right key is decided by the fingerprint check.
 */
export function unmaskPrivateKey(
  curve: GostCurve,
  kek: Uint8Array,
  encrypted: Uint8Array,
  mask: Uint8Array,
  sbox: SBox,
): bigint | null {
  if (encrypted.length !== curve.size || mask.length !== curve.size) return null;
  const plain = decryptPrimary(kek, encrypted, sbox);
  const k = leToBigInt(plain);
  plain.fill(0);
  const m = leToBigInt(mask) % curve.q;
  if (m === 0n) return null;
  const d = (k * invMod(m, curve.q)) % curve.q;
  return d === 0n ? null : d;
}

/**
 * Inverse of unmaskPrivateKey for the container writer: encrypt LE(d·m mod q). In all 22
 * primary/masks pairs of the 11 samples k was already reduced (k < q), so this reproduces
 * primary.key byte for byte (test/crypto/samples.test.ts). If a container with an unreduced
 * k (k ≥ q, k ≡ d·m) turns up, the writer must keep that container's decrypted k and re-encrypt
 * it with ecbEncrypt instead; CSP only uses k mod q, so either form loads.
 */
export function maskPrivateKey(curve: GostCurve, d: bigint, mask: Uint8Array, kek: Uint8Array, sbox: SBox): Uint8Array {
  if (mask.length !== curve.size) throw new RangeError(`mask must be ${curve.size} bytes`);
  const k = (d * leToBigInt(mask)) % curve.q;
  const plain = bigIntToLe(k, curve.size);
  const out = ecbEncrypt(kek, plain, sbox);
  plain.fill(0);
  return out;
}

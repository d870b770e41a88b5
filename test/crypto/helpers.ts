// Shared test helpers: the node-gost-crypto oracle (dev only) and a seeded byte generator.
import { createRequire } from 'node:module';

// Plain CommonJS without types: load through require so the compiler does not need a declaration.
const gost: unknown = createRequire(import.meta.url)('node-gost-crypto');

interface Cipher { encrypt(k: Uint8Array, d: Uint8Array): ArrayBuffer; decrypt(k: Uint8Array, d: Uint8Array): ArrayBuffer; sign(k: Uint8Array, d: Uint8Array): ArrayBuffer }
interface Digest { digest(d: Uint8Array): ArrayBuffer }
const engine = (gost as unknown as { gostEngine: { getGostCipher(a: object): Cipher; getGostDigest(a: object): Digest } }).gostEngine;

export const oracle = {
  ecbEncrypt: (sBox: string, k: Uint8Array, d: Uint8Array) =>
    new Uint8Array(engine.getGostCipher({ name: 'GOST 28147', block: 'ECB', sBox, padding: 'NO' }).encrypt(k, d)),
  mac: (sBox: string, k: Uint8Array, d: Uint8Array) =>
    new Uint8Array(engine.getGostCipher({ name: 'GOST 28147', mode: 'MAC', sBox }).sign(k, d)),
  gost94: (sBox: string, d: Uint8Array) =>
    new Uint8Array(engine.getGostDigest({ name: 'GOST R 34.11', version: 1994, sBox }).digest(d)),
  streebog: (length: 256 | 512, d: Uint8Array) =>
    new Uint8Array(engine.getGostDigest({ name: 'GOST R 34.11', version: 2012, length }).digest(d)),
};

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function seeded(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5; s >>>= 0;
      out[i] = s & 255;
    }
    return out;
  };
}

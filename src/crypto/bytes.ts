// Byte helpers shared by the GOST primitives. CryptoPro stores every integer little-endian.

/** Unsigned little-endian bytes → bigint. */
export function leToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** bigint → exactly `len` little-endian bytes; throws if n is negative or does not fit. */
export function bigIntToLe(n: bigint, len: number): Uint8Array {
  if (n < 0n) throw new RangeError('bigIntToLe: negative value');
  const out = new Uint8Array(len);
  let v = n;
  for (let i = 0; i < len; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`bigIntToLe: value does not fit in ${len} bytes`);
  return out;
}

/** Big-endian bytes → bigint (RFC test vectors and curve constants are printed big-endian). */
export function beToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < b.length; i++) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex, no separators. */
export function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!]!;
  return s;
}

/** Hex → bytes. Whitespace is ignored (vectors are often printed in groups); odd length or non-hex throws. */
export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new SyntaxError('fromHex: invalid hex string');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Reversed copy (big-endian ↔ little-endian). */
export function reverse(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[b.length - 1 - i]!;
  return out;
}

/** Equality of bulk bytes by memcmp (FAT copies, retained segments); not for secrets: see equalBytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Constant-time-ish equality for short MACs and fingerprints. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

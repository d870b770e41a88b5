// DER BIT STRING helpers for the named-bit flag fields (bit 0 = most significant bit of the
// first content byte, X.680 named bits; trailing zero bits dropped as DER requires).

/** Named bits set in a BIT STRING's content (first byte = unused-bit count). */
export function bitsOf(content: Uint8Array): Set<number> {
  const s = new Set<number>();
  for (let i = 1; i < content.length; i++) {
    const x = content[i]!;
    for (let j = 0; j < 8; j++) if (x & (0x80 >> j)) s.add((i - 1) * 8 + j);
  }
  return s;
}

/** DER content of a named-bit BIT STRING (e.g. bits {0,1} → 06 C0). Bits must be < 64. */
export function encodeBits(bits: Iterable<number>): Uint8Array {
  let max = -1;
  const list = [...bits];
  for (const b of list) if (b > max) max = b;
  if (max < 0) return Uint8Array.of(0);
  const nbytes = (max >> 3) + 1;
  const out = new Uint8Array(1 + nbytes);
  for (const b of list) out[1 + (b >> 3)]! |= 0x80 >> (b & 7);
  out[0] = 7 - (max & 7);
  return out;
}

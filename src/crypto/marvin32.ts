/**
 * Marvin32, the keyed hash Windows uses for registry transaction log entries (docs/registry.md
 * §2.9, msuhanov/regf "Log entries": Hash-1, Hash-2). Written from the published algorithm (two
 * 32-bit lanes, one mixing block per 4-byte word, 0x80 padding, two final blocks); the test checks
 * the .NET runtime's known answers.
 */
const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

/** The hash as its two 32-bit halves [p0, p1] (stored little-endian, p0 first). */
export function marvin32(data: Uint8Array, seedLo: number, seedHi: number): [number, number] {
  let p0 = seedLo >>> 0;
  let p1 = seedHi >>> 0;
  const block = () => {
    p1 = (p1 ^ p0) >>> 0;
    p0 = rotl(p0, 20);
    p0 = (p0 + p1) >>> 0;
    p1 = rotl(p1, 9);
    p1 = (p1 ^ p0) >>> 0;
    p0 = rotl(p0, 27);
    p0 = (p0 + p1) >>> 0;
    p1 = rotl(p1, 19);
  };
  const words = data.length >>> 2;
  for (let i = 0; i < words; i++) {
    const o = i * 4;
    p0 = (p0 + (data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24))) >>> 0;
    block();
  }
  let tail = 0x80;
  for (let k = data.length - 1; k >= words * 4; k--) tail = ((tail << 8) | data[k]!) >>> 0;
  p0 = (p0 + tail) >>> 0;
  block();
  block();
  return [p0, p1];
}

/** The seed of registry log entries: 0xC5554E7A884DEF82 (bytes 82 EF 4D 88 7A 4E 55 C5). */
export const REGISTRY_LOG_SEED = Object.freeze([0x884def82, 0xc5554e7a] as const);

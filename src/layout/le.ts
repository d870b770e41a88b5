/** Little-endian field readers for on-disk structures: total — a byte past the end reads as 0,
 * so a truncated structure yields implausible values that the callers' checks reject. */
export const u16 = (b: Uint8Array, o: number): number => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
export const u32 = (b: Uint8Array, o: number): number => (u16(b, o) + u16(b, o + 2) * 0x10000) >>> 0;
/** Exact up to 2^53; larger values come back imprecise and fail the callers' range checks. */
export const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 0x100000000;

/**
 * The little-endian field readers for on-disk structures, in two explicit flavours:
 *  - `u16`/`u32`/`u64` are total: a byte past the end reads as 0, so a truncated structure yields
 *    implausible values that the callers' checks reject (FAT, exFAT, boot sectors, partition tables);
 *  - `fitU16`/`fitU32`/`fitU64` read only a field that lies wholly inside `b`: else 0 (64-bit: −1),
 *    and a 64-bit value of 2^53 or more is −1 too (NTFS records, whose callers test for these).
 */
export const u16 = (b: Uint8Array, o: number): number => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
export const u32 = (b: Uint8Array, o: number): number => (u16(b, o) + u16(b, o + 2) * 0x10000) >>> 0;
/** Exact up to 2^53; larger values come back imprecise and fail the callers' range checks. */
export const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 0x100000000;

/** True when the `n`-byte field at `o` lies wholly inside `b`. */
export const fits = (b: Uint8Array, o: number, n: number): boolean => o + n <= b.length;

export const fitU16 = (b: Uint8Array, o: number): number => (fits(b, o, 2) ? u16(b, o) : 0);
export const fitU32 = (b: Uint8Array, o: number): number => (fits(b, o, 4) ? u32(b, o) : 0);
/** Unsigned 64-bit as a safe integer, or −1 when it does not fit in `b` or in 2^53. */
export const fitU64 = (b: Uint8Array, o: number): number => (fits(b, o, 8) && u32(b, o + 4) <= 0x1fffff ? u64(b, o) : -1);

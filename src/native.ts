// The C addon in native/ (built at `npm ci`; optional): one lookup for every layer that uses it
// (source: device ioctls and aligned buffers; crypto: the password KDF; scan: the anchor test).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What the addon exports (native/keycarve.c). */
export interface NativeAddon {
  deviceSize(fd: number): number;
  sectorSize(fd: number): number;
  alignedBuffer(size: number, align: number): ArrayBuffer;
  /** CPKDF of native/cpkdf.c: the password already widened to 32-bit units (§3.2 step 1). */
  cpkdf(hash: 'gost3411-94' | 'streebog256', pin4: Uint8Array, salt: Uint8Array): Uint8Array;
  /** native/anchors.c: anchor k is bytes[starts[k], starts[k] + lens[k]) at ats[k] of a sector;
   * null when the anchors exceed its limits. */
  anchorTable(ats: Int32Array, lens: Int32Array, starts: Int32Array, bytes: Uint8Array, masks?: Uint8Array, backs?: Int32Array, aheads?: Int32Array): object | null;
  /** true when anchorTable reads `masks` (an addon built before them ignores the argument). */
  anchorMasks?: boolean;
  /** Fills `out` with the sector starts in [from, to) where an anchor matches whole inside `b`; returns the count. */
  anchorScan(table: object, b: Uint8Array, from: number, to: number, out: Int32Array): number;
  /** Reads b[have, to) of descriptor fd (b[0] at offset base), then fills `out` as anchorScan(b[0, to),
   * from, to) would; returns the count, or -1 with status = [bytes filled, errno]. Absent from an
   * addon built before it was added. */
  anchorReadScan?(table: object, fd: number, b: Uint8Array, from: number, to: number, have: number, base: number, out: Int32Array, status: Float64Array): number;
  /** anchorReadScan over [from, to) in pieces of `piece` bytes, on a libuv thread: a Promise of the
   * count (or -1, status as above). Absent from an addon built before it was added. */
  anchorReadScanAsync?(table: object, fd: number, b: Uint8Array, from: number, to: number, have: number, base: number, out: Int32Array, status: Float64Array, piece: number): Promise<number>;
  /** Reads [from, to) of fd (b[0] at offset base) in pieces of `piece` bytes, on a libuv thread,
   * testing each while in cache and writing into b only the kept bytes: `keep` (sorted [start, end)
   * pairs) and each hit's window (the table's backs and aheads, which it needs). A Promise of the
   * hit count (hits in `out`); status = [filled, errno (0: none), tested, kept]: after a failed
   * read b also holds the widest back before `tested` and up to `filled`, and the sectors from
   * `tested` on are untested. Absent from an addon built before it was added. */
  anchorReadKeepAsync?(table: object, fd: number, b: Uint8Array, from: number, to: number, base: number, piece: number, keep: Int32Array, out: Int32Array, status: Float64Array): Promise<number>;
  /** Adler-32 (RFC 1950); absent from an addon built before it was added. */
  adler32?(bytes: Uint8Array): number;
}

let cached: NativeAddon | null | undefined;

/**
 * The addon, or null when it was not built (or KEYCARVE_NO_NATIVE=1, which tests use to force the
 * fallbacks: sysfs geometry, buffered reads, the TypeScript KDF and anchor test).
 */
export function loadNative(): NativeAddon | null {
  if (process.env['KEYCARVE_NO_NATIVE'] === '1') return null;
  if (cached !== undefined) return cached;
  try {
    const require = createRequire(import.meta.url);
    const path = fileURLToPath(new URL('../native/build/Release/keycarve.node', import.meta.url));
    cached = require(path) as NativeAddon;
  } catch {
    cached = null;
  }
  return cached;
}

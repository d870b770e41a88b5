/**
 * Dispatch table: for each distinct anchor offset, 256 buckets keyed by the byte found there, so a
 * sector meets only the carvers whose anchor byte matches (PhotoRec's file_checks[256]). The hot
 * loop first consults a flat 0/1 table (one typed-array load per anchor offset); only a sector
 * with a possible match pays for the full comparison.
 */
import type { CarverSpec } from '../carve/types.ts';

interface Entry {
  readonly carver: CarverSpec;
  readonly at: number;
  readonly bytes: Uint8Array;
}

export interface AnchorTable {
  readonly offsets: Int32Array;
  /** mayMatch compiled for this table: straight-line code over the anchor offsets, each testing the
   * first two anchor bytes against a bitset (65536 bits per offset; V8 runs this ~3x a loop). */
  readonly prefilter: (bits: Uint32Array, b: Uint8Array, s: number) => boolean;
  readonly bits: Uint32Array;
  /** hit[i * 256 + byte] = 1 when some anchor at offsets[i] starts with `byte`. */
  readonly hit: Uint8Array;
  /** buckets[i][byte] for offsets[i] */
  readonly buckets: readonly (readonly Entry[])[][];
}

export function buildAnchorTable(carvers: readonly CarverSpec[]): AnchorTable {
  const list = [...new Set(carvers.flatMap((c) => c.anchors.map((a) => a.at)))].sort((a, b) => a - b);
  const buckets = list.map(() => Array.from({ length: 256 }, () => [] as Entry[]));
  const hit = new Uint8Array(list.length * 256);
  for (const carver of carvers)
    for (const a of carver.anchors) {
      const i = list.indexOf(a.at);
      buckets[i]![a.bytes[0]!]!.push({ carver, at: a.at, bytes: a.bytes });
      hit[i * 256 + a.bytes[0]!] = 1;
    }
  // Two-byte bitset: a one-byte anchor sets every second byte.
  const bits = new Uint32Array(list.length * 2048);
  for (const carver of carvers)
    for (const a of carver.anchors) {
      const i = list.indexOf(a.at);
      const seconds = a.bytes.length > 1 ? [a.bytes[1]!] : Array.from({ length: 256 }, (_, x) => x);
      for (const x of seconds) {
        const k = a.bytes[0]! | (x << 8);
        bits[i * 2048 + (k >>> 5)]! |= 1 << (k & 31);
      }
    }
  // The offsets are constants of the carver list: unroll the prefilter into straight-line code.
  const body = list
    .map((o, i) => `k = (b[s + ${o}] | 0) | ((b[s + ${o + 1}] | 0) << 8); if ((w[${i * 2048} + (k >>> 5)] >>> (k & 31)) & 1) return true;`)
    .join('\n');
  const prefilter = new Function('w', 'b', 's', `let k = 0;\n${body}\nreturn false;`) as AnchorTable['prefilter'];
  return { offsets: Int32Array.from(list), prefilter, bits, hit, buckets };
}

/** Cheap test: could any anchor match the sector at `s`? Bytes past the buffer read as 0 (a false
 * positive at worst: matchingCarvers checks bounds). */
export function mayMatch(t: AnchorTable, b: Uint8Array, s: number): boolean {
  return t.prefilter(t.bits, b, s);
}

/** Carvers whose anchor matches the sector starting at `s` (each carver at most once). */
export function matchingCarvers(t: AnchorTable, b: Uint8Array, s: number, out: Set<CarverSpec>): void {
  out.clear();
  for (let i = 0; i < t.offsets.length; i++) {
    const at = s + t.offsets[i]!;
    if (at >= b.length) break;
    const bucket = t.buckets[i]![b[at]!]!;
    for (const e of bucket) {
      if (out.has(e.carver) || at + e.bytes.length > b.length) continue;
      let k = 1;
      while (k < e.bytes.length && b[at + k] === e.bytes[k]) k++;
      if (k === e.bytes.length) out.add(e.carver);
    }
  }
}

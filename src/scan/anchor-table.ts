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
  return { offsets: Int32Array.from(list), hit, buckets };
}

/** Cheap test: could any anchor match the sector at `s`? */
export function mayMatch(t: AnchorTable, b: Uint8Array, s: number): boolean {
  const offs = t.offsets;
  const hit = t.hit;
  const n = offs.length;
  const len = b.length;
  for (let i = 0; i < n; i++) {
    const at = s + offs[i]!;
    if (at >= len) return false;
    if (hit[(i << 8) | b[at]!] === 1) return true;
  }
  return false;
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

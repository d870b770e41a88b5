/**
 * Dispatch table: for each distinct anchor offset, 256 buckets keyed by the byte found there, so a
 * sector meets only the carvers whose anchor byte matches (PhotoRec's file_checks[256]).
 */
import type { CarverSpec } from '../carve/types.ts';

interface Entry {
  readonly carver: CarverSpec;
  readonly at: number;
  readonly bytes: Uint8Array;
}

export interface AnchorTable {
  readonly offsets: readonly number[];
  /** buckets[i][byte] for offsets[i] */
  readonly buckets: readonly (readonly Entry[])[][];
}

export function buildAnchorTable(carvers: readonly CarverSpec[]): AnchorTable {
  const offsets = [...new Set(carvers.flatMap((c) => c.anchors.map((a) => a.at)))].sort((a, b) => a - b);
  const buckets = offsets.map(() => Array.from({ length: 256 }, () => [] as Entry[]));
  for (const carver of carvers)
    for (const a of carver.anchors) buckets[offsets.indexOf(a.at)]![a.bytes[0]!]!.push({ carver, at: a.at, bytes: a.bytes });
  return { offsets, buckets };
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

/** A hive's own offsets mapped onto the source: through the hive file's extents, or through the
 * spliced extents of a hive replayed from its logs (log.ts). */
import type { ByteRange } from '../../source/types.ts';
import type { FileRange } from './hive.ts';

/** Hive-file ranges → absolute ranges on the source through the hive file's extents. */
export function toSource(ranges: readonly FileRange[], extents: readonly ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (const r of ranges) {
    let base = 0;
    let off = r.off;
    let left = r.len;
    for (const e of extents) {
      if (left === 0) break;
      if (off < base + e.length) {
        const take = Math.min(left, base + e.length - off);
        out.push({ offset: e.offset + (off - base), length: take });
        off += take;
        left -= take;
      }
      base += e.length;
    }
  }
  return out;
}

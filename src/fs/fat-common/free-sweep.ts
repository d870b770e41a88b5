/**
 * A quick scan's search for orphaned folders, as TSK's orphan search makes it, for FAT and exFAT
 * alike: a deleted folder whose entry in its parent a later file took over hangs off no directory,
 * but its own cluster, free now, still lists its files. Free clusters are read in order, in 1 MiB
 * pieces into one reused buffer, up to a byte budget: a full scan's pass carves them all, and after
 * a quick format every cluster is free, so the budget is what keeps a quick scan quick. Each file
 * system says which free cluster opens a folder (src/fs/fat/free-sweep.ts, src/fs/exfat/free-sweep.ts).
 */
import type { Candidate } from '../../carve/types.ts';
import type { MediaReader } from '../types.ts';
import { clusterOffset, type ClusterGeometry } from './clusters.ts';

const PIECE = 1 << 20;
/** Folders kept, as the orphan stages cap theirs: free clusters each made to look like a folder
 * must not hold a budget's worth of copies (256 MiB of 512-byte clusters is 512 k). */
export const MAX_SWEPT_DIRS = 100_000;

export interface FreeSweep {
  /** The orphaned folders' clusters, as the pass's directory carver would give them. */
  readonly dirs: Candidate[];
  readonly swept: number;
  /** True when free clusters were left unread: the budget, or the cap on folders, stopped it. */
  readonly cut: boolean;
}

export interface SweepTarget {
  readonly geo: ClusterGeometry;
  /** The first free cluster from c through `last` (last + 1: none). */
  nextFree(c: number, last: number): number | Promise<number>;
  /** How many clusters from c (free) on are free, at most `max`. */
  freeRun(c: number, max: number): number | Promise<number>;
  /** The folder opening at cluster `cluster`, byte `at` of `bytes` (read through the end of the
   * free run): its clusters as a candidate, or null. */
  dirAt(bytes: Uint8Array, at: number, cluster: number): Candidate | null;
}

/** `onProgress`: the bytes swept so far, 0 first and then after each piece (a slow drive's sweep takes seconds). */
export async function sweepFreeClusters(
  reader: MediaReader,
  t: SweepTarget,
  budget: number,
  onProgress?: (swept: number) => void,
  maxDirs = MAX_SWEPT_DIRS,
): Promise<FreeSweep> {
  const cs = t.geo.clusterSize;
  const perPiece = Math.max(1, Math.floor(PIECE / cs));
  const last = t.geo.clusterCount + 1;
  const piece = new Uint8Array(perPiece * cs);
  const dirs: Candidate[] = [];
  let swept = 0;
  onProgress?.(0);
  // A few awaits a piece, none a cluster: a turn each (~1 µs) would be 512 k of them for a 256 MiB budget of 512-byte clusters.
  for (let c = await t.nextFree(2, last); c <= last; c = await t.nextFree(c, last)) {
    if (swept + cs > budget || dirs.length >= maxDirs) return { dirs, swept, cut: true };
    // A truncated image ends inside the volume: what lies past its end is not there to read.
    const room = Math.floor((reader.size - clusterOffset(t.geo, c)) / cs);
    if (room < 1) break;
    const n = Math.max(1, await t.freeRun(c, Math.min(room, perPiece, last - c + 1, Math.floor((budget - swept) / cs))));
    const bytes = piece.subarray(0, n * cs);
    if (await fill(reader, clusterOffset(t.geo, c), bytes)) {
      for (let k = 0; k < n; k++) {
        const dir = dirs.length < maxDirs ? t.dirAt(bytes, k * cs, c + k) : null;
        if (!dir) continue;
        dirs.push(dir);
        k += Math.ceil(dir.bytes.length / cs) - 1;
      }
    }
    swept += n * cs;
    onProgress?.(swept);
    c += n;
  }
  return { dirs, swept, cut: false };
}

/** The problem a volume records when the budget stopped its sweep. */
export const sweepCutNote = (swept: number) => `quick scan: orphaned folders looked for in the first ${Math.round(swept / 2 ** 20)} MiB of free space only; a full scan reads it all`;

/** `into` from `offset` (inside the medium: the loop's `room`), in place when the reader can. */
async function fill(reader: MediaReader, offset: number, into: Uint8Array): Promise<boolean> {
  if (reader.readInto) return reader.readInto(offset, into).catch(() => false);
  const b = await reader.read(offset, into.length, true).catch(() => null);
  return b ? (into.set(b), true) : false;
}

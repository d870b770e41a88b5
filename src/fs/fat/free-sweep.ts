/**
 * Which free FAT cluster opens an orphaned folder (the sweep: src/fs/fat-common/free-sweep.ts): one
 * whose `.` entry names that very cluster, followed by a `..` entry. The folder runs on through
 * the next clusters of the free run while they hold directory entries, as a deleted folder reached
 * from its parent does (src/fs/fat/index.ts).
 */
import type { Candidate } from '../../carve/types.ts';
import { dotCluster, opensDirectory, runsOnInto } from '../../layout/fat-dir-entry.ts';
import { clusterOffset } from '../fat-common/clusters.ts';
import type { SweepTarget } from '../fat-common/free-sweep.ts';
import type { FatBoot } from './boot.ts';
import type { FatTable } from './table.ts';

/** A deleted directory's clusters are guessed contiguous, here as when its parent names it
 * (src/fs/fat/index.ts); container folders need one or two. */
export const MAX_DELETED_DIR_CLUSTERS = 64;

export function fatSweep(boot: FatBoot, table: FatTable): SweepTarget {
  return {
    geo: boot,
    nextFree: (c, last) => table.nextFree(c, last),
    freeRun: (c, max) => table.nextUsed(c, c + max - 1) - c,
    dirAt: (b, at, cluster) => dirAt(boot, b, at, cluster),
  };
}

function dirAt(boot: FatBoot, b: Uint8Array, at: number, cluster: number): Candidate | null {
  if (!opensDirectory(b, at) || dotCluster(b, at, boot.type === 'fat32') !== cluster) return null;
  const cs = boot.clusterSize;
  let end = at + cs;
  while (end + cs <= b.length && (end - at) / cs < MAX_DELETED_DIR_CLUSTERS && runsOnInto(b.subarray(end - cs, end), b, end)) end += cs;
  return { kind: 'fat-dir', offset: clusterOffset(boot, cluster), bytes: b.slice(at, end), checks: ['dir-shape'] };
}

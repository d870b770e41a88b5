/**
 * Which free FAT cluster opens an orphaned folder (the sweep: src/fs/fat-common/free-sweep.ts): one
 * whose `.` entry names that very cluster, followed by a `..` entry. The folder runs on through
 * the next clusters of the free run while they hold directory entries, as a deleted folder reached
 * from its parent does (src/fs/fat/index.ts).
 */
import type { Candidate } from '../../carve/types.ts';
import { dotCluster, entryLooksValid, isDotEntry, parseDirEntries } from '../../layout/fat-dir-entry.ts';
import { clusterOffset } from '../fat-common/clusters.ts';
import type { SweepTarget } from '../fat-common/free-sweep.ts';
import type { FatBoot } from './boot.ts';
import type { FatTable } from './table.ts';

/** As for a deleted directory reached from its parent: container folders need one or two clusters. */
const MAX_DIR_CLUSTERS = 64;

export function fatSweep(boot: FatBoot, table: FatTable): SweepTarget {
  return {
    geo: boot,
    nextFree: (c, last) => table.nextFree(c, last),
    freeRun: (c, max) => table.nextUsed(c, c + max - 1) - c,
    dirAt: (b, at, cluster) => dirAt(boot, b, at, cluster),
  };
}

function dirAt(boot: FatBoot, b: Uint8Array, at: number, cluster: number): Candidate | null {
  if (!isDotEntry(b, at, false) || !isDotEntry(b, at + 32, true)) return null;
  const self = boot.type === 'fat32' ? dotCluster(b, at) : dotCluster(b, at) & 0xffff; // FAT12/16: no high word
  if (self !== cluster) return null;
  const cs = boot.clusterSize;
  let end = at + cs;
  while (end + cs <= b.length && (end - at) / cs < MAX_DIR_CLUSTERS && !parseDirEntries(b.subarray(end - cs, end)).ended) {
    if (!entryLooksValid(b, end) || isDotEntry(b, end, false)) break;
    end += cs;
  }
  return { kind: 'fat-dir', offset: clusterOffset(boot, cluster), bytes: b.slice(at, end), checks: ['dir-shape'] };
}

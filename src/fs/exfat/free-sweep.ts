/**
 * Which free exFAT cluster opens an orphaned folder (the sweep: src/fs/fat-common/free-sweep.ts):
 * exFAT folders have no `.` entry, so one whose first slot starts a File entry set (live or
 * deleted) whose checksum verifies, as the pass's carver tests it (src/carve/exfat-dir.ts). A
 * folder's later clusters, which may open inside a set, are not looked for: container folders
 * need one cluster.
 */
import type { Candidate } from '../../carve/types.ts';
import { parseSetAt } from '../../layout/exfat-entry-set.ts';
import type { SweepTarget } from '../fat-common/free-sweep.ts';
import type { ExfatVolume } from './volume.ts';

/** The sweep over `vol`'s free clusters, or null when its bitmap is unknown. */
export function exfatSweep(vol: ExfatVolume): SweepTarget | null {
  if (!vol.hasBitmap) return null;
  return {
    geo: vol.geometry,
    nextFree: async (c, last) => (await vol.nextFree(c, last)) ?? last + 1,
    freeRun: (c, max) => vol.freeRun(c, max),
    dirAt: (b, at, cluster) => {
      const set = parseSetAt(b, at);
      if (!set?.checksumOk || (set.dataLength > 0 && set.firstCluster < 2)) return null;
      return { kind: 'exfat-dir', offset: vol.clusterOffset(cluster), bytes: b.slice(at, at + vol.geo.clusterSize), checks: ['dir-shape'] };
    },
  };
}

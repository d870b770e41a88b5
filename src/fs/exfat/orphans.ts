/**
 * Orphan entry sets: directory clusters carved from the heap (src/carve/exfat-dir.ts) that no
 * walked directory reaches — after a quick format the old root is gone but a container folder's
 * own directory cluster still names its key files, their sizes and first clusters. The folder's
 * name comes back when another orphan set (its old parent) points at that cluster.
 */
import type { Candidate } from '../../carve/types.ts';
import type { FileEvidence, FsProblem } from '../types.ts';
import { parseDirectory, type EntrySet } from '../../layout/exfat-entry-set.ts';
import { fileEvidence } from './evidence.ts';
import { resolveFile, type ConfirmFn } from './resolve.ts';
import type { ExfatVolume } from './volume.ts';

export interface OrphanOptions {
  confirm?: ConfirmFn;
  /** Clusters already covered by the directory walk: their sets are not orphans. */
  skipClusters?: ReadonlySet<number>;
}

const MAX_ORPHAN_SETS = 200_000;
/** A directory only spills into its next cluster when that one is full; follow back at most this far. */
const MAX_SPILL = 64;

interface Located {
  set: EntrySet;
  abs: number;
  cluster: number;
}

export async function orphanEvidence(
  candidates: readonly Candidate[],
  vol: ExfatVolume,
  opts: OrphanOptions = {},
): Promise<{ files: FileEvidence[]; problems: FsProblem[] }> {
  const problems: FsProblem[] = [];
  const files: FileEvidence[] = [];
  const seen = new Set<number>();
  const located: Located[] = [];
  for (const cand of candidates) {
    if (cand.kind !== 'exfat-dir') continue;
    for (const set of parseDirectory(cand.bytes).sets) {
      if (!set.checksumOk || located.length >= MAX_ORPHAN_SETS) continue;
      const abs = cand.offset + set.index;
      if (seen.has(abs)) continue;
      seen.add(abs);
      const cluster = vol.clusterAt(abs);
      if (cluster === null || opts.skipClusters?.has(cluster)) continue;
      located.push({ set, abs, cluster });
    }
  }
  if (located.length >= MAX_ORPHAN_SETS) problems.push({ at: vol.base, what: `exfat: orphan entry sets capped at ${MAX_ORPHAN_SETS}` });

  const dirsByCluster = new Map<number, Located>();
  const orphanClusters = new Set<number>();
  for (const l of located) {
    orphanClusters.add(l.cluster);
    if (l.set.isDir && vol.validCluster(l.set.firstCluster) && !dirsByCluster.has(l.set.firstCluster)) dirsByCluster.set(l.set.firstCluster, l);
  }

  // First cluster of the directory holding cluster `c`: back over full neighbouring orphan clusters.
  const startCache = new Map<number, number>();
  const lastSlotUsed = async (c: number): Promise<boolean> => {
    const b = await vol.reader.read(vol.clusterOffset(c) + vol.geo.clusterSize - 32, 32);
    return !!b && b[0] !== undefined && b[0] !== 0;
  };
  const folderStart = async (c: number): Promise<number> => {
    const cached = startCache.get(c);
    if (cached !== undefined) return cached;
    let f = c;
    for (let i = 0; i < MAX_SPILL; i++) {
      if (dirsByCluster.has(f) || !orphanClusters.has(f - 1) || !(await lastSlotUsed(f - 1))) break;
      f--;
    }
    startCache.set(c, f);
    return f;
  };

  for (const l of located) {
    if (l.set.isDir) continue;
    const start = await folderStart(l.cluster);
    const parent = dirsByCluster.get(start);
    const r = await resolveFile(vol, l.set, true, opts.confirm, problems, l.abs);
    files.push(
      fileEvidence(
        l.set,
        r.extents,
        r.confirmed,
        true,
        { name: parent?.set.name ?? null, path: null, key: `exfat:${vol.base}:${start}` },
        vol.base,
        'orphan-dir',
      ),
    );
  }
  return { files, problems };
}

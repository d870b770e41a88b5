/**
 * From an entry set to the file's bytes on the medium. Live files: the FAT chain or, with
 * NoFatChain, the contiguous run. Deleted files: their FAT entries are usually freed, so try in
 * turn the contiguous run, a chain that still reads whole, and the next free clusters (skipping
 * ones allocated since); a key file is only "confirmed" when its own bytes say so.
 */
import type { ByteRange } from '../../source/types.ts';
import { keyKindOfName } from '../../format/key-file-names.ts';
import type { FsProblem } from '../types.ts';
import type { EntrySet } from '../../layout/exfat-entry-set.ts';
import { FAT_EOC, type ExfatVolume } from './volume.ts';

export type ConfirmFn = (bytes: Uint8Array) => { kind: string; length: number; macOk: boolean } | null;

/** Largest file whose bytes we read to confirm (header.key stays far below). */
const CONFIRM_MAX = 64 * 1024;
/** How far past the file's own cluster count the free-cluster search may look. */
const FREE_SEARCH_SLACK = 256;

export interface Resolved {
  readonly extents: ByteRange[];
  readonly confirmed: boolean;
  readonly clusters: number[];
}

function bytesConfirm(confirm: ConfirmFn, bytes: Uint8Array, size: number, expect: string | null): boolean {
  const id = confirm(bytes);
  if (!id || id.length !== size) return false;
  if (expect !== null && id.kind !== expect) return false;
  if ((id.kind === 'header' || id.kind === 'masks') && !id.macOk) return false;
  return true;
}

function contiguous(vol: ExfatVolume, first: number, n: number): number[] | null {
  if (!vol.validCluster(first) || !vol.validCluster(first + n - 1)) return null;
  return Array.from({ length: n }, (_, i) => first + i);
}

async function nextFree(vol: ExfatVolume, first: number, n: number): Promise<number[] | null> {
  const out = [first];
  for (let c = first + 1; out.length < n && c < first + n + FREE_SEARCH_SLACK && vol.validCluster(c); c++) {
    const a = await vol.allocated(c);
    if (a === null) return null;
    if (!a) out.push(c);
  }
  return out.length === n ? out : null;
}

/** Cluster lists worth trying for `set`, best first. */
export async function clusterCandidates(
  vol: ExfatVolume,
  set: EntrySet,
  deleted: boolean,
  n: number,
  problems: FsProblem[],
  at: number,
): Promise<{ clusters: number[]; sure: boolean }[]> {
  const first = set.firstCluster;
  const out: { clusters: number[]; sure: boolean }[] = [];
  const seen = new Set<string>();
  const add = (clusters: number[] | null, sure: boolean): void => {
    if (!clusters || clusters.length === 0) return;
    const k = clusters.join(',');
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ clusters, sure });
  };
  if (set.noFatChain) {
    const c = contiguous(vol, first, n);
    if (!c) problems.push({ at, what: `exfat: "${set.name}" contiguous run past the cluster heap` });
    add(c, !deleted);
    if (!deleted) return out;
  } else {
    const ch = await vol.chain(first, n + 1);
    const whole = ch.clusters.length === n && !ch.problem && (await vol.fatEntry(ch.clusters[n - 1]!)) === FAT_EOC;
    if (whole) add(ch.clusters, !deleted);
    else if (!deleted) {
      problems.push({ at, what: `exfat: "${set.name}" FAT chain ${ch.problem ?? 'has the wrong length'} (${ch.clusters.length}/${n} clusters)` });
      add(ch.clusters, false);
      return out;
    }
  }
  if (deleted) {
    add(contiguous(vol, first, n), false);
    // Only a file whose bytes can confirm a guess is worth the free-cluster search.
    if (n > 1 && n * vol.geo.clusterSize <= CONFIRM_MAX) add(await nextFree(vol, first, n), false);
  }
  return out;
}

export async function resolveFile(
  vol: ExfatVolume,
  set: EntrySet,
  deleted: boolean,
  confirm: ConfirmFn | undefined,
  problems: FsProblem[],
  at: number,
): Promise<Resolved> {
  const size = set.dataLength;
  const cs = vol.geo.clusterSize;
  if (size === 0) return { extents: [], confirmed: !deleted, clusters: [] };
  if (size > vol.geo.clusterCount * cs || !Number.isSafeInteger(size)) {
    problems.push({ at, what: `exfat: "${set.name}" size ${size} larger than the volume` });
    return { extents: [], confirmed: false, clusters: [] };
  }
  if (!vol.validCluster(set.firstCluster)) {
    problems.push({ at, what: `exfat: "${set.name}" first cluster ${set.firstCluster} out of range` });
    return { extents: [], confirmed: false, clusters: [] };
  }
  const n = Math.ceil(size / cs);
  const tries = await clusterCandidates(vol, set, deleted, n, problems, at);
  const expect = keyKindOfName(set.name);
  const canCheck = confirm !== undefined && size <= CONFIRM_MAX;
  for (const t of tries) {
    if (t.clusters.length < n) continue;
    const extents = vol.extents(t.clusters, size);
    // Live chains of the right length are confirmed by the file system itself.
    if (t.sure) return { extents, confirmed: true, clusters: t.clusters };
    if (!canCheck) continue;
    const bytes = await vol.readExtents(extents, size);
    if (bytes && bytesConfirm(confirm, bytes, size, expect)) return { extents, confirmed: true, clusters: t.clusters };
  }
  const best = tries[0];
  if (!best) return { extents: [], confirmed: false, clusters: [] };
  return { extents: vol.extents(best.clusters, size), confirmed: false, clusters: best.clusters };
}

/** Clusters of a directory: FAT chain or contiguous run; for a deleted one, further clusters are
 * accepted only while `looksLikeDir` agrees (its chain is gone). */
export async function directoryClusters(
  vol: ExfatVolume,
  set: EntrySet,
  deleted: boolean,
  maxClusters: number,
  problems: FsProblem[],
  at: number,
): Promise<number[]> {
  const cs = vol.geo.clusterSize;
  if (!vol.validCluster(set.firstCluster)) {
    problems.push({ at, what: `exfat: directory "${set.name}" first cluster ${set.firstCluster} out of range` });
    return [];
  }
  let n = Math.ceil(set.dataLength / cs);
  if (!Number.isSafeInteger(n) || n < 1) n = 1;
  if (n > maxClusters) {
    problems.push({ at, what: `exfat: directory "${set.name}" size ${set.dataLength} too large, read ${maxClusters} clusters` });
    n = maxClusters;
  }
  const tries = await clusterCandidates(vol, set, deleted, n, problems, at);
  const best = tries.find((t) => t.sure) ?? tries[0];
  return best ? best.clusters : [set.firstCluster];
}

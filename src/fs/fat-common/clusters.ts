// Cluster arithmetic shared by the FAT and exFAT engines: both number data clusters from 2.
import type { ByteRange } from '../../source/types.ts';

export interface ClusterGeometry {
  /** Absolute offset of the volume's first byte. */
  readonly volumeOffset: number;
  /** Absolute offset of cluster 2. */
  readonly dataStart: number;
  readonly clusterSize: number;
  /** Number of data clusters; valid cluster numbers are 2 .. clusterCount + 1. */
  readonly clusterCount: number;
}

export function validCluster(g: ClusterGeometry, c: number): boolean {
  return Number.isInteger(c) && c >= 2 && c <= g.clusterCount + 1;
}

export function clusterOffset(g: ClusterGeometry, c: number): number {
  return g.dataStart + (c - 2) * g.clusterSize;
}

/** Clusters first .. first + count − 1, in file order: what a chain walk yields, one object per
 * fragment rather than per cluster (a 64 MiB file is 16384 clusters and usually one run). */
export interface ClusterRun {
  readonly first: number;
  readonly count: number;
}

/** Cluster list → its runs of consecutive clusters. */
export function clusterRuns(clusters: readonly number[]): ClusterRun[] {
  const runs: { first: number; count: number }[] = [];
  for (const c of clusters) {
    const last = runs[runs.length - 1];
    if (last && last.first + last.count === c) last.count++;
    else runs.push({ first: c, count: 1 });
  }
  return runs;
}

/** Runs → absolute extents covering exactly `size` bytes, adjacent ones merged. */
export function runsToExtents(g: ClusterGeometry, runs: readonly ClusterRun[], size: number): ByteRange[] {
  const out: { offset: number; length: number }[] = [];
  let left = size;
  for (const r of runs) {
    if (left <= 0) break;
    const len = Math.min(left, r.count * g.clusterSize);
    const off = clusterOffset(g, r.first);
    const last = out[out.length - 1];
    if (last && last.offset + last.length === off) last.length += len;
    else out.push({ offset: off, length: len });
    left -= len;
  }
  return out;
}

/** Cluster list → absolute extents covering exactly `size` bytes, adjacent clusters merged. */
export function clustersToExtents(g: ClusterGeometry, clusters: readonly number[], size: number): ByteRange[] {
  return runsToExtents(g, clusterRuns(clusters), size);
}

export function clustersFor(size: number, clusterSize: number): number {
  return size <= 0 ? 0 : Math.ceil(size / clusterSize);
}

/** Reads `len` bytes in bounded pieces; unreadable pieces come back zero-filled and listed. The
 * bytes may be the ones the reader returned: callers read them, never write them. */
export async function readPieces(
  reader: { size: number; read(o: number, l: number, shared?: boolean): Promise<Uint8Array | null> },
  offset: number,
  len: number,
  piece = 4 << 20,
): Promise<{ bytes: Uint8Array; bad: ByteRange[] }> {
  let bytes: Uint8Array | null = null;
  const bad: ByteRange[] = [];
  for (let at = 0; at < len; at += piece) {
    const n = Math.min(piece, len - at);
    let got: Uint8Array | null = null;
    try {
      got = await reader.read(offset + at, n, true);
    } catch {
      got = null;
    }
    // Read whole in one piece: the reader's bytes, not a copy (copying a 2 MiB FAT faults in 512
    // fresh pages, ~1.3 ms here). The callers only read them.
    if (n === len && got && got.length >= n) return { bytes: got.subarray(0, n), bad };
    bytes ??= new Uint8Array(len);
    if (got) bytes.set(got.subarray(0, n), at);
    if (!got || got.length < n) bad.push({ offset: offset + at + (got?.length ?? 0), length: n - (got?.length ?? 0) });
  }
  return { bytes: bytes ?? new Uint8Array(0), bad };
}

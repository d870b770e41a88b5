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

/** Cluster list → absolute extents covering exactly `size` bytes, adjacent clusters merged. */
export function clustersToExtents(g: ClusterGeometry, clusters: readonly number[], size: number): ByteRange[] {
  const out: { offset: number; length: number }[] = [];
  let left = size;
  for (const c of clusters) {
    if (left <= 0) break;
    const len = Math.min(left, g.clusterSize);
    const off = clusterOffset(g, c);
    const last = out[out.length - 1];
    if (last && last.offset + last.length === off) last.length += len;
    else out.push({ offset: off, length: len });
    left -= len;
  }
  return out;
}

export function clustersFor(size: number, clusterSize: number): number {
  return size <= 0 ? 0 : Math.ceil(size / clusterSize);
}

/** Reads `len` bytes in bounded pieces; unreadable pieces come back zero-filled and listed. */
export async function readPieces(
  reader: { size: number; read(o: number, l: number): Promise<Uint8Array | null> },
  offset: number,
  len: number,
  piece = 4 << 20,
): Promise<{ bytes: Uint8Array; bad: ByteRange[] }> {
  const bytes = new Uint8Array(Math.max(0, len));
  const bad: ByteRange[] = [];
  for (let at = 0; at < len; at += piece) {
    const n = Math.min(piece, len - at);
    let got: Uint8Array | null = null;
    try {
      got = await reader.read(offset + at, n);
    } catch {
      got = null;
    }
    if (got) bytes.set(got.subarray(0, n), at);
    if (!got || got.length < n) bad.push({ offset: offset + at + (got?.length ?? 0), length: n - (got?.length ?? 0) });
  }
  return { bytes, bad };
}

/**
 * Where each written file lies on the medium, for report.dfxml and report.html: its exact byte runs
 * (a token frame skipped, the tail cut at the file's length, never rounded up to a cluster) and
 * what the file system says about it. Kept beside report.json, keyed by the path under --out.
 */
import type { FileEvidence } from '../fs/types.ts';

export interface ByteRun {
  readonly fileOffset: number;
  readonly imgOffset: number;
  readonly length: number;
}

export interface Placement {
  /** Empty when the bytes have no place on the medium of their own (NTFS-resident, rebuilt by pairing). */
  readonly runs: readonly ByteRun[];
  /** Live (true) or deleted (false) as the file system says; null when only carved. */
  readonly alloc: boolean | null;
  /** A file system lists it but its folder is no longer reachable from the root. */
  readonly orphan: boolean;
  /** Its path on the medium, when a file system knows it. */
  readonly originalPath: string | null;
  /** NTFS keeps the bytes inside the file record. */
  readonly resident: boolean;
}

/** Path under --out → placement. */
export type Placements = Map<string, Placement>;

/** What the mergers give for every file (KeyFile and OtherFile alike). */
export interface Placed {
  readonly offset: number;
  readonly bytes: Uint8Array;
  readonly fs: FileEvidence | null;
}

export function placementOf(f: Placed): Placement {
  const fs = f.fs;
  return {
    runs: byteRuns(f),
    alloc: fs ? !fs.deleted : null,
    orphan: fs !== null && (fs.evidence === 'orphan-dir' || fs.parentPath === null),
    originalPath: fs && fs.parentPath !== null ? `${fs.parentPath.replace(/\/+$/, '')}/${fs.name}` : null,
    resident: fs?.resident !== undefined,
  };
}

/** The file's bytes as runs on the image: from the file system's extents when it has them, else where it was carved. */
export function byteRuns(f: Placed): ByteRun[] {
  if (f.offset < 0) return [];
  const extents = f.fs?.extents ?? [];
  if (extents.length === 0) return f.fs?.resident ? [] : [{ fileOffset: 0, imgOffset: f.offset, length: f.bytes.length }];
  const runs: ByteRun[] = [];
  let skip = f.offset - extents[0]!.offset; // a token frame's lead byte is not part of the key file
  let pos = 0;
  for (const e of extents) {
    const cut = Math.min(Math.max(skip, 0), e.length);
    skip -= cut;
    const take = Math.min(e.length - cut, f.bytes.length - pos);
    if (take <= 0) continue;
    const at = e.offset + cut;
    const last = runs[runs.length - 1];
    if (last && last.imgOffset + last.length === at) runs[runs.length - 1] = { ...last, length: last.length + take };
    else runs.push({ fileOffset: pos, imgOffset: at, length: take });
    pos += take;
    if (pos >= f.bytes.length) break;
  }
  return runs;
}

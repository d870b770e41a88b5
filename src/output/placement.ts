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
  /** The times the file system keeps for it (DFXML's mtime, crtime, atime). */
  readonly times: { readonly mtime?: FileTime; readonly crtime?: FileTime; readonly atime?: FileTime };
}

/**
 * A file-system time as an xs:dateTime: with its zone when the file system keeps one (NTFS, exFAT
 * with its UTC offset), without one when it keeps the local time of a zone it never names (FAT,
 * exFAT without the offset) — never a made-up zone. `precision` in seconds: a FAT access time is a
 * date only, written as midnight with precision 86400.
 */
export interface FileTime {
  readonly value: string;
  readonly zoned: boolean;
  readonly precision?: number;
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
    times: fileTimes(fs?.times),
  };
}

function fileTimes(t: FileEvidence['times']): Placement['times'] {
  const out: { mtime?: FileTime; crtime?: FileTime; atime?: FileTime } = {};
  const m = fileTime(t?.modified);
  const c = fileTime(t?.created);
  const a = fileTime(t?.accessed);
  if (m) out.mtime = m;
  if (c) out.crtime = c;
  if (a) out.atime = a;
  return out;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The time as the file system gave it, when it is a real calendar time (a damaged entry can say 31 February, 25:61). */
export function fileTime(v: string | undefined): FileTime | null {
  const p = v === undefined ? null : ISO.exec(v);
  if (!p) return null;
  const [y, mo, d, h = 0, mi = 0, s = 0] = p.slice(1, 7).map((x) => (x === undefined ? undefined : Number(x))) as number[];
  const day = new Date(Date.UTC(y!, mo! - 1, d!));
  if (y! < 1 || day.getUTCMonth() !== mo! - 1 || day.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  const dateOnly = p[4] === undefined;
  return { value: dateOnly ? `${v}T00:00:00` : v!, zoned: p[8] !== undefined, ...(dateOnly ? { precision: 86400 } : {}) };
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

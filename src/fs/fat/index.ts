// FAT12/16/32 analysis: boot sector (backup at sector 6), FAT (second copy on damage), a bounded
// walk over live and deleted directories, and content-confirmed extents for deleted key files.
// Only the FAT and directory clusters are read, plus the few clusters of deleted key files.
import type { Candidate } from '../../carve/types.ts';
import { identifyKeyFile } from '../../format/key-file-id.ts';
import type { FileEvidence, FsProblem, MediaReader, Volume } from '../types.ts';
import { clustersToExtents, readPieces, validCluster } from '../fat-common/clusters.ts';
import { readFatBoot, type FatBoot } from './boot.ts';
import { entryLooksValid, parseDirEntries, type DirEntry } from '../../layout/fat-dir-entry.ts';
import { filesFromOrphanDirs } from './orphans.ts';
import { readCluster, resolveDeleted, resolveLive, startCandidates, type Confirm, type ResolveCtx } from './resolve.ts';
import { keyKindOfName } from '../../format/key-file-names.ts';
import { readFatTable } from './table.ts';

export { filesFromOrphanDirs } from './orphans.ts';
export type { Confirm } from './resolve.ts';

const MAX_DIRS = 100_000;
const MAX_DEPTH = 64;
const MAX_FILES = 1_000_000;
/** A FAT directory holds at most 65536 entries (2 MiB). */
const MAX_DIR_BYTES = 2 << 20;
/** A deleted directory's clusters are guessed contiguous; container folders need one or two. */
const MAX_DELETED_DIR_CLUSTERS = 64;

export interface AnalyseFatOptions {
  confirm?: Confirm;
  orphanDirs?: readonly Candidate[];
  /** How the caller found the volume (defaults from the offset). */
  foundBy?: Volume['foundBy'];
}

interface DirJob {
  readonly bytes: Uint8Array;
  /** First cluster (0 for the FAT12/16 fixed root). */
  readonly cluster: number;
  readonly path: string;
  readonly name: string | null;
  readonly deleted: boolean;
  readonly depth: number;
}

const dotCluster = (b: Uint8Array, o: number): number => ((b[o + 26] ?? 0) | ((b[o + 27] ?? 0) << 8)) + ((b[o + 20] ?? 0) | ((b[o + 21] ?? 0) << 8)) * 0x10000;

/** `.` / `..` entry at slot o, tolerating a deleted (0xE5) first byte. */
function isDotEntry(b: Uint8Array, o: number, two: boolean): boolean {
  const f = b[o] ?? 0;
  if (f !== 0x2e && f !== 0xe5) return false;
  if (two && b[o + 1] !== 0x2e) return false;
  for (let i = two ? 2 : 1; i < 11; i++) if (b[o + i] !== 0x20) return false;
  return ((b[o + 11] ?? 0) & 0x10) !== 0;
}

/** First cluster of a deleted directory: a candidate whose own `.` names it and whose `..` names the parent. */
async function resolveDeletedDir(
  ctx: ResolveCtx,
  boot: FatBoot,
  e: DirEntry,
  parentCluster: number,
): Promise<number[] | null> {
  const parents = new Set([parentCluster]);
  if (parentCluster === 0 || parentCluster === boot.rootCluster) parents.add(0).add(boot.rootCluster);
  for (const s of startCandidates(ctx, e.clusterLo, e.clusterHi, 1)) {
    const b = await readCluster(ctx, s);
    if (!b || !isDotEntry(b, 0, false) || !isDotEntry(b, 32, true)) continue;
    const self = dotCluster(b, 0);
    // FAT12/16 `.` entries have no high word; a stale high word there is noise.
    if ((ctx.fat32 ? self : self & 0xffff) !== s || !parents.has(ctx.fat32 ? dotCluster(b, 32) : dotCluster(b, 32) & 0xffff)) continue;
    const clusters = [s];
    let ended = parseDirEntries(b).ended;
    while (!ended && clusters.length < MAX_DELETED_DIR_CLUSTERS) {
      const next = clusters[clusters.length - 1]! + 1;
      if (ctx.table && !ctx.table.isFree(next)) break;
      const nb = await readCluster(ctx, next);
      if (!nb || !entryLooksValid(nb, 0) || isDotEntry(nb, 0, false)) break;
      clusters.push(next);
      ended = parseDirEntries(nb).ended;
    }
    return clusters;
  }
  return null;
}

async function readClusters(ctx: ResolveCtx, clusters: readonly number[]): Promise<Uint8Array> {
  const total = clusters.length * ctx.geo.clusterSize;
  const out = new Uint8Array(total);
  let at = 0;
  for (const x of clustersToExtents(ctx.geo, clusters, total)) {
    out.set((await readPieces(ctx.reader, x.offset, x.length)).bytes, at);
    at += x.length;
  }
  return out;
}

export async function analyseFat(
  reader: MediaReader,
  volumeOffset: number,
  opts: AnalyseFatOptions = {},
): Promise<{ volume: Volume; files: FileEvidence[]; problems: FsProblem[] } | null> {
  const problems: FsProblem[] = [];
  const got = await readFatBoot(reader, volumeOffset, problems);
  if (!got) return null;
  const { boot } = got;
  const table = await readFatTable(reader, boot, problems);
  const ctx: ResolveCtx = {
    reader,
    geo: boot,
    fat32: boot.type === 'fat32',
    table,
    confirm: opts.confirm ?? identifyKeyFile,
    cache: new Map(),
  };
  const files: FileEvidence[] = [];
  const visited = new Set<number>();
  const volKey = (c: number) => `fat:${volumeOffset}:${c === 0 ? 'root' : c}`;
  let label = boot.label;

  // Root directory.
  let rootBytes: Uint8Array;
  if (boot.type === 'fat32') {
    const ch = table.chain(boot.rootCluster, Math.ceil(MAX_DIR_BYTES / boot.clusterSize));
    if (ch.error) problems.push({ at: volumeOffset, what: `root directory chain: ${ch.error}` });
    rootBytes = await readClusters(ctx, ch.clusters);
    visited.add(boot.rootCluster);
  } else {
    const r = await readPieces(reader, boot.rootDirOffset, Math.min(boot.rootEntries * 32, MAX_DIR_BYTES));
    if (r.bad.length) problems.push({ at: boot.rootDirOffset, what: 'root directory partly unreadable' });
    rootBytes = r.bytes;
  }
  const stack: DirJob[] = [{ bytes: rootBytes, cluster: boot.type === 'fat32' ? boot.rootCluster : 0, path: '/', name: null, deleted: false, depth: 0 }];
  let dirs = 0;
  while (stack.length) {
    const job = stack.pop()!;
    if (++dirs > MAX_DIRS) {
      problems.push({ at: volumeOffset, what: `more than ${MAX_DIRS} directories; walk stopped` });
      break;
    }
    const isRoot = job.depth === 0;
    const { entries, invalid } = parseDirEntries(job.bytes);
    if (invalid > 0 && !isRoot && job.deleted && entries.length === 0) continue;
    const folderKey = volKey(isRoot && boot.type !== 'fat32' ? 0 : job.cluster);
    for (const e of entries) {
      if (e.isDot || e.isDotDot || e.attr === 0x0f) continue;
      if (e.attr & 0x08) {
        if (isRoot && !e.deleted && !(e.attr & 0x10)) label = e.shortRaw.replace(/ +$/, '');
        continue;
      }
      const childPath = job.path === '/' ? `/${e.name}` : `${job.path}/${e.name}`;
      if (e.isDir) {
        if (job.depth + 1 > MAX_DEPTH) {
          problems.push({ at: volumeOffset, what: `directory depth over ${MAX_DEPTH} at ${childPath}` });
          continue;
        }
        let clusters: number[] | null;
        if (!e.deleted && !job.deleted) {
          const start = ctx.fat32 ? e.clusterHi * 0x10000 + e.clusterLo : e.clusterLo;
          if (visited.has(start)) {
            problems.push({ at: volumeOffset, what: `directory loop: ${childPath} points at an already walked cluster ${start}` });
            continue;
          }
          if (!validCluster(boot, start)) {
            problems.push({ at: volumeOffset, what: `directory ${childPath}: start cluster ${start} out of range` });
            continue;
          }
          const ch = table.chain(start, Math.ceil(MAX_DIR_BYTES / boot.clusterSize));
          if (ch.error) problems.push({ at: volumeOffset, what: `directory ${childPath}: ${ch.error}` });
          clusters = ch.clusters;
        } else {
          clusters = await resolveDeletedDir(ctx, boot, e, job.cluster);
          if (!clusters) {
            problems.push({ at: volumeOffset, what: `deleted directory ${childPath}: its cluster no longer holds it` });
            continue;
          }
          if (visited.has(clusters[0]!)) continue;
        }
        for (const c of clusters) visited.add(c);
        stack.push({
          bytes: await readClusters(ctx, clusters),
          cluster: clusters[0]!,
          path: childPath,
          name: e.name,
          deleted: e.deleted || job.deleted,
          depth: job.depth + 1,
        });
        continue;
      }
      if (files.length >= MAX_FILES) {
        problems.push({ at: volumeOffset, what: `more than ${MAX_FILES} files; rest skipped` });
        break;
      }
      const deleted = e.deleted || job.deleted;
      let res;
      if (!deleted) {
        const start = ctx.fat32 ? e.clusterHi * 0x10000 + e.clusterLo : e.clusterLo;
        res = resolveLive(ctx, start, e.size);
        if (res.error) {
          problems.push({ at: volumeOffset, what: `${childPath}: ${res.error}` });
          // Both FAT copies broken: a key file can still be confirmed by content.
          if (keyKindOfName(e.name)) {
            const alt = await resolveDeleted(ctx, { name: e.name, size: e.size, lo: e.clusterLo, hi: e.clusterHi }, job.cluster);
            if (alt.confirmed) res = alt;
          }
        }
      } else {
        res = await resolveDeleted(ctx, { name: e.name, size: e.size, lo: e.clusterLo, hi: e.clusterHi }, job.cluster);
        if (res.note && keyKindOfName(e.name)) problems.push({ at: volumeOffset, what: `${childPath}: ${res.note}` });
      }
      files.push({
        evidence: 'fat-entry',
        name: e.name,
        parentName: job.name,
        parentPath: job.path,
        folderKey,
        deleted,
        size: e.size,
        extents: res.extents,
        confirmed: res.confirmed,
        times: e.times,
        volumeOffset,
      });
    }
  }

  if (opts.orphanDirs?.length) {
    const volEnd = volumeOffset + boot.totalSectors * boot.bytesPerSector;
    const mine = opts.orphanDirs.filter((d) => {
      if (d.offset < boot.dataStart || d.offset >= volEnd) return false;
      const rel = d.offset - boot.dataStart;
      // Directory clusters the walk already read are not orphans.
      return !(rel % boot.clusterSize === 0 && visited.has(rel / boot.clusterSize + 2));
    });
    if (mine.length) {
      const o = await filesFromOrphanDirs(mine, reader, { geometry: boot, fat32: ctx.fat32, table, confirm: ctx.confirm });
      files.push(...o.files);
      problems.push(...o.problems);
    }
  }

  const volume: Volume = {
    type: boot.type,
    offset: volumeOffset,
    size: Math.min(boot.totalSectors * boot.bytesPerSector, Math.max(0, reader.size - volumeOffset)),
    clusterSize: boot.clusterSize,
    label,
    foundBy: got.fromBackup ? 'backup-boot' : (opts.foundBy ?? (volumeOffset === 0 ? 'superfloppy' : 'mbr')),
  };
  return { volume, files, problems };
}

// FAT12/16/32 analysis: boot sector (backup at sector 6), FAT (second copy on damage), a bounded
// walk over live and deleted directories, and content-confirmed extents for deleted key files.
// Only the FAT and directory clusters are read, plus the few clusters of deleted key files.
import type { Candidate } from '../../carve/types.ts';
import { identifyKeyFile } from '../../format/key-file-id.ts';
import type { FileEvidence, FsProblem, MediaReader, Volume } from '../types.ts';
import { readPieces, runsToExtents, validCluster, type ClusterRun } from '../fat-common/clusters.ts';
import { readFatBoot, type FatBoot } from './boot.ts';
import { dotCluster, opensDirectory, parseDirEntries, runsOnInto, type DirEntry } from '../../layout/fat-dir-entry.ts';
import { filesFromOrphanDirs } from './orphans.ts';
import { sweepCutNote, sweepFreeClusters } from '../fat-common/free-sweep.ts';
import { fatSweep, MAX_DELETED_DIR_CLUSTERS } from './free-sweep.ts';
import { newBudget, readCluster, resolveDeleted, resolveLive, startCandidates, type Confirm, type ResolveCtx } from './resolve.ts';
import { keyKindOfName } from '../../format/key-file-names.ts';
import { readFatTable, type FatTable } from './table.ts';

export { filesFromOrphanDirs } from './orphans.ts';
export type { Confirm } from './resolve.ts';

const MAX_DIRS = 100_000;
const MAX_DEPTH = 64;
const MAX_FILES = 1_000_000;
/** A FAT directory holds at most 65536 entries (2 MiB). */
const MAX_DIR_BYTES = 2 << 20;

export interface AnalyseFatOptions {
  confirm?: Confirm;
  orphanDirs?: readonly Candidate[];
  /** How the caller found the volume (defaults from the offset). */
  foundBy?: Volume['foundBy'];
  /** Bytes of free clusters to read for orphaned folders (src/fs/fat-common/free-sweep.ts): a quick
   * scan's stand-in for the pass's carved directories. */
  freeSweep?: number;
  /** The sweep's bytes read so far (src/fs/fat-common/free-sweep.ts). */
  onSweep?: (swept: number) => void;
}

interface DirJob {
  /** Its clusters, read when the job is taken (so a wide tree of pending folders holds no bytes). */
  readonly runs: readonly ClusterRun[];
  /** The FAT12/16 fixed root's bytes (it has no clusters). */
  readonly bytes?: Uint8Array;
  /** First cluster (0 for the FAT12/16 fixed root). */
  readonly cluster: number;
  readonly path: string;
  readonly name: string | null;
  readonly deleted: boolean;
  readonly depth: number;
}

/** One volume's walk: what every step reads and adds to. */
interface Walk {
  readonly ctx: ResolveCtx;
  readonly boot: FatBoot;
  readonly table: FatTable;
  readonly files: FileEvidence[];
  readonly problems: FsProblem[];
  readonly visited: Set<number>;
  readonly stack: DirJob[];
  label: string;
  /** Problems past MAX_PROBLEMS, counted rather than listed. */
  unlisted: number;
}

/** Per-volume bound on listed problems: hostile metadata can make one per entry. */
const MAX_PROBLEMS = 1000;

function report(w: Walk, what: string): void {
  if (w.problems.length < MAX_PROBLEMS) w.problems.push({ at: w.boot.volumeOffset, what });
  else w.unlisted++;
}

/** First cluster of a deleted directory: a candidate whose own `.` names it and whose `..` names the parent. */
async function resolveDeletedDir(
  ctx: ResolveCtx,
  boot: FatBoot,
  e: DirEntry,
  parentCluster: number,
): Promise<ClusterRun[] | null> {
  const parents = new Set([parentCluster]);
  if (parentCluster === 0 || parentCluster === boot.rootCluster) parents.add(0).add(boot.rootCluster);
  for (const s of startCandidates(ctx, e.clusterLo, e.clusterHi, 1)) {
    const b = await readCluster(ctx, s);
    if (!b || !opensDirectory(b, 0) || dotCluster(b, 0, ctx.fat32) !== s || !parents.has(dotCluster(b, 32, ctx.fat32))) continue;
    let count = 1;
    for (let prev = b; count < MAX_DELETED_DIR_CLUSTERS; count++) {
      const next = s + count;
      if (parseDirEntries(prev).ended || (ctx.table && !ctx.table.isFree(next))) break;
      const nb = await readCluster(ctx, next);
      if (!nb || !runsOnInto(prev, nb)) break;
      prev = nb;
    }
    return [{ first: s, count }];
  }
  return null;
}

async function readClusters(ctx: ResolveCtx, runs: readonly ClusterRun[]): Promise<Uint8Array> {
  const total = runs.reduce((n, r) => n + r.count, 0) * ctx.geo.clusterSize;
  const out = new Uint8Array(total);
  let at = 0;
  for (const x of runsToExtents(ctx.geo, runs, total)) {
    out.set((await readPieces(ctx.reader, x.offset, x.length)).bytes, at);
    at += x.length;
  }
  return out;
}

const volKey = (boot: FatBoot, c: number) => `fat:${boot.volumeOffset}:${c === 0 ? 'root' : c}`;
const startCluster = (ctx: ResolveCtx, e: DirEntry) => (ctx.fat32 ? e.clusterHi * 0x10000 + e.clusterLo : e.clusterLo);
const childPath = (job: DirJob, e: DirEntry) => (job.path === '/' ? `/${e.name}` : `${job.path}/${e.name}`);

/** The root: a cluster chain on FAT32, a fixed area before the data on FAT12/16. */
async function rootJob(w: Walk): Promise<DirJob> {
  const { boot } = w;
  const root = { path: '/', name: null, deleted: false, depth: 0 };
  if (boot.type === 'fat32') {
    const ch = w.table.chain(boot.rootCluster, Math.ceil(MAX_DIR_BYTES / boot.clusterSize));
    if (ch.error) report(w, `root directory chain: ${ch.error}`);
    w.visited.add(boot.rootCluster);
    return { ...root, runs: ch.runs, cluster: boot.rootCluster };
  }
  const r = await readPieces(w.ctx.reader, boot.rootDirOffset, Math.min(boot.rootEntries * 32, MAX_DIR_BYTES));
  if (r.bad.length) w.problems.push({ at: boot.rootDirOffset, what: 'root directory partly unreadable' });
  return { ...root, runs: [], bytes: r.bytes, cluster: 0 };
}

/** Depth-first over live and deleted directories, bounded in count, depth and files. */
async function walkDirectories(w: Walk): Promise<void> {
  let dirs = 0;
  while (w.stack.length) {
    const job = w.stack.pop()!;
    if (++dirs > MAX_DIRS) {
      w.problems.push({ at: w.boot.volumeOffset, what: `more than ${MAX_DIRS} directories; walk stopped` });
      return;
    }
    const isRoot = job.depth === 0;
    const { entries, invalid } = parseDirEntries(job.bytes ?? (await readClusters(w.ctx, job.runs)));
    if (invalid > 0 && !isRoot && job.deleted && entries.length === 0) continue;
    const folderKey = volKey(w.boot, isRoot && w.boot.type !== 'fat32' ? 0 : job.cluster);
    for (const e of entries) {
      if (e.isDot || e.isDotDot || e.attr === 0x0f) continue;
      if (e.attr & 0x08) {
        if (isRoot && !e.deleted && !(e.attr & 0x10)) w.label = e.shortRaw.replace(/ +$/, '');
        continue;
      }
      if (e.isDir) {
        await pushDirectory(w, job, e);
        continue;
      }
      if (w.files.length >= MAX_FILES) {
        w.problems.push({ at: w.boot.volumeOffset, what: `more than ${MAX_FILES} files; rest skipped` });
        return;
      }
      w.files.push(await fileEvidence(w, job, e, folderKey));
    }
  }
}

/** A subdirectory entry → a job on the stack (its clusters from the FAT, or guessed when deleted). */
async function pushDirectory(w: Walk, job: DirJob, e: DirEntry): Promise<void> {
  const { boot } = w;
  const path = childPath(job, e);
  if (job.depth + 1 > MAX_DEPTH) {
    report(w, `directory depth over ${MAX_DEPTH} at ${path}`);
    return;
  }
  let runs: readonly ClusterRun[] | null;
  if (!e.deleted && !job.deleted) {
    const start = startCluster(w.ctx, e);
    if (w.visited.has(start)) {
      report(w, `directory loop: ${path} points at an already walked cluster ${start}`);
      return;
    }
    if (!validCluster(boot, start)) {
      report(w, `directory ${path}: start cluster ${start} out of range`);
      return;
    }
    const ch = w.table.chain(start, Math.ceil(MAX_DIR_BYTES / boot.clusterSize));
    if (ch.error) report(w, `directory ${path}: ${ch.error}`);
    runs = ch.runs;
  } else {
    runs = await resolveDeletedDir(w.ctx, boot, e, job.cluster);
    if (!runs) {
      report(w, `deleted directory ${path}: its cluster no longer holds it`);
      return;
    }
    if (w.visited.has(runs[0]!.first)) return;
  }
  for (const r of runs) for (let c = r.first; c < r.first + r.count; c++) w.visited.add(c);
  w.stack.push({ runs, cluster: runs[0]!.first, path, name: e.name, deleted: e.deleted || job.deleted, depth: job.depth + 1 });
}

/** A file entry → its evidence: the FAT chain when live, content-confirmed clusters when deleted. */
async function fileEvidence(w: Walk, job: DirJob, e: DirEntry, folderKey: string): Promise<FileEvidence> {
  const { ctx, boot } = w;
  const deleted = e.deleted || job.deleted;
  const entry = { name: e.name, size: e.size, lo: e.clusterLo, hi: e.clusterHi };
  let res;
  if (!deleted) {
    res = resolveLive(ctx, startCluster(ctx, e), e.size);
    if (res.error) {
      report(w, `${childPath(job, e)}: ${res.error}`);
      // Both FAT copies broken: a key file can still be confirmed by content.
      if (keyKindOfName(e.name)) {
        const alt = await resolveDeleted(ctx, entry, job.cluster);
        if (alt.confirmed) res = alt;
      }
    }
  } else {
    res = await resolveDeleted(ctx, entry, job.cluster);
    if (res.note && keyKindOfName(e.name)) report(w, `${childPath(job, e)}: ${res.note}`);
  }
  return {
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
    volumeOffset: boot.volumeOffset,
  };
}

/** Directory clusters the linear pass found inside this volume that the walk did not read. */
async function addOrphans(w: Walk, orphanDirs: readonly Candidate[]): Promise<void> {
  const { boot } = w;
  const volEnd = boot.volumeOffset + boot.totalSectors * boot.bytesPerSector;
  const mine = orphanDirs.filter((d) => {
    if (d.offset < boot.dataStart || d.offset >= volEnd) return false;
    const rel = d.offset - boot.dataStart;
    return !(rel % boot.clusterSize === 0 && w.visited.has(rel / boot.clusterSize + 2));
  });
  if (!mine.length) return;
  const o = await filesFromOrphanDirs(mine, w.ctx.reader, { geometry: boot, fat32: w.ctx.fat32, table: w.table, confirm: w.ctx.confirm });
  w.files.push(...o.files);
  w.problems.push(...o.problems);
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
    budget: newBudget(),
  };
  const w: Walk = { ctx, boot, table, files: [], problems, visited: new Set(), stack: [], label: boot.label, unlisted: 0 };
  w.stack.push(await rootJob(w));
  await walkDirectories(w);
  if (w.unlisted) problems.push({ at: volumeOffset, what: `${w.unlisted} more problems of the directory walk not listed` });
  const sweep = opts.freeSweep ? await sweepFreeClusters(reader, fatSweep(boot, table), opts.freeSweep, opts.onSweep) : null;
  if (sweep?.cut) problems.push({ at: volumeOffset, what: sweepCutNote(sweep.swept) });
  const orphans = [...(opts.orphanDirs ?? []), ...(sweep?.dirs ?? [])];
  if (orphans.length) await addOrphans(w, orphans);
  const volume: Volume = {
    type: boot.type,
    offset: volumeOffset,
    size: Math.min(boot.totalSectors * boot.bytesPerSector, Math.max(0, reader.size - volumeOffset)),
    clusterSize: boot.clusterSize,
    label: w.label,
    foundBy: got.fromBackup ? 'backup-boot' : (opts.foundBy ?? (volumeOffset === 0 ? 'superfloppy' : 'mbr')),
  };
  return { volume, files: w.files, problems };
}

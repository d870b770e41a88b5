/**
 * exFAT analyser: boot region (main, else backup), allocation bitmap, then a bounded, loop-safe
 * walk of the directory tree from the root, live and deleted entry sets alike, plus orphan entry
 * sets carved from anywhere in the heap (quick format). Total: any bytes give a result or null and
 * recorded problems, never a throw.
 */
import { identifyKeyFile } from '../../format/key-file-id.ts';
import type { Candidate } from '../../carve/types.ts';
import type { FileEvidence, FsProblem, MediaReader, Volume } from '../types.ts';
import { bootChecksumOk, bootSectorSize, looksLikeExfatBoot, parseBootSector, type ExfatGeometry } from './boot.ts';
import { ENTRY, parseDirectory, parseSetAt } from '../../layout/exfat-entry-set.ts';
import { fileEvidence } from './evidence.ts';
import { orphanEvidence } from './orphans.ts';
import { sweepCutNote, sweepFreeClusters } from '../fat-common/free-sweep.ts';
import { exfatSweep } from './free-sweep.ts';
import { directoryClusters, resolveFile, type ConfirmFn } from './resolve.ts';
import { ExfatVolume } from './volume.ts';

export type { ExfatGeometry } from './boot.ts';
export { orphanEvidence } from './orphans.ts';

export interface ExfatOptions {
  confirm?: ConfirmFn;
  orphanSets?: readonly Candidate[];
  /** How the caller found the volume (partition table); 'backup-boot' wins when the main region is bad. */
  foundBy?: Volume['foundBy'];
  /** Bytes of free clusters to read for orphaned folders (src/fs/fat-common/free-sweep.ts): a quick
   * scan's stand-in for the pass's carved entry sets. */
  freeSweep?: number;
  /** The sweep's bytes read so far (src/fs/fat-common/free-sweep.ts). */
  onSweep?: (swept: number) => void;
}

export interface ExfatResult {
  volume: Volume;
  files: FileEvidence[];
  problems: FsProblem[];
}

const MAX_DIRS = 20_000;
const MAX_DEPTH = 64;
const MAX_DIR_BYTES = 32 * 1024 * 1024;
const MAX_FILES = 1_000_000;

/** Sector 0 of an exFAT volume (shape only; the analyser checks the rest). */
export function probeExfat(boot: Uint8Array): boolean {
  return looksLikeExfatBoot(boot);
}

const defaultConfirm: ConfirmFn = (b) => identifyKeyFile(b);

async function readBootRegion(
  reader: MediaReader,
  at: number,
): Promise<{ geo: ExfatGeometry | string; checksumOk: boolean }> {
  const s0 = await reader.read(at, 512);
  if (!s0 || s0.length < 512) return { geo: 'boot sector unreadable', checksumOk: false };
  const ss = bootSectorSize(s0);
  const geo = parseBootSector(s0);
  if (ss === null || typeof geo === 'string') return { geo, checksumOk: false };
  const region = await reader.read(at, ss * 12);
  return { geo, checksumOk: !!region && bootChecksumOk(region, ss) };
}

/** The geometry to trust: main region with a good checksum, else backup, else whichever parses. */
async function pickBoot(
  reader: MediaReader,
  volumeOffset: number,
  problems: FsProblem[],
): Promise<{ geo: ExfatGeometry; backup: boolean } | null> {
  const main = await readBootRegion(reader, volumeOffset);
  if (typeof main.geo !== 'string' && main.checksumOk) return { geo: main.geo, backup: false };
  problems.push({
    at: volumeOffset,
    what: typeof main.geo === 'string' ? `exfat: main boot sector: ${main.geo}` : 'exfat: main boot region checksum mismatch',
  });
  // The backup starts at sector 12 of whatever sector size the volume has.
  for (const ss of [512, 1024, 2048, 4096]) {
    const b = await readBootRegion(reader, volumeOffset + 12 * ss);
    if (typeof b.geo === 'string' || b.geo.sectorSize !== ss) continue;
    if (b.checksumOk) return { geo: b.geo, backup: true };
    problems.push({ at: volumeOffset + 12 * ss, what: 'exfat: backup boot region checksum mismatch' });
    if (typeof main.geo === 'string') return { geo: b.geo, backup: true };
  }
  if (typeof main.geo !== 'string') return { geo: main.geo, backup: false };
  return null;
}

interface DirJob {
  clusters: number[];
  name: string | null;
  path: string;
  deleted: boolean;
  depth: number;
  key: string;
  /** Deleted directories lost their chain: later clusters must look like directory clusters. */
  guessed: boolean;
}

function concat(parts: readonly Uint8Array[], cs: number): Uint8Array {
  const buf = new Uint8Array(parts.length * cs);
  parts.forEach((p, i) => buf.set(p.subarray(0, cs), i * cs));
  return buf;
}

/** Offset of a File entry in the last 18 slots whose set runs past the end of `b`, or -1. */
function cutSetAt(b: Uint8Array): number {
  for (let p = b.length - ENTRY; p >= 0 && p >= b.length - 18 * ENTRY; p -= ENTRY) {
    const t = b[p];
    const sc = b[p + 1] ?? 0;
    if ((t === 0x85 || t === 0x05) && sc >= 2 && sc <= 18 && p + (sc + 1) * ENTRY > b.length) return p;
  }
  return -1;
}

/** How many clusters past a deleted directory's end to search for its lost continuation. */
const CONTINUATION_SEARCH = 256;

/**
 * A deleted directory's chain is gone, so a set cut at its last cluster's end is continued in a
 * cluster we cannot name. Look at the next free clusters; the set checksum over the joined bytes
 * says which one (16 bits plus the type sequence: a false match is not a practical worry).
 */
async function extendDeletedDir(vol: ExfatVolume, parts: Uint8Array[], used: number[], taken: ReadonlySet<number>): Promise<void> {
  const cs = vol.geo.clusterSize;
  for (let round = 0; round < 16; round++) {
    const lastPart = parts[parts.length - 1]!;
    const cut = cutSetAt(lastPart.subarray(0, cs));
    if (cut < 0) return;
    const from = used[used.length - 1]!;
    let found = false;
    for (let c = from + 1; c <= from + CONTINUATION_SEARCH && vol.validCluster(c); c++) {
      if (taken.has(c) || used.includes(c) || (await vol.allocated(c)) === true) continue;
      const b = await vol.reader.read(vol.clusterOffset(c), cs);
      if (!b || b.length < cs) continue;
      const joined = new Uint8Array(cs - cut + cs);
      joined.set(lastPart.subarray(cut, cs), 0);
      joined.set(b.subarray(0, cs), cs - cut);
      const set = parseSetAt(joined, 0);
      if (set && set.checksumOk) {
        parts.push(b);
        used.push(c);
        found = true;
        break;
      }
    }
    if (!found) return;
  }
}

function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

export async function analyseExfat(
  reader: MediaReader,
  volumeOffset: number,
  opts: ExfatOptions = {},
): Promise<ExfatResult | null> {
  const problems: FsProblem[] = [];
  try {
    const boot = await pickBoot(reader, volumeOffset, problems);
    if (!boot) return null;
    const { geo } = boot;
    const vol = new ExfatVolume(reader, volumeOffset, geo);
    if (volumeOffset + geo.volumeBytes > reader.size) {
      problems.push({ at: volumeOffset, what: `exfat: volume declares ${geo.volumeBytes} bytes, medium holds ${reader.size - volumeOffset}` });
    }
    const confirm = opts.confirm ?? defaultConfirm;
    const files: FileEvidence[] = [];
    const dirClusters = new Set<number>();
    const maxDirClusters = Math.max(1, Math.floor(MAX_DIR_BYTES / geo.clusterSize));
    let label = '';

    // Root: always a FAT chain, no stream entry to give its length.
    const rootChain = await vol.chain(geo.rootCluster, maxDirClusters);
    if (rootChain.problem) problems.push({ at: vol.clusterOffset(geo.rootCluster), what: `exfat: root directory ${rootChain.problem}` });
    const queue: DirJob[] = [
      { clusters: rootChain.clusters, name: null, path: '/', deleted: false, depth: 0, key: `exfat:${volumeOffset}:${geo.rootCluster}`, guessed: false },
    ];
    const seenDirs = new Set<number>();
    let dirs = 0;

    while (queue.length > 0 && dirs < MAX_DIRS && files.length < MAX_FILES) {
      const job = queue.shift()!;
      const first = job.clusters[0];
      if (first === undefined || seenDirs.has(first)) continue;
      seenDirs.add(first);
      dirs++;
      const parts: Uint8Array[] = [];
      const used: number[] = [];
      for (const c of job.clusters) {
        if (dirClusters.has(c) && c !== first) break; // shared with another directory: a loop or a bad guess
        const b = await reader.read(vol.clusterOffset(c), geo.clusterSize);
        if (!b || b.length < geo.clusterSize) {
          problems.push({ at: vol.clusterOffset(c), what: `exfat: directory cluster ${c} unreadable` });
          break;
        }
        if (job.guessed && used.length > 0 && !parseDirectory(b).sets.some((s) => s.checksumOk)) break;
        parts.push(b);
        used.push(c);
      }
      if (job.guessed && used.length > 0) await extendDeletedDir(vol, parts, used, dirClusters);
      for (const c of used) dirClusters.add(c);
      const buf = concat(parts, geo.clusterSize);
      const dir = parseDirectory(buf);
      const absOf = (idx: number): number => vol.clusterOffset(used[Math.floor(idx / geo.clusterSize)] ?? first) + (idx % geo.clusterSize);

      if (job.depth === 0) {
        label = dir.label ?? '';
        const bm = dir.bitmaps.find((b) => b.which === geo.activeFat) ?? dir.bitmaps[0];
        if (bm) vol.setBitmap(bm.firstCluster, bm.dataLength);
        else problems.push({ at: vol.clusterOffset(geo.rootCluster), what: 'exfat: no allocation bitmap entry in the root directory' });
      }

      for (const set of dir.sets) {
        const at = absOf(set.index);
        const staleAfterEnd = dir.endAt >= 0 && set.index > dir.endAt;
        const deleted = job.deleted || set.deleted || staleAfterEnd;
        // A live set must verify; a deleted one whose shape held is kept — its bytes decide.
        if (!set.checksumOk && !set.deleted) problems.push({ at, what: `exfat: entry set "${set.name}" checksum mismatch` });
        if (!set.hashOk && !set.deleted) problems.push({ at, what: `exfat: entry set "${set.name}" name hash mismatch` });
        if (set.isDir) {
          if (job.depth + 1 > MAX_DEPTH) {
            problems.push({ at, what: `exfat: directory "${set.name}" deeper than ${MAX_DEPTH}` });
            continue;
          }
          const clusters = await directoryClusters(vol, set, deleted, maxDirClusters, problems, at);
          if (clusters.length === 0) continue;
          if (seenDirs.has(clusters[0]!)) {
            problems.push({ at, what: `exfat: directory "${set.name}" points at an already walked directory (loop)` });
            continue;
          }
          queue.push({
            clusters,
            name: set.name,
            path: joinPath(job.path, set.name),
            deleted,
            depth: job.depth + 1,
            key: `exfat:${volumeOffset}:${clusters[0]}`,
            guessed: deleted && !set.noFatChain,
          });
          continue;
        }
        const r = await resolveFile(vol, set, deleted, confirm, problems, at);
        files.push(fileEvidence(set, r.extents, r.confirmed, deleted, job, volumeOffset, 'exfat-entry'));
      }
    }
    if (queue.length > 0) problems.push({ at: volumeOffset, what: `exfat: directory walk stopped after ${dirs} directories` });

    const target = opts.freeSweep ? exfatSweep(vol) : null;
    const sweep = target && opts.freeSweep ? await sweepFreeClusters(reader, target, opts.freeSweep, opts.onSweep) : null;
    if (sweep?.cut) problems.push({ at: volumeOffset, what: sweepCutNote(sweep.swept) });
    const orphanSets = [...(opts.orphanSets ?? []), ...(sweep?.dirs ?? [])];
    if (orphanSets.length > 0) {
      const o = await orphanEvidence(orphanSets, vol, { confirm, skipClusters: dirClusters });
      files.push(...o.files);
      problems.push(...o.problems);
    }
    problems.push(...vol.problems);

    const volume: Volume = {
      type: 'exfat',
      offset: volumeOffset,
      size: geo.volumeBytes,
      clusterSize: geo.clusterSize,
      label,
      foundBy: boot.backup ? 'backup-boot' : (opts.foundBy ?? 'superfloppy'),
    };
    return { volume, files, problems };
  } catch (e) {
    // Defensive: a bug must not take the whole scan down; say so instead.
    problems.push({ at: volumeOffset, what: `exfat: analyser failed: ${e instanceof Error ? e.message : String(e)}` });
    return null;
  }
}


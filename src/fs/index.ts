/**
 * File-system stage: finds the volumes (partition tables, superfloppy, backup and carved boot
 * sectors), lets the driver whose probe claims a volume's boot sector analyse it, and turns metadata
 * found outside any volume (orphan directory clusters, stray MFT records) into evidence too.
 * Every driver probes every volume (TSK's FS_OPENERS); two claimants are reported as ambiguous.
 * Each driver is guarded: a bug or a hostile volume becomes a problem entry, not a failed scan.
 */
import { classifyBoot, vbrKind } from '../layout/boot-sector.ts';
import { identifyFramedFile as identifyKeyFile } from '../format/framing.ts';
import type { Candidate } from '../carve/types.ts';
import { parseBootSector } from './exfat/boot.ts';
import { parseFatBoot } from './fat/boot.ts';
import { analyseFat } from './fat/index.ts';
import { filesFromOrphanDirs } from './fat/orphans.ts';
import { parseNtfsBoot, volumeStartFromBackup } from './ntfs/boot.ts';
import { findVolumes, type FoundVolume } from './partitions.ts';
import { filesFromCarvedHives } from './regf/carved.ts';
import { filesFromHives } from './regf/index.ts';
import { withProfiles } from './regf/profile-list.ts';
import { filesFromRegExports } from './regf/reg-files.ts';
import type { FileEvidence, FsAnalysis, FsProblem, MediaReader, Volume } from './types.ts';

export interface AnalyseOptions {
  /** Also analyse volumes whose boot sector was only found by carving. */
  readonly carvedVolumes?: boolean;
  /** No pass carved the medium (a quick scan): read up to this many bytes of each FAT or exFAT
   * volume's free clusters for orphaned folders. */
  readonly freeSweep?: number;
  /** Each volume's sweep: its bytes read so far, 0 when it starts. */
  readonly onSweep?: (swept: number) => void;
}

interface VolumeAnalysis {
  volume: Volume;
  files: FileEvidence[];
  problems: FsProblem[];
}

/** One file system: a pure probe of a boot sector and the analysis of the volume it starts. */
export interface FsDriver {
  readonly name: 'exfat' | 'ntfs' | 'fat';
  /** 1 when the boot sector parses as this file system, 0.5 when it only announces it, else null. */
  probe(boot: Uint8Array): number | null;
  analyse(reader: MediaReader, offset: number, candidates: readonly Candidate[], foundBy: Volume['foundBy'], opts?: AnalyseOptions): Promise<VolumeAnalysis | null>;
}

// The exFAT and NTFS analysers load when a volume or record needs them: most media hold one
// file system, and loading all of them cost every scan's start-up ~15 modules.
const ntfs = () => import('./ntfs/index.ts');
const exfat = () => import('./exfat/index.ts');

const sure = (claims: boolean, parses: boolean): number | null => (claims ? (parses ? 1 : 0.5) : null);
const ofKind = (cs: readonly Candidate[], kind: Candidate['kind']) => cs.filter((c) => c.kind === kind);
/** A driver's share of the options: the free-cluster sweep, when asked for. */
const sweepOf = (o?: AnalyseOptions) => (o?.freeSweep ? { freeSweep: o.freeSweep, ...(o.onSweep ? { onSweep: o.onSweep } : {}) } : {});

/** In vbrKind's order, so that equal claims resolve as before. */
export const FS_DRIVERS: readonly FsDriver[] = Object.freeze([
  {
    name: 'exfat',
    probe: (b) => sure(vbrKind(b) === 'exfat', typeof parseBootSector(b) !== 'string'),
    analyse: async (r, at, cs, foundBy, o) =>
      (await exfat()).analyseExfat(r, at, { confirm: identifyKeyFile, orphanSets: ofKind(cs, 'exfat-dir'), foundBy, ...sweepOf(o) }),
  },
  {
    name: 'ntfs',
    probe: (b) => sure(vbrKind(b) === 'ntfs', parseNtfsBoot(b) !== null),
    analyse: async (r, at, cs, foundBy) => (await ntfs()).analyseNtfs(r, at, { confirm: identifyKeyFile, records: ofKind(cs, 'ntfs-record'), foundBy }),
  },
  {
    name: 'fat',
    probe: (b) => {
      const parses = typeof parseFatBoot(b, 0) !== 'string';
      return sure(parses || vbrKind(b) === 'fat', parses);
    },
    analyse: (r, at, cs, foundBy, o) => analyseFat(r, at, { confirm: identifyKeyFile, orphanDirs: ofKind(cs, 'fat-dir'), foundBy, ...sweepOf(o) }),
  },
] satisfies FsDriver[]);

/** Every driver probes; the surest claims the volume (ties: table order). Two claimants are damage
 * or a trap, so they are reported rather than silently resolved (TSK_ERR_FS_MULTTYPE). */
export function claimVolume(boot: Uint8Array, at: number, problems: FsProblem[]): FsDriver | null {
  const claims = FS_DRIVERS.flatMap((d) => {
    const c = d.probe(boot);
    return c === null ? [] : [{ d, c }];
  }).sort((a, b) => b.c - a.c);
  const best = claims[0];
  if (best && claims.length > 1)
    problems.push({ at, what: `volume at ${at}: boot sector claimed by ${claims.map((x) => `${x.d.name} (${x.c})`).join(' and ')}: ambiguous, analysed as ${best.d.name}` });
  return best?.d ?? null;
}

export async function analyseMedia(reader: MediaReader, candidates: readonly Candidate[], opts: AnalyseOptions = {}): Promise<FsAnalysis> {
  const problems: FsProblem[] = [];
  const volumes: Volume[] = [];
  const files: FileEvidence[] = [];
  const guard = async <T>(what: string, at: number, f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch (e) {
      problems.push({ at, what: `${what}: internal error, skipped (${String(e).slice(0, 200)})` });
      return null;
    }
  };

  const found = (await guard('partitions', 0, () => findVolumes(reader))) ?? { volumes: [], problems: [] };
  problems.push(...found.problems);
  const list: FoundVolume[] = [...found.volumes];
  // Boot sectors seen by the pass that no table points to: a volume whose table is gone.
  // An NTFS backup boot sector sits at its volume's end and names the volume's start.
  const ntfsBackups: { at: number; start: number }[] = [];
  if (opts.carvedVolumes !== false) {
    for (const c of candidates) {
      if (c.kind !== 'boot') continue;
      const kind = classifyBoot(c.bytes);
      if (kind !== 'fat' && kind !== 'exfat' && kind !== 'ntfs') continue;
      if (kind === 'ntfs') {
        const b = parseNtfsBoot(c.bytes);
        const start = b ? volumeStartFromBackup(b, c.offset) : -1;
        if (start >= 0 && start !== c.offset) {
          if (list.some((v) => v.offset === start)) continue; // the backup of a volume we know
          if (!list.some((v) => c.offset >= v.offset && c.offset < v.offset + Math.max(v.size, 1))) ntfsBackups.push({ at: c.offset, start });
          continue; // decided below: backup of the volume at `start`, else a primary at `at`
        }
      }
      if (list.some((v) => c.offset >= v.offset && c.offset < v.offset + Math.max(v.size, 1))) continue;
      list.push({ offset: c.offset, size: 0, foundBy: 'backup-boot', typeHint: 'carved' });
    }
  }

  const analysed: Volume[] = [];
  for (const v of list) {
    const boot = await reader.read(v.offset, 512);
    const driver = boot ? claimVolume(boot, v.offset, problems) : null;
    const foundBy = v.typeHint === 'carved' ? 'carved' : v.foundBy;
    if (!driver) problems.push({ at: v.offset, what: `volume at ${v.offset} (${v.foundBy}): no file system recognised` });
    const r = driver ? await guard(driver.name, v.offset, () => driver.analyse(reader, v.offset, candidates, foundBy, opts)) : null;
    if (!r) continue;
    volumes.push(r.volume);
    analysed.push(r.volume);
    files.push(...r.files);
    problems.push(...r.problems);
  }

  // A carved NTFS boot sector that names a start below it is most likely the backup of a volume
  // whose primary is gone: analyse the volume it names; when that gives nothing, read the sector as
  // a primary after all.
  const ntfsRecords = candidates.filter((c) => c.kind === 'ntfs-record');
  for (const { at, start } of ntfsBackups) {
    if (analysed.some((v) => v.offset === start)) continue;
    const { analyseNtfs } = await ntfs();
    let r = await guard('ntfs (backup boot)', start, () => analyseNtfs(reader, start, { confirm: identifyKeyFile, records: ntfsRecords, foundBy: 'backup-boot', backupAt: at }));
    if (!r || r.files.length === 0) r = await guard('ntfs', at, () => analyseNtfs(reader, at, { confirm: identifyKeyFile, records: ntfsRecords, foundBy: 'carved' }));
    if (!r) continue;
    volumes.push(r.volume);
    analysed.push(r.volume);
    files.push(...r.files);
    problems.push(...r.problems);
  }

  // Metadata outside every analysed volume (partition table and boot sectors wiped).
  const outside = (c: Candidate) => !analysed.some((v) => c.offset >= v.offset && c.offset < v.offset + v.size);
  const strayDirs = candidates.filter((c) => c.kind === 'fat-dir' && outside(c));
  if (strayDirs.length) {
    const r = await guard('orphan directories', strayDirs[0]!.offset, () => filesFromOrphanDirs(strayDirs, reader, { confirm: identifyKeyFile }));
    if (r) files.push(...r.files), problems.push(...r.problems);
  }
  const strayRecords = candidates.filter((c) => c.kind === 'ntfs-record' && outside(c));
  if (strayRecords.length) {
    const r = await guard('stray MFT records', strayRecords[0]!.offset, async () => (await ntfs()).filesFromRecords(strayRecords, undefined, { confirm: identifyKeyFile }));
    if (r) files.push(...r.files), problems.push(...r.problems);
  }
  // Registry hives among the files found: their container values are files too.
  const hives = await guard('registry hives', 0, () => filesFromHives(files, reader));
  if (hives) files.push(...hives.files), problems.push(...hives.problems);
  // Hives and hive bins the pass found outside every hive file read above.
  const carved = await guard('carved hives', 0, () => filesFromCarvedHives(candidates, hives?.hives ?? [], reader));
  if (carved) files.push(...carved.files), problems.push(...carved.problems);
  const regs = await guard('registry exports', 0, () => filesFromRegExports(files, candidates, reader));
  if (regs) files.push(...regs.files), problems.push(...regs.problems);
  return { volumes, files: withProfiles(files, hives?.profiles ?? new Map()), problems };
}

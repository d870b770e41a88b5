/**
 * `keycarve scan` as a function (the CLI and the tests call this), in its steps: open the source →
 * plan retention and make the linear pass → the file systems over what the pass retained → merge
 * their evidence with the candidates → reassemble → write the output folder.
 */
import { join, resolve } from 'node:path';
import type { Candidate } from '../carve/types.ts';
import { analyseMedia, type AnalyseOptions } from '../fs/index.ts';
import type { FileEvidence, FsAnalysis, MediaReader } from '../fs/types.ts';
import { removeCheckpoint } from '../output/checkpoint-file.ts';
import { OutDir, PARTIAL_DIR, removePartial } from '../output/out-dir.ts';
import { REPORT_FILES, type MapUse, type Report } from '../output/report.ts';
import { writeOutput } from '../output/write-output.ts';
import { addProblem, reassemble, type ReassembleOptions, type Reassembly } from '../reassemble/index.ts';
import { mergeEvidence, type MergeResult } from '../reassemble/key-files.ts';
import { passwordVariants } from '../reassemble/password-variants.ts';
import { LIKELY_PASSWORDS } from '../reassemble/password-candidates.ts';
import type { PassProgress } from '../scan/linear-pass.ts';
import type { CarvePool } from '../scan/pool.ts';
import { RetainedStore, RetentionPlan, retainCandidates, retainedReader, type CountingReader } from '../scan/retained.ts';
import { imageReport, openImage } from '../source/image.ts';
import { mergeRanges } from '../source/tolerant.ts';
import { isOnDevice } from '../source/same-device.ts';
import type { ByteRange, ByteSource } from '../source/types.ts';
import { VERSION } from '../version.ts';
import type { CheckpointTiming, Resumed } from './checkpoint.ts';

// What only a pass needs — the carvers, the pool and its worker, the checkpoints — loads when a
// full scan makes one: --quick makes none, and these ~35 modules cost its start-up ~30 ms.
const passModules = async () => {
  const [pass, plan, pool, checkpoint, carve] = await Promise.all([
    import('../scan/linear-pass.ts'),
    import('../scan/metadata-plan.ts'),
    import('../scan/pool.ts'),
    import('./checkpoint.ts'),
    import('../carve/index.ts'),
  ]);
  return { ...pass, ...plan, ...pool, ...checkpoint, ...carve };
};

export interface ScanOptions {
  readonly source: string;
  readonly out: string;
  readonly passwords?: readonly string[];
  readonly jobs?: number;
  /** Only the file-system metadata and the extents it points to (no linear pass). */
  readonly quick?: boolean;
  /** Ranges a ddrescue map marks as not rescued: containers touching them are damaged. */
  readonly unreadable?: readonly ByteRange[];
  readonly onProgress?: (p: PassProgress) => void;
  readonly onStage?: (stage: string) => void;
  readonly signal?: AbortSignal;
  /** Test hook: scan this source instead of opening `source`. */
  readonly sourceOverride?: ByteSource;
  /** Test hook: carve with this pool instead of the worker threads (closed after the pass). */
  readonly poolOverride?: CarvePool;
  readonly retries?: number;
  /** EWF: check the medium against the MD5 the image stores (report.source.image.ewf.verify). */
  readonly verifyImage?: boolean;
  /** For report.run: the masked command line (null when scan() is called as a function) and the --map use. */
  readonly commandLine?: readonly string[] | null;
  readonly map?: MapUse | null;
  /** Width the summary (summary.txt, and what the CLI prints) is laid out for. */
  readonly summaryWidth?: number;
  /** Continue the interrupted scan whose checkpoint is in `out`. */
  readonly resume?: boolean;
  /** Test hooks: when checkpoints are written (and a SIGKILL at one; 'off': none, for
   * bench/checkpoint.ts to measure what they cost), and the pass's page size. */
  readonly checkpointTiming?: CheckpointTiming | 'off';
  readonly page?: number;
}

export class ScanError extends Error {}
/**
 * The pass stopped on opts.signal: the checkpoint in --out is current and what the pass had reached
 * is written into --out/partial (report.json "complete": false); `report` is that report.
 */
export class ScanInterrupted extends ScanError {
  constructor(
    message: string,
    readonly report: Report,
  ) {
    super(message);
  }
}

/** What the linear pass leaves: the candidates and what it counted on the way. */
interface PassOutcome {
  readonly candidates: Candidate[];
  readonly bytesRead: number;
  readonly readErrors: ByteRange[];
  readonly carvers: Report['stats']['carvers'];
  readonly carverFailures: Report['carverFailures'];
  /** Where an interrupted pass stopped (every byte before it was passed over); null: it ran to the end. */
  readonly stoppedAt: number | null;
}

/** A quick scan's read of free clusters for orphaned folders, per FAT or exFAT volume: 256 MiB is a tenth of
 * a second from the page cache and ~9 s from a USB 2 drive; after a quick format it covers the
 * folders made first, at the start of the data area. */
const QUICK_FREE_SWEEP = 256 << 20;

/** The stage a quick scan's sweep shows (scan-progress counts its bytes as a pass's). */
export const SWEEP_STAGE = `free clusters, up to ${QUICK_FREE_SWEEP >> 20} MiB a volume, for orphaned folders`;

/** A quick scan's file-system options: the sweep, its progress shown as a pass's, up to its budget. */
function quickSweep(opts: ScanOptions, reader: CountingReader): AnalyseOptions {
  return {
    freeSweep: QUICK_FREE_SWEEP,
    onSweep: (swept) => {
      if (swept === 0) opts.onStage?.(SWEEP_STAGE);
      const bad = reader.rereads.bad;
      const bytesLost = bad.reduce((n, r) => n + r.length, 0);
      opts.onProgress?.({ bytesDone: swept, total: QUICK_FREE_SWEEP, candidates: 0, macHeaders: 0, pkcs12: 0, readErrors: bad.length, bytesLost });
    },
  };
}

/** A quick scan makes no pass. */
const NO_PASS: PassOutcome = { candidates: [], bytesRead: 0, readErrors: [], carvers: {}, carverFailures: [], stoppedAt: null };

export async function scan(opts: ScanOptions): Promise<{ report: Report; reassembly: Reassembly }> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  // Open the source first: a missing or unreadable source must not leave an empty --out behind.
  const source = opts.sourceOverride ?? (await openImage(opts.source, { retries: opts.retries ?? 0, verifyImage: opts.verifyImage === true }));
  try {
    const out = await prepareOut(opts);
    const resumed = opts.resume ? await (await import('./checkpoint.ts')).loadCheckpoint(opts.out, source).catch((e: Error) => Promise.reject(new ScanError(e.message))) : undefined;
    const store = new RetainedStore();
    const pass = opts.quick ? NO_PASS : await passOver(source, store, opts, resumed);
    const complete = pass.stoppedAt === null;
    const stage = complete ? opts.onStage : undefined;
    if (!complete) opts.onStage?.('interrupted: writing what was found so far');
    retainCandidates(store, pass.candidates);
    stage?.('file systems');
    // Interrupted: the file systems from what the pass retained only — the medium is not read again.
    const reader = retainedReader(store, complete ? source : null, source.size);
    const fs: FsAnalysis = await analyseMedia(reader, pass.candidates, opts.quick ? quickSweep(opts, reader) : {});
    stage?.('reassembling');
    const image = complete ? await imageReport(source) : null; // an EWF's MD5 check needs the whole medium
    const done = await reassembleAndWrite(
      complete ? out : await out.partial().catch((e: Error) => Promise.reject(new ScanError(e.message))),
      { candidates: pass.candidates, files: fs.files, reader },
      complete ? opts : { ...opts, out: join(opts.out, PARTIAL_DIR) },
      (merged, reassembly) => {
        stage?.('writing');
        const seconds = (performance.now() - started) / 1000;
        return runReport(opts, { startedAt, seconds, source, pass, fs, merged, reassembly, reader, retainedBytes: store.size, image });
      },
      (reassembly) => markDamaged(reassembly, [...pass.readErrors, ...(opts.unreadable ?? []), ...reader.rereads.bad]),
    );
    if (!complete) throw new ScanInterrupted(interruptedLine(opts, pass.stoppedAt, source.size), done.report);
    // The results are whole: an earlier interruption's partial ones and the checkpoint have served.
    await removePartial(out.root);
    await removeCheckpoint(out.root);
    return done;
  } finally {
    if (!opts.sourceOverride) await source.close();
  }
}

/** The one line that says where the pass stopped, what is in --out and how to go on. */
function interruptedLine(opts: ScanOptions, at: number, size: number): string {
  const pct = size > 0 ? Math.floor((100 * at) / size) : 100;
  const again = opts.resume ? 'run the same command again' : 'run the same command with --resume';
  return `scan interrupted at ${pct}%; its checkpoint is in ${opts.out} and what it found so far in ${join(opts.out, PARTIAL_DIR)} — ${again} to continue`;
}

/** --out: never on the medium being scanned, and empty (OutDir's rule). */
async function prepareOut(opts: ScanOptions): Promise<OutDir> {
  if (!opts.sourceOverride && (await isOnDevice(resolve(opts.out), resolve(opts.source))))
    throw new ScanError(`--out ${opts.out} is on the medium being scanned; write the results to another drive`);
  if (opts.resume && opts.quick) throw new ScanError('--resume continues a full scan; --quick makes no pass to resume — drop one of them');
  return openOut(opts.out, opts.resume === true);
}

/** OutDir's rule (new or empty, writable; `resume`: only a checkpoint), its refusal as a ScanError; assemble shares it. */
export function openOut(out: string, resume = false): Promise<OutDir> {
  return OutDir.prepare(out, { resume }).catch((e: Error) => {
    throw new ScanError(e.message);
  });
}

/** Merge → reassemble → write: the steps scan and assemble share once the evidence is gathered. */
export async function reassembleAndWrite(
  out: OutDir,
  input: { candidates: readonly Candidate[]; files: readonly FileEvidence[]; reader: MediaReader },
  opts: { passwords?: readonly string[]; reassemble?: ReassembleOptions; out: string; summaryWidth?: number | undefined },
  report: (merged: MergeResult, reassembly: Reassembly) => Report,
  damaged: (r: Reassembly) => void = () => {},
): Promise<{ report: Report; reassembly: Reassembly }> {
  const merged = await mergeEvidence(input.candidates, input.files, input.reader);
  const reassembly = reassemble(merged, passwordVariants(opts.passwords ?? [], LIKELY_PASSWORDS), opts.reassemble);
  damaged(reassembly);
  const r = report(merged, reassembly);
  await writeOutput(out, reassembly, r, { out: opts.out, ...(opts.summaryWidth ? { width: opts.summaryWidth } : {}) });
  return { report: r, reassembly };
}

/** Plans what to retain for the file systems and makes the linear pass through the carving pool. */
async function passOver(source: ByteSource, store: RetainedStore, opts: ScanOptions, resumed?: Resumed): Promise<PassOutcome> {
  const { Checkpointer, DEFAULT_TIMING, MAX_CARVE_LENGTH, THREAD_SLOTS, createCarvePool, defaultJobs, linearPass, metadataObserver, pageFor } = await passModules();
  const jobs = Math.max(1, opts.jobs ?? defaultJobs());
  const plan = new RetentionPlan(store, 256 * 1024 * 1024);
  for (const s of resumed?.segments ?? []) store.add(s.offset, s.bytes);
  if (resumed) plan.restore(resumed.wants);
  const observe = metadataObserver(plan, source.size, undefined, resumed?.observer);
  const timing = opts.checkpointTiming ?? DEFAULT_TIMING;
  const checkpoint =
    timing === 'off' ? null : await Checkpointer.start(opts.out, source, { store, plan, observer: observe }, timing, resumed).catch((e: Error) => Promise.reject(new ScanError(e.message)));
  const pool = opts.poolOverride ?? createCarvePool(jobs, source.size);
  try {
    opts.onStage?.('reading');
    const r = await linearPass(source, {
      pool,
      slots: jobs <= 1 ? THREAD_SLOTS : 2 * jobs,
      margin: MAX_CARVE_LENGTH,
      // A map of a raw image means reading it as a failing drive, on this thread. An image format's
      // plans fall back to that reader themselves on a failed file, so its workers still decode.
      workersRead: source.plan !== undefined || (!opts.map && !opts.unreadable?.length),
      observe,
      keep: observe.keep,
      ...(checkpoint ? { onChunkDone: checkpoint.onChunkDone } : {}),
      ...(resumed ? { resume: resumed.pass } : {}),
      page: opts.page ?? pageFor(jobs),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (!checkpoint) {
      if (r.aborted) throw new ScanError('scan interrupted with checkpoints off (a measurement hook): nothing to resume');
    } else {
      checkpoint.detach();
      await (r.aborted ? checkpoint.flush() : checkpoint.settle()).catch((e: Error) => Promise.reject(new ScanError(e.message)));
    }
    // Interrupted: what the last whole chunk had (a tail carved without its successor's bytes is not whole).
    const whole = r.aborted && checkpoint ? checkpoint.reached(r.candidates) : null;
    const s = whole ?? r;
    const upTo = whole?.position ?? Infinity;
    return {
      candidates: [...s.candidates],
      bytesRead: s.bytesRead,
      readErrors: r.readErrors.filter((b) => b.offset < upTo).map((b) => ({ offset: b.offset, length: Math.min(b.length, upTo - b.offset) })),
      carvers: Object.fromEntries(Object.entries(s.carvers).map(([k, v]) => [k, { ...v, ms: Math.round(v.ms * 10) / 10 }])),
      carverFailures: s.alerts.map((a) => ({ ...a })),
      stoppedAt: whole?.position ?? null,
    };
  } finally {
    await pool.close();
  }
}

/** A container with a byte on an unreadable sector is damaged, whatever its checks said. */
function markDamaged(r: Reassembly, bad: readonly ByteRange[]): void {
  if (bad.length === 0) return;
  for (const c of r.containers) {
    for (const [role, k] of Object.entries(c.files)) {
      const ranges = k!.fs?.extents.length ? k!.fs.extents : [{ offset: k!.offset, length: k!.bytes.length }];
      const hit = ranges.some((x) => bad.some((b) => x.offset < b.offset + b.length && b.offset < x.offset + x.length));
      if (hit) addProblem(c, `${role} lies on unreadable sectors (zero-filled)`);
    }
  }
}

interface RunFacts {
  readonly startedAt: string;
  readonly seconds: number;
  readonly source: ByteSource;
  readonly pass: PassOutcome;
  readonly fs: FsAnalysis;
  readonly merged: MergeResult;
  readonly reassembly: Reassembly;
  readonly reader: CountingReader;
  readonly retainedBytes: number;
  readonly image: Awaited<ReturnType<typeof imageReport>>;
}

/** report.json before writeOutput adds the files it wrote: the run, the source, volumes, problems, stats. */
function runReport(opts: ScanOptions, f: RunFacts): Report {
  const { pass, reader, seconds } = f;
  const byKind: Record<string, number> = {};
  for (const c of pass.candidates) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  // What the pass could not read, and what the file systems' own reads could not (all a quick scan reads).
  const readErrors = mergeRanges([...pass.readErrors, ...reader.rereads.bad]);
  return {
    tool: { name: 'keycarve', version: VERSION },
    complete: pass.stoppedAt === null,
    reports: REPORT_FILES,
    run: { startedAt: f.startedAt, commandLine: opts.commandLine ? [...opts.commandLine] : null, map: opts.map ?? null },
    source: {
      path: opts.source, size: f.source.size, sectorSize: f.source.sectorSize, readErrors,
      ...(pass.stoppedAt !== null ? { passedTo: pass.stoppedAt } : {}),
      ...(f.image ? { image: f.image } : {}),
    },
    mode: opts.quick ? 'quick' : 'full',
    volumes: f.fs.volumes.map((v) => ({ ...v })),
    containers: [],
    pkcs12: [],
    certificates: [],
    loose: [],
    problems: [...f.fs.problems, ...f.merged.conflicts.map((what) => ({ at: -1, what }))],
    carverFailures: pass.carverFailures,
    stats: {
      bytesRead: pass.bytesRead + reader.rereads.bytes,
      seconds: Math.round(seconds * 1000) / 1000,
      mbPerSecond: seconds > 0 ? Math.round((pass.bytesRead / 1e6 / seconds) * 10) / 10 : 0,
      candidates: pass.candidates.length,
      candidatesByKind: byKind,
      metadataRereads: reader.rereads.count,
      retainedBytes: f.retainedBytes,
      bytesLost: readErrors.reduce((n, r) => n + r.length, 0),
      pairing: f.reassembly.pairing,
      carvers: pass.carvers,
    },
  };
}

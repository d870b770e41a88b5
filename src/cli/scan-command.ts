/** `keycarve scan`: progress on a terminal, the summary table at the end, exit codes per contract. */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileProblem } from '../file-errors.ts';
import { parseMap, RescueMap } from '../source/ddrescue-map.ts';
import type { MapUse } from '../output/report.ts';
import { writeMapFile } from '../output/rescue-files.ts';
import { DEFAULT_WIDTH, summary } from '../output/summary.ts';
import type { CheckpointTiming } from '../run/checkpoint.ts';
import { scan, ScanError, ScanInterrupted } from '../run/scan-run.ts';
import type { ByteRange } from '../source/types.ts';
import { maskCommandLine } from './command-line.ts';
import type { CommandIo as Io } from './io.ts';
import { passwordsFromFile } from './passwords-file.ts';
import { scanProgress } from './scan-progress.ts';

export interface ScanCliOptions {
  out: string;
  password: string[];
  passwordsFile?: string;
  jobs?: number;
  map?: string;
  json?: boolean;
  quiet?: boolean;
  quick?: boolean;
  verifyImage?: boolean;
  retries?: number;
  resume?: boolean;
}

export async function scanCommand(source: string, o: ScanCliOptions, io: Io): Promise<number> {
  const quiet = o.quiet === true || o.json === true;
  const passwords = [...o.password, ...(o.passwordsFile ? await passwordsFromFile(o.passwordsFile, io, quiet) : [])];
  const jobs = o.jobs === undefined ? undefined : clampJobs(o.jobs, io, quiet);
  // --map: an existing ddrescue map (from `keycarve image` or GNU ddrescue) says which areas of an
  // image were never read; a map that does not exist yet is written from this scan's reads.
  let unreadable: ByteRange[] = [];
  const mapIn = o.map ? await readFile(o.map, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(new ScanError(fileProblem(`--map ${o.map}`, e))))) : null;
  if (mapIn !== null) {
    try {
      unreadable = parseMap(mapIn).unreadRanges();
    } catch (e) {
      throw new ScanError(`--map ${o.map}: ${(e as Error).message}`);
    }
  }
  const progress = scanProgress(io.stderr, o);
  const width = summaryWidth(io.stdout);
  // Ctrl-C / SIGTERM: the pass stops at its next chunk, writes its checkpoint, then what it found
  // so far into --out/partial; a second one exits at once (the checkpoint on disk is whole at every
  // moment: it is replaced by a rename; a half-written partial/ is replaced by the resume).
  const stop = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) return stop.abort();
    progress.stop();
    io.stderr.write(`keycarve: stopped at once; the last checkpoint in ${o.out} is whole — run the same command with --resume to continue\n`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await scan({
    source,
    out: o.out,
    passwords,
    ...(jobs ? { jobs } : {}),
    ...(o.quick ? { quick: true } : {}),
    ...(o.verifyImage ? { verifyImage: true } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    unreadable,
    commandLine: io.argv ? maskCommandLine(['keycarve', ...io.argv]) : null,
    map: mapUse(o.map, mapIn !== null, unreadable.length),
    summaryWidth: width,
    onProgress: (p) => progress.update(p),
    onStage: (s) => progress.stage(s),
    signal: stop.signal,
    ...(o.resume ? { resume: true } : {}),
    ...testHooks(process.env),
  })
    .catch((e: unknown) => {
      if (!(e instanceof ScanInterrupted)) throw e;
      progress.stop();
      if (o.json) io.stdout.write(JSON.stringify(e.report, null, 2) + '\n');
      io.stderr.write(`keycarve: ${e.message}\n`);
      return null;
    })
    .finally(() => {
      progress.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
  if (!result) return 130;
  const { report } = result;
  if (o.map && mapIn === null) {
    const map = new RescueMap(report.source.size);
    map.set(0, report.source.size, '+');
    for (const r of report.source.readErrors) map.set(r.offset, r.length, '-');
    map.currentPos = report.source.size;
    map.currentStatus = '+';
    await writeMapFile(o.map, map, `keycarve scan ${source}`);
  }
  if (o.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else io.stdout.write(summary(report, o.out, width));
  return 0;
}

/** The terminal's width on a terminal, else a fixed one; summary.txt is laid out the same. */
function summaryWidth(stdout: Io['stdout']): number {
  return stdout.isTTY === true && stdout.columns ? stdout.columns : DEFAULT_WIDTH;
}

function mapUse(path: string | undefined, read: boolean, unreadRanges: number): MapUse | null {
  if (!path) return null;
  return read ? { path, applied: 'read', unreadRanges } : { path, applied: 'written' };
}

/** More threads than cores only costs memory and time (--jobs 64 on a 40 MB image: 25 s, 1.9 GB). */
function clampJobs(jobs: number, io: Io, quiet: boolean): number {
  const cores = availableParallelism();
  if (jobs <= cores) return jobs;
  if (!quiet) io.stderr.write(`keycarve: --jobs ${jobs} is more than the ${cores} CPU cores here; using ${cores}\n`);
  return cores;
}

/** Test-only environment (the e2e tests interrupt a spawned CLI at a known point):
 * KEYCARVE_TEST_PAGE=<bytes>, KEYCARVE_TEST_CHECKPOINT="<everyMs> [kill-after=<n>|kill-before-rename=<n>|sigint-after=<n>[x<count>]]",
 * or KEYCARVE_TEST_CHECKPOINT=off (no checkpoint: bench/checkpoint.ts measures what they cost). */
function testHooks(env: NodeJS.ProcessEnv): { page?: number; checkpointTiming?: CheckpointTiming | 'off' } {
  const page = Number(env.KEYCARVE_TEST_PAGE);
  if (env.KEYCARVE_TEST_CHECKPOINT === 'off') return { ...(page > 0 ? { page } : {}), checkpointTiming: 'off' };
  const [every, hook] = (env.KEYCARVE_TEST_CHECKPOINT ?? '').split(' ');
  const [what, arg] = (hook ?? '').split('=');
  const [n, times] = (arg ?? '').split('x').map(Number);
  const hooks: Partial<CheckpointTiming> =
    what === 'kill-after' ? { killAfter: n } : what === 'kill-before-rename' ? { killBeforeRename: n } : what === 'sigint-after' ? { sigintAfter: n, sigints: times ?? 1 } : {};
  const timing: CheckpointTiming | null = every ? { everyMs: Number(every), everyBytes: Infinity, ...hooks } : null;
  return { ...(page > 0 ? { page } : {}), ...(timing ? { checkpointTiming: timing } : {}) };
}

/**
 * What `scan` shows while it runs, on stderr: a progress bar on a terminal; in a log
 * (`2>&1 | tee log`) one plain line every 10 s and at the end of the pass (and of a quick scan's
 * free-cluster sweep); the stage lines in both;
 * nothing under --quiet or --json.
 */
import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import { formatBytes, formatRate } from '../output/units.ts';
import type { PassProgress } from '../scan/linear-pass.ts';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface ScanProgress {
  update(p: PassProgress): void;
  stage(name: string): void;
  stop(): void;
}

/** Rate and ETA stay `--` this long: the first chunks fill the worker slots faster than the steady pace. */
export const MIN_ELAPSED_S = 2;
const LOG_INTERVAL_MS = 10_000;

/** Test-only: KEYCARVE_PROGRESS_INTERVAL_MS shortens the 10 s between plain lines, so a test sees several. */
function logInterval(): number {
  const n = Number(process.env.KEYCARVE_PROGRESS_INTERVAL_MS);
  return Number.isInteger(n) && n > 0 ? n : LOG_INTERVAL_MS;
}


/** The average so far means something after MIN_ELAPSED_S, or once the pass is complete. */
const settled = (p: PassProgress, elapsedS: number) => p.bytesDone > 0 && elapsedS > 0 && (elapsedS >= MIN_ELAPSED_S || p.bytesDone >= p.total);

export function rateText(p: PassProgress, elapsedS: number): string {
  return settled(p, elapsedS) ? formatRate(p.bytesDone / elapsedS) : '-- MB/s';
}

/** Remaining bytes at the average rate so far (bytes / elapsed), `--` until that average is settled. */
export function etaText(p: PassProgress, elapsedS: number): string {
  if (!settled(p, elapsedS)) return '--';
  const s = Math.round(((p.total - p.bytesDone) * elapsedS) / p.bytesDone);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/**
 * Containers cannot be counted exactly before the reassembly; a header.key with a valid MAC stands
 * for one container (raw candidates would also count directory clusters, boot sectors, copies of
 * loose key files). Hence "≈": a container whose header is lost is found later, by pairing.
 */
export function findsText(p: PassProgress): string {
  return `containers ≈ ${p.macHeaders}` + (p.pkcs12 ? `, PKCS#12 ${p.pkcs12}` : '');
}

const errorsText = (p: PassProgress) => (p.readErrors ? `${p.readErrors} (${formatBytes(p.bytesLost)} lost)` : '0');

/** The line written to a log: everything the bar shows, in words. */
export function plainLine(p: PassProgress, elapsedS: number): string {
  const pct = p.total > 0 ? Math.floor((100 * p.bytesDone) / p.total) : 100;
  return `keycarve: read ${formatBytes(p.bytesDone)} of ${formatBytes(p.total)} (${pct}%), ${rateText(p, elapsedS)}, ETA ${etaText(p, elapsedS)}, ${findsText(p)}, read errors ${errorsText(p)}\n`;
}

export function scanProgress(stderr: ProgressStream, o: { quiet?: boolean; json?: boolean }, now: () => number = () => performance.now()): ScanProgress {
  if (o.quiet || o.json) return { update() {}, stage() {}, stop() {} };
  const t0 = now();
  const elapsed = () => (now() - t0) / 1000;
  const stageLine = (s: string) => stderr.write(`keycarve: ${s}…\n`);
  return stderr.isTTY === true ? barProgress(stderr, elapsed, stageLine) : logProgress(stderr, elapsed, stageLine);
}

function barProgress(stderr: ProgressStream, elapsed: () => number, stageLine: (s: string) => void): ScanProgress {
  // Required here: only a terminal shows the bar, and loading cli-progress costs ~10 ms of every start.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    // cli-progress' own {eta} is wild over the first samples: {left} is etaText's.
    { format: ' {bar} {percentage}% | {done} of {totalH} | {speed} | ETA {left} | {finds} | errors {errors}', hideCursor: true, stream: stderr as NodeJS.WritableStream },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  const stop = () => {
    if (running) bar.stop(), (running = false);
  };
  return {
    update(p) {
      const e = elapsed();
      const payload = { done: formatBytes(p.bytesDone), totalH: formatBytes(p.total), speed: rateText(p, e), left: etaText(p, e), finds: findsText(p), errors: errorsText(p) };
      if (!running) bar.start(p.total, p.bytesDone, payload), (running = true);
      else bar.update(p.bytesDone, payload);
    },
    stage(s) {
      if (s === 'reading') return; // the bar says it
      stop();
      stageLine(s);
    },
    stop,
  };
}

function logProgress(stderr: ProgressStream, elapsed: () => number, stageLine: (s: string) => void): ScanProgress {
  let last: PassProgress | null = null;
  let timer: NodeJS.Timeout | null = null;
  const stop = () => {
    if (!timer) return;
    clearInterval(timer);
    timer = null;
    if (last) stderr.write(plainLine(last, elapsed())); // the stage's totals, whatever the interval
    last = null;
  };
  return {
    // The lines run from a stage's first count (the pass's, a quick scan's free-cluster sweep) to the next stage.
    update(p) {
      last = p;
      timer ??= setInterval(() => last && stderr.write(plainLine(last, elapsed())), logInterval()).unref();
    },
    stage(s) {
      stop();
      stageLine(s);
    },
    stop,
  };
}

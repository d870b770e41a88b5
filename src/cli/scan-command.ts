/** `keycarve scan`: progress on a terminal, the summary table at the end, exit codes per contract. */
import cliProgress from 'cli-progress';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileProblem } from '../file-errors.ts';
import { parseMap, RescueMap, writeMapFile } from '../source/ddrescue-map.ts';
import type { Report } from '../output/report.ts';
import { scan, ScanError } from '../scan/scan.ts';
import type { ByteRange } from '../source/types.ts';
import { passwordsFromFile } from './passwords-file.ts';

export interface ScanCliOptions {
  out: string;
  password: string[];
  passwordsFile?: string;
  jobs?: number;
  map?: string;
  json?: boolean;
  quiet?: boolean;
  quick?: boolean;
  retries?: number;
}

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
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
  const showBar = !o.quiet && !o.json && io.stderr.isTTY === true;
  const bar = showBar
    ? new cliProgress.SingleBar(
        { format: ' {bar} {percentage}% | {done}/{totalH} | {speed} MB/s | ETA {eta_formatted} | finds {finds} | errors {errors}', hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const t0 = performance.now();
  let started = false;
  const { report } = await scan({
    source,
    out: o.out,
    passwords,
    ...(jobs ? { jobs } : {}),
    ...(o.quick ? { quick: true } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    unreadable,
    onProgress: (p) => {
      if (!bar) return;
      const mb = (n: number) => (n / 1e6).toFixed(0) + ' MB';
      const payload = {
        done: mb(p.bytesDone),
        totalH: mb(p.total),
        speed: (p.bytesDone / 1e6 / Math.max(0.001, (performance.now() - t0) / 1000)).toFixed(0),
        finds: p.candidates,
        errors: p.readErrors ? `${p.readErrors} (${p.bytesLost} B lost)` : 0,
      };
      if (!started) bar.start(p.total, p.bytesDone, payload), (started = true);
      else bar.update(p.bytesDone, payload);
    },
    onStage: (s) => {
      if (s !== 'reading' && started) bar?.stop(), (started = false);
      if (!o.quiet && !o.json && s !== 'reading') io.stderr.write(`keycarve: ${s}…\n`);
    },
  });
  if (started) bar?.stop();
  if (o.map && mapIn === null) {
    const map = new RescueMap(report.source.size);
    map.set(0, report.source.size, '+');
    for (const r of report.source.readErrors) map.set(r.offset, r.length, '-');
    map.currentPos = report.source.size;
    map.currentStatus = '+';
    await writeMapFile(o.map, map, `keycarve scan ${source}`);
  }
  if (o.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else io.stdout.write(summary(report, o.out));
  return 0;
}

/** More threads than cores only costs memory and time (--jobs 64 on a 40 MB image: 25 s, 1.9 GB). */
function clampJobs(jobs: number, io: Io, quiet: boolean): number {
  const cores = availableParallelism();
  if (jobs <= cores) return jobs;
  if (!quiet) io.stderr.write(`keycarve: --jobs ${jobs} is more than the ${cores} CPU cores here; using ${cores}\n`);
  return cores;
}

export function summary(r: Report, out: string): string {
  const rows = r.containers.map((c) => [
    c.dir.replace(/^containers\//, ''),
    c.status,
    c.algorithm ?? '?',
    c.certificate?.subject.slice(0, 40) ?? '',
    [c.deleted ? 'deleted' : c.deleted === false ? 'live' : '', c.evidence.join('+')].filter(Boolean).join(', '),
  ]);
  const head = ['container', 'status', 'algorithm', 'certificate', 'found by'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  let s = '';
  s +=
    r.mode === 'quick'
      ? `${r.source.path}: quick scan, ${(r.stats.bytesRead / 1e6).toFixed(1)} MB of metadata read of ${(r.source.size / 1e6).toFixed(1)} MB in ${r.stats.seconds.toFixed(1)} s`
      : `${r.source.path}: ${(r.source.size / 1e6).toFixed(1)} MB read in ${r.stats.seconds.toFixed(1)} s (${r.stats.mbPerSecond} MB/s)`;
  s += r.source.readErrors.length ? `, ${r.source.readErrors.length} unreadable areas (${r.stats.bytesLost} bytes)\n` : '\n';
  s += `volumes: ${r.volumes.map((v) => `${v.type}@${v.offset}${v.label ? ` "${v.label}"` : ''}`).join(', ') || 'none recognised'}\n`;
  if (rows.length) s += '\n' + line(head) + rows.map(line).join('') + '\n';
  else s += 'no containers recovered\n';
  for (const c of r.containers) if (c.problems.length) s += `  ${c.dir}: ${c.problems.join('; ')}\n`;
  s += `${r.containers.length} containers (${r.containers.filter((c) => c.status === 'verified').length} verified), ${r.pkcs12.length} PKCS#12, ${r.certificates.length} certificates, ${r.loose.length} loose key files → ${out}\n`;
  if (r.stats.pairing.cutOff) s += 'note: pairing work hit its cap; some loose files may still belong together\n';
  return s;
}

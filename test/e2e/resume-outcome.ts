import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `out` with its sha256 (the DFXML and HTML reports, which carry the run's start
 * time, command line and duration, only as present), and the report without its timings and run fields. */
const TIMED = new Set(['report.json', 'summary.txt', 'report.dfxml', 'report.html']);
export function outcome(out: string): { files: Record<string, string>; report: unknown } {
  const files: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(out, p)] = TIMED.has(n) ? 'present' : createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(out);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Record<string, unknown> & { stats: Record<string, unknown> & { carvers: Record<string, { ms?: number }> } };
  delete report.run;
  delete report.stats.seconds;
  delete report.stats.mbPerSecond;
  for (const c of Object.values(report.stats.carvers)) delete c.ms;
  return { files, report };
}


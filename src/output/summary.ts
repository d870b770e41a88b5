/**
 * The summary a technician reads at the end of a scan (stdout and <out>/summary.txt, the same text).
 * The table wraps long cells onto continuation lines to fit the width: it never cuts a subject.
 */
import { join } from 'node:path';
import { formatBytes, formatRate } from './units.ts';
import { REPORT_FILES, type Report } from './report.ts';

/** Width used when stdout is not a terminal (a log, a pipe, summary.txt on its own). */
export const DEFAULT_WIDTH = 100;
const GAP = 2;
/** A column is never squeezed below this (or its heading). */
const MIN_COLUMN = 8;

export function summary(r: Report, out: string, width = DEFAULT_WIDTH): string {
  const rows = r.containers.map((c) => [
    c.dir.replace(/^containers\//, ''),
    c.status,
    c.algorithm ?? '?',
    c.certificate?.subject ?? '',
    [c.deleted ? 'deleted' : c.deleted === false ? 'live' : '', c.evidence.join('+')].filter(Boolean).join(', '),
  ]);
  const head = ['container', 'status', 'algorithm', 'certificate', 'found by'];
  let s = '';
  if (!r.complete) s += `INTERRUPTED: partial results, the pass covered ${formatBytes(r.source.passedTo ?? 0)} of ${formatBytes(r.source.size)}; resume the scan for the rest\n`;
  s +=
    r.mode === 'quick'
      ? `${r.source.path}: quick scan, ${formatBytes(r.stats.bytesRead)} of metadata and free clusters read of ${formatBytes(r.source.size)} in ${r.stats.seconds.toFixed(1)} s`
      : `${r.source.path}: ${formatBytes(r.complete ? r.source.size : (r.source.passedTo ?? 0))} read in ${r.stats.seconds.toFixed(1)} s (${formatRate(r.stats.mbPerSecond * 1e6)})`;
  s += r.source.readErrors.length ? `, ${r.source.readErrors.length} unreadable areas (${formatBytes(r.stats.bytesLost)} lost)\n` : '\n';
  s += `volumes: ${r.volumes.map((v) => `${v.type}@${v.offset}${v.label ? ` "${v.label}"` : ''}`).join(', ') || 'none recognised'}\n`;
  if (rows.length) s += '\n' + table(head, rows, width) + '\n';
  else s += 'no containers recovered\n';
  for (const c of r.containers) if (c.problems.length) s += `  ${c.dir}: ${c.problems.join('; ')}\n`;
  s += `${r.containers.length} containers (${r.containers.filter((c) => c.status === 'verified').length} verified), ${r.pkcs12.length} PKCS#12, ${r.certificates.length} certificates, ${r.loose.length} loose key files → ${out}\n`;
  s += `reports: ${join(out, REPORT_FILES.html)} (to read or send), ${join(out, REPORT_FILES.dfxml)} (DFXML, for forensic suites)\n`;
  if (r.stats.pairing.cutOff) s += 'note: pairing work hit its cap; some loose files may still belong together\n';
  return s;
}

/** Columns padded to fit `width`; the widest columns give way first, their cells wrapped. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], width: number): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const floor = head.map((h) => Math.max(h.length, MIN_COLUMN));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  while (total() > width) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > floor[i]! && (widest < 0 || w > widths[widest]!)) widest = i;
    });
    if (widest < 0) break; // cannot fit even at the floor: let the terminal wrap the line
    widths[widest]!--;
  }
  const render = (cells: readonly string[]) => {
    const wrapped = cells.map((c, i) => wrap(c, widths[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    let s = '';
    for (let l = 0; l < height; l++) s += wrapped.map((w, i) => (w[l] ?? '').padEnd(widths[i]!)).join(' '.repeat(GAP)).trimEnd() + '\n';
    return s;
  };
  return render(head) + rows.map(render).join('');
}

/**
 * Breaks `text` into lines of at most `w` characters after a space or a '+', splitting a word only
 * when it alone is longer than `w`. Only the spaces at the breaks are dropped.
 */
export function wrap(text: string, w: number): string[] {
  if (text.length <= w) return [text];
  const lines: string[] = [];
  let line = '';
  for (let token of text.match(/[^ +]*[ +]?/g)!.filter((t) => t !== '')) {
    if ((line + token).trimEnd().length <= w) {
      line += token;
      continue;
    }
    if (line.trimEnd() !== '') lines.push(line.trimEnd());
    while (token.trimEnd().length > w) {
      lines.push(token.slice(0, w));
      token = token.slice(w);
    }
    line = token;
  }
  if (line.trimEnd() !== '') lines.push(line.trimEnd());
  return lines;
}

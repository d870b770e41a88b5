/**
 * The one way the CLI writes a size or a rate: decimal units (kB, MB, GB, TB), the ones printed on
 * a drive's label, so "16 GB" here is the "16 GB" on the stick. Three significant digits at most.
 */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '? B';
  let v = n;
  let i = 0;
  while (v >= 999.5 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  if (i === 0) return `${Math.round(v)} B`;
  return `${v < 99.95 ? v.toFixed(1) : Math.round(v)} ${UNITS[i]}`;
}

/** Bytes per second: `formatRate(41.9e6)` → "41.9 MB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

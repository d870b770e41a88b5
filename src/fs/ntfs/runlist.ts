// Mapping pairs (run lists): a header byte whose low nibble is the size of the run length and high
// nibble the size of the signed LCN delta; a zero delta size marks a sparse run.

export interface Run {
  readonly vcn: number;
  /** null for a sparse run (reads as zeros). */
  readonly lcn: number | null;
  readonly length: number;
}

export type RunsResult = { ok: true; runs: Run[] } | { ok: false; why: string };

/** A run list lives inside one attribute of at most a 4 KiB record: ~2 bytes a run at least. */
export const MAX_RUNS = 2048;
/** Cluster bound when the volume size is unknown (carved records): 2^40 clusters. */
export const NO_VOLUME_CLUSTERS = 2 ** 40;

function readLe(b: Uint8Array, o: number, n: number, signed: boolean): number | null {
  if (o + n > b.length) return null;
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i]!);
  if (signed && n > 0 && (b[o + n - 1]! & 0x80) !== 0) v -= 1n << BigInt(8 * n);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(v);
}

/**
 * Decodes one attribute segment's run list starting at `startVcn`. Rejects (rather than clamps)
 * anything a sane volume cannot hold: zero or huge lengths, LCNs outside [0, totalClusters), more
 * clusters than the segment's VCN span.
 */
export function decodeRuns(b: Uint8Array, startVcn: number, lastVcn: number, totalClusters: number): RunsResult {
  if (startVcn < 0 || lastVcn < startVcn - 1 || lastVcn >= totalClusters) return { ok: false, why: 'bad VCN span' };
  const span = lastVcn - startVcn + 1;
  const runs: Run[] = [];
  let p = 0;
  let lcn = 0;
  let vcn = startVcn;
  while (p < b.length) {
    const h = b[p]!;
    if (h === 0) break;
    const ls = h & 0x0f;
    const os = h >> 4;
    if (ls === 0 || ls > 8 || os > 8) return { ok: false, why: 'bad run header' };
    const len = readLe(b, p + 1, ls, false);
    if (len === null || len <= 0 || len > totalClusters) return { ok: false, why: 'bad run length' };
    let runLcn: number | null = null;
    if (os > 0) {
      const d = readLe(b, p + 1 + ls, os, true);
      if (d === null) return { ok: false, why: 'bad run offset' };
      lcn += d;
      if (lcn < 0 || lcn + len > totalClusters) return { ok: false, why: 'run past the volume' };
      runLcn = lcn;
    }
    if (vcn - startVcn + len > span) return { ok: false, why: 'runs exceed the VCN span' };
    if (runs.length >= MAX_RUNS) return { ok: false, why: 'too many runs' };
    runs.push({ vcn, lcn: runLcn, length: len });
    vcn += len;
    p += 1 + ls + os;
  }
  return { ok: true, runs };
}

/** True when two allocated runs share a cluster (a corrupt or hostile run list). */
export function runsOverlap(runs: readonly Run[]): boolean {
  const alloc = runs.filter((r) => r.lcn !== null).sort((a, b) => a.lcn! - b.lcn!);
  for (let i = 1; i < alloc.length; i++) if (alloc[i - 1]!.lcn! + alloc[i - 1]!.length > alloc[i]!.lcn!) return true;
  return false;
}

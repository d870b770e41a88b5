/**
 * Runs every carver over one chunk: anchors tested at each 512-byte boundary of the page, the deep
 * check only on a match. A throw from a carver becomes an alert naming carver and offset
 * (bulk_extractor's scanner_set wrapper) — never a lost chunk.
 */
import type { Candidate, CarverSpec, Chunk } from '../carve/types.ts';
import { buildAnchorTable, matchingCarvers, mayMatch, type AnchorTable } from './anchor-table.ts';

export const SECTOR = 512;
/** Failures kept with their offset and message; the rest are only counted (in CarverStats). */
export const MAX_ALERTS = 100;

export interface CarveAlert {
  readonly carver: string;
  readonly offset: number;
  readonly message: string;
}

export interface CarverStats {
  /** Anchor matches (how often the deep check ran). */
  calls: number;
  candidates: number;
  ms: number;
  failures: number;
}

export interface ChunkResult {
  readonly candidates: Candidate[];
  /** The first MAX_ALERTS failures, by offset. */
  readonly alerts: CarveAlert[];
  readonly carvers: Record<string, CarverStats>;
}

const tables = new WeakMap<readonly CarverSpec[], AnchorTable>();

export function carveChunk(chunk: Chunk, carvers: readonly CarverSpec[]): ChunkResult {
  let table = tables.get(carvers);
  if (!table) tables.set(carvers, (table = buildAnchorTable(carvers)));
  const candidates: Candidate[] = [];
  const alerts: CarveAlert[] = [];
  const stats: Record<string, CarverStats> = {};
  const hits = new Set<CarverSpec>();
  const b = chunk.bytes;
  const page = Math.min(chunk.page, b.length);
  for (let s = 0; s < page; s += SECTOR) {
    if (!mayMatch(table, b, s)) continue;
    matchingCarvers(table, b, s, hits);
    if (hits.size === 0) continue;
    for (const carver of hits) {
      const st = (stats[carver.kind] ??= { calls: 0, candidates: 0, ms: 0, failures: 0 });
      st.calls++;
      const t0 = performance.now();
      try {
        const found = carver.carve(chunk, s);
        for (const c of found) candidates.push(c);
        st.candidates += found.length;
      } catch (e) {
        st.failures++;
        if (alerts.length < MAX_ALERTS) alerts.push({ carver: carver.kind, offset: chunk.base + s, message: e instanceof Error ? e.message : String(e) });
      }
      st.ms += performance.now() - t0;
    }
  }
  return { candidates, alerts, carvers: stats };
}

/** Adds one chunk's stats and alerts into running totals; keeps the MAX_ALERTS lowest offsets. */
export function mergeCarveStats(into: { alerts: CarveAlert[]; carvers: Record<string, CarverStats> }, r: Pick<ChunkResult, 'alerts' | 'carvers'>): void {
  for (const [k, v] of Object.entries(r.carvers)) {
    const st = (into.carvers[k] ??= { calls: 0, candidates: 0, ms: 0, failures: 0 });
    st.calls += v.calls;
    st.candidates += v.candidates;
    st.ms += v.ms;
    st.failures += v.failures;
  }
  if (r.alerts.length === 0) return;
  into.alerts.push(...r.alerts);
  // Chunks finish out of order: sort so the kept ones are the first on the medium.
  into.alerts.sort((a, b) => a.offset - b.offset);
  into.alerts.length = Math.min(into.alerts.length, MAX_ALERTS);
}

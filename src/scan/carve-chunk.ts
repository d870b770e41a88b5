/**
 * Runs every carver over one chunk: anchors tested at each 512-byte boundary of the page, the deep
 * check only on a match. A throw from a carver becomes an alert naming carver and offset
 * (bulk_extractor's scanner_set wrapper) — never a lost chunk.
 */
import type { Candidate, CarverSpec, Chunk } from '../carve/types.ts';
import { buildAnchorTable, matchingCarvers, mayMatch, type AnchorTable } from './anchor-table.ts';

export const SECTOR = 512;

export interface CarveAlert {
  readonly carver: string;
  readonly offset: number;
  readonly error: string;
}

export interface ChunkResult {
  readonly candidates: Candidate[];
  readonly alerts: CarveAlert[];
  /** Anchor matches per carver kind (how often the deep check ran). */
  readonly calls: Record<string, number>;
}

const tables = new WeakMap<readonly CarverSpec[], AnchorTable>();

export function carveChunk(chunk: Chunk, carvers: readonly CarverSpec[]): ChunkResult {
  let table = tables.get(carvers);
  if (!table) tables.set(carvers, (table = buildAnchorTable(carvers)));
  const candidates: Candidate[] = [];
  const alerts: CarveAlert[] = [];
  const calls: Record<string, number> = {};
  const hits = new Set<CarverSpec>();
  const b = chunk.bytes;
  const page = Math.min(chunk.page, b.length);
  for (let s = 0; s < page; s += SECTOR) {
    if (!mayMatch(table, b, s)) continue;
    matchingCarvers(table, b, s, hits);
    if (hits.size === 0) continue;
    for (const carver of hits) {
      calls[carver.kind] = (calls[carver.kind] ?? 0) + 1;
      try {
        for (const c of carver.carve(chunk, s)) candidates.push(c);
      } catch (e) {
        alerts.push({ carver: carver.kind, offset: chunk.base + s, error: String(e) });
      }
    }
  }
  return { candidates, alerts, calls };
}

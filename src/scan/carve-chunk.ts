/**
 * Runs every carver over one chunk: anchors tested at each 512-byte boundary of the page, the deep
 * check only on a match. A throw from a carver becomes an alert naming carver and offset
 * (bulk_extractor's scanner_set wrapper) — never a lost chunk. Finding the sectors to carve
 * (`anchorHits`) and carving them (`carveAt`) are apart so a reader can prefilter each piece while
 * it is in cache and carve a hit once the bytes it may span have arrived.
 */
import type { Candidate, CarverSpec, Chunk } from '../carve/types.ts';
import { buildAnchorTable, matchingCarvers, type AnchorTable } from './anchor-table.ts';

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

function tableFor(carvers: readonly CarverSpec[]): AnchorTable {
  let table = tables.get(carvers);
  if (!table) tables.set(carvers, (table = buildAnchorTable(carvers)));
  return table;
}

export const emptyResult = (): ChunkResult => ({ candidates: [], alerts: [], calls: {} });

/** Pushes onto `out` each sector start in [from, to) of `b` where some carver's anchor matches.
 * Anchors lie inside their sector, so only the bytes of [from, to) are looked at. */
export function anchorHits(carvers: readonly CarverSpec[], b: Uint8Array, from: number, to: number, out: number[]): void {
  const table = tableFor(carvers);
  const h = b.byteOffset % 2 === 0 ? new Uint16Array(b.buffer, b.byteOffset, b.length >> 1) : null;
  const first = out.length;
  table.scan(table.bits, b, h, from, to, out);
  // Keep only the sectors where a whole anchor matches (the prefilter saw two bytes).
  const hits = new Set<CarverSpec>();
  let kept = first;
  for (let j = first; j < out.length; j++) {
    matchingCarvers(table, b, out[j]!, hits);
    if (hits.size > 0) out[kept++] = out[j]!;
  }
  out.length = kept;
}

/** Runs, at each of `sectors`, the carvers whose anchor matches there, adding to `into`. */
export function carveAt(chunk: Chunk, carvers: readonly CarverSpec[], sectors: Iterable<number>, into: ChunkResult): void {
  const table = tableFor(carvers);
  const hits = new Set<CarverSpec>();
  for (const s of sectors) {
    matchingCarvers(table, chunk.bytes, s, hits);
    for (const carver of hits) {
      into.calls[carver.kind] = (into.calls[carver.kind] ?? 0) + 1;
      try {
        for (const c of carver.carve(chunk, s)) into.candidates.push(c);
      } catch (e) {
        into.alerts.push({ carver: carver.kind, offset: chunk.base + s, error: String(e) });
      }
    }
  }
}

/** The whole page of a chunk at once (its margin already in place). */
export function carveChunk(chunk: Chunk, carvers: readonly CarverSpec[]): ChunkResult {
  const sectors: number[] = [];
  anchorHits(carvers, chunk.bytes, 0, Math.min(chunk.page, chunk.bytes.length), sectors);
  const r = emptyResult();
  carveAt(chunk, carvers, sectors, r);
  return r;
}

/**
 * Runs every carver over one chunk: anchors tested at each 512-byte boundary of the page, the deep
 * check only on a match. A throw from a carver becomes an alert naming carver and offset
 * (bulk_extractor's scanner_set wrapper) — never a lost chunk. Finding the sectors to carve
 * (`anchorHits`) and carving them (`carveAt`) are apart so a reader can prefilter each piece while
 * it is in cache and carve a hit once the bytes it may span have arrived.
 */
import type { Candidate, CarverSpec, Chunk } from '../carve/types.ts';
import { carveWindow } from '../carve/window.ts';
import { buildAnchorTable, matchingCarvers, nativeHits, nativeReadHits, nativeReadHitsOffThread, nativeReadKeep, type AnchorTable, type NativeReadHits, type NativeReadHitsOffThread, type NativeReadKeep } from './anchor-table.ts';

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

function tableFor(carvers: readonly CarverSpec[]): AnchorTable {
  let table = tables.get(carvers);
  if (!table) tables.set(carvers, (table = buildAnchorTable(carvers)));
  return table;
}

export const emptyResult = (): ChunkResult => ({ candidates: [], alerts: [], carvers: {} });

/** Pushes onto `out` each sector start in [from, to) of `b` where some carver's anchor matches
 * whole inside `b`. In C when the addon is built (`native: false` forces this TypeScript, the
 * tests' oracle). */
export function anchorHits(carvers: readonly CarverSpec[], b: Uint8Array, from: number, to: number, out: number[], opts: { native?: boolean } = {}): void {
  const table = tableFor(carvers);
  const native = opts.native === false ? null : nativeHits(table);
  if (native) return native(b, from, to, out);
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

/** The addon's read-and-test of a piece from a descriptor (NativeReadHits: pread, then the hits
 * anchorHits gives), or null without the addon. */
export function readAnchorHits(carvers: readonly CarverSpec[]): NativeReadHits | null {
  return nativeReadHits(tableFor(carvers));
}

/** readAnchorHits on libuv's threads, or null without the addon (or one built before it). */
export function readAnchorHitsOffThread(carvers: readonly CarverSpec[]): NativeReadHitsOffThread | null {
  return nativeReadHitsOffThread(tableFor(carvers));
}

/** The addon's sparse read of a chunk on libuv's threads (NativeReadKeep), or null without it. */
export function readAnchorKeep(carvers: readonly CarverSpec[]): NativeReadKeep | null {
  return nativeReadKeep(tableFor(carvers));
}

/** This thread's chunks from a descriptor are read off it (the addon is built with the call). */
export function readsOffThread(carvers: readonly CarverSpec[]): boolean {
  return readAnchorHitsOffThread(carvers) !== null;
}

/** `chunk` cut to `carver`'s window around s (clipped to the chunk), and s in it: a carver sees
 * the same bytes wherever its hit lies in the chunk, and the pass need keep only those. */
function windowAt(chunk: Chunk, carver: CarverSpec, s: number): [Chunk, number] {
  const { back, ahead } = carveWindow(carver);
  const from = Math.max(0, s - back);
  const bytes = chunk.bytes.subarray(from, Math.min(chunk.bytes.length, s + ahead));
  return [{ base: chunk.base + from, bytes, page: chunk.page - from }, s - from];
}

/** Runs, at each of `sectors`, the carvers whose anchor matches there, each on its window,
 * adding to `into`. */
export function carveAt(chunk: Chunk, carvers: readonly CarverSpec[], sectors: Iterable<number>, into: ChunkResult): void {
  const table = tableFor(carvers);
  const hits = new Set<CarverSpec>();
  for (const s of sectors) {
    matchingCarvers(table, chunk.bytes, s, hits);
    for (const carver of hits) {
      const st = (into.carvers[carver.kind] ??= { calls: 0, candidates: 0, ms: 0, failures: 0 });
      st.calls++;
      const t0 = performance.now();
      try {
        const found = carver.carve(...windowAt(chunk, carver, s));
        for (const c of found) into.candidates.push(c);
        st.candidates += found.length;
      } catch (e) {
        st.failures++;
        if (into.alerts.length < MAX_ALERTS) into.alerts.push({ carver: carver.kind, offset: chunk.base + s, message: e instanceof Error ? e.message : String(e) });
      }
      st.ms += performance.now() - t0;
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

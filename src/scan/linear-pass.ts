/**
 * The one linear pass: reads the source once, in order, into a ring of shared-memory slots and
 * hands each chunk (page + margin) to the worker pool. The margin of chunk i is the start of
 * chunk i+1's page: it is copied between slots, never re-read, so every byte is read once.
 * In-flight chunks are bounded by the slot count, so memory does not grow with the source size.
 */
import type { Candidate } from '../carve/types.ts';
import { mergeRanges } from '../source/tolerant.ts';
import type { ByteRange, ByteSource } from '../source/types.ts';
import { mergeCarveStats, type CarveAlert, type CarverStats, type ChunkResult } from './carve-chunk.ts';
import type { CarvePool } from './pool.ts';

export interface PassProgress {
  /** Bytes read and carved (chunks still in the workers are not done). */
  readonly bytesDone: number;
  readonly total: number;
  readonly candidates: number;
  /** header.key candidates whose MAC is valid: one per container whose header survives (a live
   * count of containers; the exact number needs the reassembly after the pass). */
  readonly macHeaders: number;
  readonly pkcs12: number;
  readonly readErrors: number;
  readonly bytesLost: number;
}

export interface PassOptions {
  readonly pool: CarvePool;
  readonly slots: number;
  readonly page?: number;
  readonly margin: number;
  /** Sees every newly read region once, in order, before it is carved (metadata retention). */
  readonly observe?: (base: number, bytes: Uint8Array) => void;
  readonly onProgress?: (p: PassProgress) => void;
  readonly signal?: AbortSignal;
}

export interface PassResult {
  readonly candidates: Candidate[];
  /** The first failures by offset (at most MAX_ALERTS); CarverStats counts them all. */
  readonly alerts: CarveAlert[];
  readonly readErrors: ByteRange[];
  readonly bytesRead: number;
  readonly carvers: Record<string, CarverStats>;
  readonly aborted: boolean;
}

export const DEFAULT_PAGE = 8 * 1024 * 1024;

export async function linearPass(source: ByteSource, opts: PassOptions): Promise<PassResult> {
  const page = opts.page ?? DEFAULT_PAGE;
  const margin = Math.ceil(opts.margin / 4096) * 4096;
  if (margin > page) throw new Error(`margin ${margin} larger than page ${page}`);
  const slotSize = page + margin;
  const slotCount = Math.max(2, opts.slots);
  const shared = new SharedArrayBuffer(slotSize * slotCount);
  const pending: (Promise<void> | null)[] = new Array(slotCount).fill(null);
  const candidates: Candidate[] = [];
  const carveStats = { alerts: [] as CarveAlert[], carvers: {} as Record<string, CarverStats> };
  const readErrors: ByteRange[] = [];
  let bytesRead = 0;
  let bytesLost = 0;
  let bytesCarved = 0;
  let macHeaders = 0;
  let pkcs12 = 0;
  let firstError: unknown = null;

  const collect = (r: ChunkResult) => {
    for (const c of r.candidates) {
      candidates.push(c);
      if (c.kind === 'header' && (c.checks.includes('mac-ea') || c.checks.includes('mac-z'))) macHeaders++;
      else if (c.kind === 'pkcs12' && !c.truncated) pkcs12++;
    }
    mergeCarveStats(carveStats, r);
  };

  opts.onProgress?.({ bytesDone: 0, total: source.size, candidates: 0, macHeaders: 0, pkcs12: 0, readErrors: 0, bytesLost: 0 });
  let prevSlot = -1;
  let prevLength = 0;
  let aborted = false;
  for (let i = 0, base = 0; base < source.size; i++, base += page) {
    if (opts.signal?.aborted) {
      aborted = true;
      break;
    }
    const slot = i % slotCount;
    await pending[slot]; // the slot's previous chunk is carved: reuse it
    if (firstError) break;
    const view = new Uint8Array(shared, slot * slotSize, slotSize);
    const length = Math.min(slotSize, source.size - base);
    // The part already read as the previous chunk's margin.
    let have = 0;
    if (prevSlot >= 0) {
      have = Math.max(0, Math.min(margin, prevLength - page));
      view.set(new Uint8Array(shared, prevSlot * slotSize + page, have), 0);
    }
    if (length > have) {
      const into = view.subarray(have, length);
      const r = await source.read(base + have, into);
      if (r.bytes < into.length) into.fill(0, r.bytes); // a short source: treat the rest as lost
      bytesRead += r.bytes;
      for (const bad of r.bad) {
        readErrors.push(bad);
        bytesLost += bad.length;
      }
      opts.observe?.(base + have, into);
    }
    const task = opts.pool
      .run({ shared, byteOffset: slot * slotSize, length, base, page: Math.min(page, length) })
      .then(
        (r) => {
          collect(r);
          // Progress counts carved bytes: the first chunks are read into free slots long before
          // the workers are through them, and a rate over reads would be wild at the start.
          bytesCarved += Math.min(page, length);
          opts.onProgress?.({ bytesDone: bytesCarved, total: source.size, candidates: candidates.length, macHeaders, pkcs12, readErrors: readErrors.length, bytesLost });
        },
        (e: unknown) => {
          firstError ??= e;
        },
      );
    pending[slot] = task;
    prevSlot = slot;
    prevLength = length;
  }
  await Promise.all(pending.filter((p): p is Promise<void> => p !== null));
  if (firstError) throw firstError instanceof Error ? firstError : new Error(String(firstError));
  candidates.sort((a, b) => a.offset - b.offset || a.kind.localeCompare(b.kind));
  return { candidates, ...carveStats, readErrors: mergeRanges(readErrors), bytesRead, aborted };
}

/**
 * Piscina worker: carves one chunk that lives in shared memory (never copied). Given a descriptor
 * (a raw image) or a plan (an image format's pieces on its files' descriptors, src/source/formats/
 * plan.ts), it reads the chunk itself, in pieces that stay in the core's L2 cache: each piece is prefiltered
 * right after its read, and a hit is carved as soon as the bytes it may span (the margin) are in
 * (from a descriptor with the addon built, a piece is read and prefiltered in one call).
 * On libuv's threads with the addon, a chunk given `keep` is written into the slot only at the
 * hits' windows and those ranges (native/anchors.c anchor_read_keep): each carver reads only its
 * window (src/carve/window.ts), so nothing reads the bytes left stale.
 * Hits in the last margin of the page need the next chunk's first bytes: they go back as `tail`,
 * for the pass to carve once that chunk is read (so no byte is read twice).
 */
import { CARVERS } from '../carve/index.ts';
import type { Candidate } from '../carve/types.ts';
import { PlanReader, type LostRange, type PlanPiece } from '../source/formats/plan.ts';
import { anchorHits, carveAt, emptyResult, readAnchorHits, readAnchorHitsOffThread, readAnchorKeep, type ChunkResult } from './carve-chunk.ts';
import { errnoName, PIECE, preadInto, ReadError } from './pread.ts';

export interface ChunkTask {
  readonly shared: SharedArrayBuffer;
  readonly byteOffset: number;
  /** Absolute offset of the chunk's first byte. */
  readonly base: number;
  /** Page bytes of this chunk (the slot has room for a margin behind them). */
  readonly length: number;
  readonly margin: number;
  /** No chunk follows: every hit is carved with the bytes there are. */
  readonly last: boolean;
  /** Read [readFrom, length) from this descriptor (pread; the bytes before are already in). */
  readonly fd?: number;
  readonly readFrom?: number;
  /** Or read the whole chunk from this plan (readFrom 0). */
  readonly plan?: readonly PlanPiece[];
  /** From a descriptor, read on libuv's threads: write into the slot only these (sorted [start,
   * end) pairs, relative to the chunk) and the hits' windows, where the addon can (NativeReadKeep).
   * Unset, or read any other way, the slot gets every byte. */
  readonly keep?: Int32Array;
  /** The chunk's read failed after these were tested: its sectors from `to` on are still to test
   * (the slot holds what their windows may look back at). */
  readonly tested?: Tested;
}

export interface Tested {
  readonly to: number;
  readonly hits: readonly number[];
}

export interface TaskResult extends ChunkResult {
  /** Sector starts in the page whose carve waits for the next chunk's first `margin` bytes. */
  readonly tail: number[];
  /** Bytes this task read from the descriptor, and a read error's code (nothing is carved then). */
  readonly read: number;
  readonly readError?: string;
  /** A plan's ranges that could not be given (corrupt chunks, missing segments), zero-filled. */
  readonly lost?: LostRange[];
  /** A kept read that failed: what it had tested (for the task that carves the chunk). */
  readonly tested?: Tested;
  /** Bytes written into the slot by a kept read. */
  readonly kept?: number;
}

/** `offThread`: a chunk from a descriptor is read whole by the addon on one of libuv's threads,
 * piece by piece, each tested while in cache — this thread carves other chunks meanwhile, and the
 * chunks in flight are read on every core (2 GiB: see pool.ts). Otherwise this thread preads it
 * piece by piece. Asynchronous only then. */
export default async function carveTask(t: ChunkTask, offThread = false): Promise<TaskResult> {
  const slot = new Uint8Array(t.shared, t.byteOffset, t.length);
  const chunk = { base: t.base, bytes: slot, page: t.length };
  const r = emptyResult();
  const hits: number[] = [...(t.tested?.hits ?? [])];
  let carved = 0;
  let kept: number | undefined;
  const plan = t.plan ? new PlanReader(t.plan, t.base) : null;
  const from = t.fd === undefined && !plan ? t.length : (t.readFrom ?? 0);
  let have = from;
  // From a descriptor with the addon: each piece read and tested in one call, without fs.readSync's
  // own work (~20 M fewer instructions per 512 MiB, callgrind). A chunk in one call, carved after
  // its last read, measured no better on this thread: the hits' bytes are out of cache by then.
  const direct = t.fd !== undefined && !plan ? readAnchorHits(CARVERS) : null;
  const later = direct && offThread ? readAnchorHitsOffThread(CARVERS) : null;
  // Only the bytes to be read again written out (the carvers' windows, t.keep), the rest read into
  // a buffer that stays in cache, as cat reads: writing every byte to memory out of cache had cost
  // the pass 258 vs 209 and 244 vs 209 ms per 2 GiB (interleaved medians, 15 rounds).
  const keeper = later && t.keep ? readAnchorKeep(CARVERS) : null;
  for (let at = t.tested?.to ?? 0; at < t.length; ) {
    const end = later ? t.length : Math.min(t.length, at + PIECE);
    if (keeper) {
      const got = await keeper(t.fd!, slot, at, end, t.base, PIECE, t.keep!, hits);
      if (got.errno !== undefined) return { ...failed(got.filled - from, errnoName(got.errno)), tested: { to: got.tested, hits } };
      have = got.filled;
      kept = got.kept;
    } else if (direct) {
      const got = later ? await later(t.fd!, slot, at, end, have, t.base, PIECE, hits) : direct(t.fd!, slot, at, end, have, t.base, hits);
      if (got.errno !== undefined) return failed(got.filled - from, errnoName(got.errno));
      have = got.filled;
    } else {
      if (end > have) {
        try {
          have = plan ? plan.fill(slot, end) : preadInto(t.fd!, slot, have, end, t.base);
        } catch (e) {
          // A plan or a pread keeps what it filled before the failure.
          const got = plan ? plan.done : e instanceof ReadError ? e.filled : have;
          return failed(got - from, (e as NodeJS.ErrnoException).code ?? 'EIO', plan?.lost);
        }
      }
      anchorHits(CARVERS, slot.subarray(0, end), at, end, hits);
    }
    // A hit is carved once its whole possible span is in (the end of the source counts as in).
    const ready = t.last && end === t.length ? Infinity : end - t.margin;
    const start = carved;
    while (carved < hits.length && hits[carved]! <= ready) carved++;
    if (carved > start) carveAt({ ...chunk, bytes: slot.subarray(0, end) }, CARVERS, hits.slice(start, carved), r);
    at = end;
  }
  return { ...r, tail: hits.slice(carved), read: have - from, ...(plan ? { lost: plan.lost } : {}), ...(kept !== undefined ? { kept } : {}) };
}

/** A chunk whose read failed after `read` bytes: nothing is carved (the pass reads the rest). */
function failed(read: number, code: string, lost?: LostRange[]): TaskResult {
  return { ...emptyResult(), tail: [], read, readError: code, ...(lost ? { lost } : {}) };
}

export type { Candidate };

/**
 * The one linear pass: reads the source once, in order, into a ring of shared-memory slots, each
 * chunk's page carved by the worker pool. An image file is read by the workers themselves (pread
 * on the shared descriptor, chunks handed out in order; an image format's chunk as the plan its
 * source makes here, see src/source/formats/plan.ts) so the copy from the page cache and any
 * inflation run on every core; failing media — after the first read error, or when the caller says so — are read
 * here, sequentially, through the error-tolerant source. Chunks are finished in order: the bytes
 * seen by `observe`, and the few hits in a page's last margin, which are carved over the next
 * chunk's first bytes copied behind the page (copied between slots, never re-read). In-flight
 * chunks are bounded by the slot count, so memory does not grow with the source size. A chunk read
 * on libuv's threads is written into its slot only where anything reads it again (worker.ts): the
 * carvers' windows, the metadata `keep` names, its first margin; its other bytes stay stale.
 */
import { CARVERS } from '../carve/index.ts';
import type { Candidate } from '../carve/types.ts';
import { mergeRanges } from '../source/tolerant.ts';
import type { ChunkPlan } from '../source/formats/plan.ts';
import type { ByteRange, ByteSource } from '../source/types.ts';
import { carveAt, emptyResult, mergeCarveStats, readsOffThread, type CarveAlert, type CarverStats } from './carve-chunk.ts';
import type { CarvePool } from './pool.ts';
import type { ChunkTask, TaskResult } from './worker.ts';

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
  /** false: every read goes through source.read on this thread (a --map, a drive known to fail). */
  readonly workersRead?: boolean;
  /** Sees every region read once, in order, after it is carved (metadata retention). */
  readonly observe?: (base: number, bytes: Uint8Array) => void;
  /** The ranges of [base, base + length) that `observe` will read, asked as the chunk is issued
   * (null: all of it). With it, or without `observe`, a chunk read on libuv's threads is written
   * out only there, at the carvers' windows and at its first margin (for the chunk before). */
  readonly keep?: (base: number, length: number) => readonly ByteRange[] | null;
  /** Each range as it is read, by whichever thread (tests check that the reads tile the source). */
  readonly onRead?: (range: ByteRange) => void;
  readonly onProgress?: (p: PassProgress) => void;
  readonly signal?: AbortSignal;
  /** Continue an interrupted pass from its checkpoint (src/run/checkpoint.ts). */
  readonly resume?: PassState;
  /** After each chunk that is whole (its tail carved over its successor's bytes): the pass's
   * state up to there, from which `resume` gives the same result as never stopping. */
  readonly onChunkDone?: (s: PassState) => void;
}

/** The pass up to a finished-chunk boundary: everything before `position` is carved. */
export interface PassState {
  readonly position: number;
  /** In the order found (not sorted); the live array in onChunkDone, copy what you keep. */
  readonly candidates: readonly Candidate[];
  readonly alerts: readonly CarveAlert[];
  readonly readErrors: readonly ByteRange[];
  /** Bytes read for the chunks before `position`. */
  readonly bytesRead: number;
  readonly carvers: Readonly<Record<string, CarverStats>>;
}

export interface PassResult {
  readonly candidates: Candidate[];
  readonly alerts: CarveAlert[];
  readonly readErrors: ByteRange[];
  readonly bytesRead: number;
  readonly carvers: Record<string, CarverStats>;
  readonly aborted: boolean;
}

export const DEFAULT_PAGE = 8 * 1024 * 1024;

/** The page for `jobs` carving threads. Workers get 8 MiB (a task's round trip is paid per page),
 * and so does this thread when the addon reads its chunks on libuv's threads (2 and 4 MiB measured
 * slower there, 2 GiB and 8 GiB). Reading here itself, 2 MiB: its ring then stays in cache, and
 * reading into memory that is in cache cost ~100 ms less system time per 2 GiB than into a 16 MiB
 * ring (measured, warm cache). */
export function pageFor(jobs: number): number {
  return jobs > 1 || readsOffThread(CARVERS) ? DEFAULT_PAGE : 2 * 1024 * 1024;
}

/** Slots start half a page off a page boundary: a copy from the page cache into a page-aligned
 * destination runs ~25% slower here (4 KiB aliasing of source and destination; measured). */
const SKEW = 2048;

interface Chunk {
  readonly task: ChunkTask;
  result?: TaskResult;
  release: () => void;
}

export async function linearPass(source: ByteSource, opts: PassOptions): Promise<PassResult> {
  const page = opts.page ?? DEFAULT_PAGE;
  const margin = Math.ceil(opts.margin / 4096) * 4096;
  if (margin > page) throw new Error(`margin ${margin} larger than page ${page}`);
  const slotSize = page + margin;
  const slotCount = Math.max(2, opts.slots);
  const shared = new SharedArrayBuffer(SKEW + slotSize * slotCount);
  const view = (t: ChunkTask, end = t.length) => new Uint8Array(shared, t.byteOffset, end);
  const start = opts.resume?.position ?? 0;
  const count = Math.ceil((source.size - start) / page);
  const chunks: (Chunk | undefined)[] = [];
  const freed: Promise<void>[] = [];
  const running: Promise<void>[] = [];
  const all = emptyResult();
  const readErrors: ByteRange[] = [];
  const workersRead = opts.workersRead !== false && !opts.resume?.readErrors.length;
  let fd = workersRead ? source.fd : undefined;
  /** Chunks may be read sparsely: nothing but the carvers and `keep` reads them (a source that sees
   * its bytes pass, an image format's hash, needs them all). */
  const sparse = !source.passed && (!opts.observe || opts.keep !== undefined);
  /** No descriptor for the whole medium, but the source plans chunks for the workers. */
  let planned = workersRead && fd === undefined && source.plan !== undefined;
  let bytesRead = opts.resume?.bytesRead ?? 0;
  let bytesLost = 0;
  let bytesCarved = start;
  /** Bytes read per chunk (by base) until it finishes: a checkpoint counts finished chunks only. */
  const readAt = new Map<number, number>();
  let readCarved = bytesRead;
  const countRead = (base: number, n: number) => {
    bytesRead += n;
    readAt.set(base, (readAt.get(base) ?? 0) + n);
  };
  let macHeaders = 0;
  let pkcs12 = 0;
  let finished = 0;
  let firstError: unknown = null;
  let reading: Promise<unknown> = Promise.resolve();

  const progress = () =>
    opts.onProgress?.({ bytesDone: bytesCarved, total: source.size, candidates: all.candidates.length, macHeaders, pkcs12, readErrors: readErrors.length, bytesLost });

  /** [from, length) of a chunk through the tolerant source; one read at a time, in call order. */
  const readHere = (t: ChunkTask, from: number) =>
    (reading = reading.then(async () => {
      const into = view(t).subarray(from);
      const r = await source.read(t.base + from, into);
      if (r.bytes < into.length) into.fill(0, r.bytes); // a short source: treat the rest as lost
      opts.onRead?.({ offset: t.base + from, length: into.length });
      countRead(t.base, r.bytes);
      for (const bad of r.bad) {
        readErrors.push(bad);
        bytesLost += bad.length;
      }
    }));

  const collect = (r: TaskResult | ReturnType<typeof emptyResult>) => {
    for (const c of r.candidates) {
      all.candidates.push(c);
      if (c.kind === 'header' && (c.checks.includes('mac-ea') || c.checks.includes('mac-z'))) macHeaders++;
      else if (c.kind === 'pkcs12' && !c.truncated) pkcs12++;
    }
    mergeCarveStats(all, r);
  };
  if (opts.resume) {
    collect({ ...opts.resume, candidates: [...opts.resume.candidates], alerts: [...opts.resume.alerts] });
    for (const bad of opts.resume.readErrors) {
      readErrors.push(bad);
      bytesLost += bad.length;
    }
  }

  const state = (): PassState => ({ position: bytesCarved, candidates: all.candidates, alerts: all.alerts, readErrors: readErrors.filter((b) => b.offset < bytesCarved), bytesRead: readCarved, carvers: all.carvers });

  /** Chunk i is carved and so is i+1 (or none follows / will follow): observe it, carve its tail. */
  const finish = (i: number) => {
    const c = chunks[i]!;
    const r = c.result!;
    source.passed?.(c.task.base, view(c.task));
    opts.observe?.(c.task.base, view(c.task));
    collect(r);
    const next = chunks[i + 1]?.result ? chunks[i + 1]!.task : null;
    if (r.tail.length > 0) {
      let end = c.task.length;
      if (next) {
        const have = Math.min(margin, next.length);
        view(c.task, c.task.length + have).set(view(next, have), c.task.length);
        end += have;
      }
      const tail = emptyResult();
      carveAt({ base: c.task.base, bytes: view(c.task, end), page: c.task.length }, CARVERS, r.tail, tail);
      collect(tail);
    }
    bytesCarved += c.task.length;
    readCarved += readAt.get(c.task.base) ?? 0;
    readAt.delete(c.task.base);
    progress();
    if (opts.onChunkDone && (next || r.tail.length === 0 || c.task.last)) opts.onChunkDone(state());
    chunks[i] = undefined; // nothing needs it now: memory stays flat
    c.release();
  };

  const drain = (final: boolean) => {
    while (chunks[finished]?.result && (chunks[finished + 1]?.result || finished + 1 === count || final)) finish(finished++);
  };

  const settle = async (t: ChunkTask, plan: ChunkPlan | null): Promise<TaskResult> => {
    const r = await opts.pool.run(t);
    if (t.fd !== undefined || plan) opts.onRead?.({ offset: t.base + (t.readFrom ?? 0), length: r.read });
    countRead(t.base, r.read);
    for (const bad of r.lost ?? []) {
      readErrors.push({ offset: bad.offset, length: bad.length });
      bytesLost += bad.length;
    }
    plan?.settle(r.lost ?? []);
    if (r.readError === undefined) return r;
    // The medium failed under a worker: from here on, read on this thread through the tolerant
    // source, starting with the rest of this chunk.
    fd = undefined;
    planned = false;
    const from = (t.readFrom ?? 0) + r.read;
    await readHere(t, from);
    const { fd: _, readFrom: __, plan: ___, keep: ____, ...carveOnly } = t;
    return opts.pool.run({ ...carveOnly, ...(r.tested ? { tested: r.tested } : {}) });
  };

  progress();
  let aborted = false;
  for (let i = 0, base = start; base < source.size; i++, base += page) {
    if (opts.signal?.aborted) {
      aborted = true;
      break;
    }
    const slot = i % slotCount;
    await freed[slot]; // the slot's previous chunk is finished: reuse it
    if (firstError) break;
    const length = Math.min(page, source.size - base);
    const plan = planned ? await source.plan!(base, length) : null;
    if (planned && !plan) planned = false; // an image file failed: read here
    const keep = fd !== undefined && sparse ? keptRanges(base, length, margin, opts.keep) : null;
    const where = fd !== undefined ? { fd, readFrom: 0, ...(keep ? { keep } : {}) } : plan ? { plan: plan.pieces, readFrom: 0 } : {};
    const task: ChunkTask = { shared, byteOffset: SKEW + slot * slotSize, base, length, margin, last: i + 1 === count, ...where };
    if (fd === undefined && !plan) await readHere(task, 0);
    let release!: () => void;
    freed[slot] = new Promise<void>((resolve) => (release = resolve));
    const c: Chunk = { task, release };
    chunks[i] = c;
    running.push(
      settle(task, plan).then(
        (r) => {
          c.result = r;
          drain(false);
        },
        (e: unknown) => {
          firstError ??= e;
          release();
        },
      ),
    );
  }
  await Promise.all(running);
  if (firstError) throw firstError instanceof Error ? firstError : new Error(String(firstError));
  drain(true); // an aborted pass: the last chunk's tail is carved with what there is
  const candidates = all.candidates.sort((a, b) => a.offset - b.offset || a.kind.localeCompare(b.kind));
  return { candidates, alerts: all.alerts, readErrors: mergeRanges(readErrors), bytesRead, carvers: all.carvers, aborted };
}

/** What a sparse read of [base, base + length) must write out besides the hits' windows, as sorted
 * [start, end) pairs relative to the chunk: its first margin (the chunk before carves its tail
 * over it) and what `keep` names; null when `keep` wants it all. */
function keptRanges(base: number, length: number, margin: number, keep: PassOptions['keep']): Int32Array | null {
  const wanted = keep ? keep(base, length) : [];
  if (!wanted) return null;
  const ranges = [{ offset: base, length: Math.min(margin, length) }, ...wanted]
    .map((r) => ({ offset: Math.max(r.offset, base), length: Math.min(r.offset + r.length, base + length) - Math.max(r.offset, base) }))
    .filter((r) => r.length > 0);
  return Int32Array.from(mergeRanges(ranges).flatMap((r) => [r.offset - base, r.offset - base + r.length]));
}

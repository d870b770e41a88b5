/**
 * Metadata kept from the linear pass so the file-system stage does not go back to the medium:
 * boot regions, FAT/bitmap areas (planned from boot sectors as they stream by) and the bytes of
 * every candidate. A read the store cannot serve falls back to the source and is counted: random
 * re-reads of a failing drive are a last resort, and the report says how many there were.
 */
import type { Candidate } from '../carve/types.ts';
import type { ByteRange, ByteSource, MediaReader } from '../source/types.ts';
import { sameBytes } from '../crypto/bytes.ts';

interface Segment {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export class RetainedStore {
  private segments: Segment[] = [];
  private sorted = true;
  private bytesHeld = 0;
  /** Sees each add (a scan's checkpoint journals them). */
  onAdd: ((offset: number, bytes: Uint8Array) => void) | null = null;

  add(offset: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.onAdd?.(offset, bytes);
    this.segments.push({ offset, bytes });
    this.bytesHeld += bytes.length;
    this.sorted = false;
  }

  get size(): number {
    this.normalise();
    return this.bytesHeld;
  }

  /** Sorts and coalesces overlapping or touching segments, so each byte has one home. */
  private normalise(): void {
    if (this.sorted) return;
    const segs = this.segments.sort((a, b) => a.offset - b.offset || b.bytes.length - a.bytes.length);
    const out: Segment[] = [];
    let run: Segment[] = [];
    let runEnd = -1;
    for (const s of segs) {
      if (run.length && s.offset <= runEnd) {
        run.push(s);
        runEnd = Math.max(runEnd, s.offset + s.bytes.length);
      } else {
        if (run.length) out.push(coalesce(run, runEnd));
        run = [s];
        runEnd = s.offset + s.bytes.length;
      }
    }
    if (run.length) out.push(coalesce(run, runEnd));
    this.segments = out;
    this.bytesHeld = out.reduce((n, x) => n + x.bytes.length, 0);
    this.sorted = true;
  }

  /** The bytes [offset, offset+length) when one retained segment covers them, else null; `shared`:
   * a view of the segment, for a caller that only reads it. */
  read(offset: number, length: number, shared = false): Uint8Array | null {
    this.normalise();
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid]!.offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    const s = this.segments[lo - 1];
    if (!s || s.offset + s.bytes.length < offset + length) return null;
    return (shared ? s.bytes.subarray : s.bytes.slice).call(s.bytes, offset - s.offset, offset - s.offset + length);
  }
}

/** One segment for a run of overlapping or touching segments in sorted order: each copied over
 * the ones before (what a later one holds wins). When the segments that reach further are views
 * laid out as in one buffer (a want's, RetentionPlan) and the others hold what that buffer holds,
 * the result is the same bytes as one view of it, with no copy. */
function coalesce(run: readonly Segment[], runEnd: number): Segment {
  const start = run[0]!;
  if (run.length === 1) return start;
  const view = sharedView(run, runEnd);
  if (view) return { offset: start.offset, bytes: view };
  const bytes = new Uint8Array(runEnd - start.offset);
  for (const r of run) bytes.set(r.bytes, r.offset - start.offset);
  return { offset: start.offset, bytes };
}

function sharedView(run: readonly Segment[], runEnd: number): Uint8Array | null {
  const start = run[0]!;
  const buf = start.bytes.buffer;
  const at = start.bytes.byteOffset - start.offset; // where medium offset 0 would sit in `buf`
  if (at < 0 || at + runEnd > buf.byteLength) return null;
  const view = new Uint8Array(buf, at + start.offset, runEnd - start.offset);
  let reach = -1;
  for (const r of run) {
    const end = r.offset + r.bytes.length;
    const laidOut = r.bytes.buffer === buf && r.bytes.byteOffset - r.offset === at;
    if (!laidOut && (end > reach || !sameBytes(r.bytes, view.subarray(r.offset - start.offset, end - start.offset)))) return null;
    reach = Math.max(reach, end);
  }
  return view;
}


/** Ranges to retain, registered ahead of the pass position and filled as the bytes stream by. */
export class RetentionPlan {
  private wants: ByteRange[] = [];
  /** Each want's bytes, made when its first byte streams by: the store gets views of it, which
   * its normalise joins without a copy. */
  private readonly buffers = new Map<ByteRange, Uint8Array>();
  constructor(readonly store: RetainedStore, readonly limit: number) {}

  /** The ranges wanted so far (a checkpoint keeps them; `restore` puts them back). */
  wanted(): ByteRange[] {
    return this.wants.map((w) => ({ offset: w.offset, length: w.length }));
  }

  restore(wants: readonly ByteRange[]): void {
    this.wants = wants.map((w) => ({ offset: w.offset, length: w.length }));
    this.buffers.clear();
  }

  want(r: ByteRange): void {
    if (r.length <= 0) return;
    const used = this.wants.reduce((n, w) => n + w.length, 0);
    const length = Math.min(r.length, Math.max(0, this.limit - used));
    if (length > 0) this.wants.push({ offset: r.offset, length });
  }

  /** Copies whatever part of the wanted ranges lies in [base, base+bytes.length). */
  observe(base: number, bytes: Uint8Array): void {
    const end = base + bytes.length;
    for (const w of this.wants) {
      const a = Math.max(base, w.offset);
      const b = Math.min(end, w.offset + w.length);
      if (a >= b) continue;
      let buf = this.buffers.get(w);
      if (!buf) this.buffers.set(w, (buf = new Uint8Array(w.length)));
      const part = buf.subarray(a - w.offset, b - w.offset);
      part.set(bytes.subarray(a - base, b - base));
      this.store.add(a, part);
    }
  }
}

export interface CountingReader extends MediaReader {
  readonly rereads: { count: number; bytes: number; bad: ByteRange[] };
}

/** Bytes of re-reads kept for a repeat of the same read (the plan's limit covers planned ranges only). */
export const REREAD_CACHE_BYTES = 64 << 20;

/** Recent re-reads by exact (offset, length), oldest dropped first past `limit` bytes. */
class RereadCache {
  private readonly map = new Map<string, Uint8Array>();
  private held = 0;
  constructor(private readonly limit: number) {}

  /** `shared`: the kept bytes themselves, for a caller that only reads them. */
  get(offset: number, length: number, shared: boolean): Uint8Array | null {
    const k = `${offset}:${length}`;
    const b = this.map.get(k);
    if (!b) return null;
    this.map.delete(k); // most recent last
    this.map.set(k, b);
    return shared ? b : b.slice();
  }

  /** `shared`: the caller of the read only reads `bytes`, so they are kept as they are. */
  set(offset: number, bytes: Uint8Array, shared: boolean): void {
    if (bytes.length > this.limit) return;
    const k = `${offset}:${bytes.length}`;
    if (this.map.has(k)) return;
    this.map.set(k, shared ? bytes : bytes.slice());
    this.held += bytes.length;
    for (const [old, b] of this.map) {
      if (this.held <= this.limit) break;
      this.map.delete(old);
      this.held -= b.length;
    }
  }
}

/** MediaReader over the store, falling back to counted reads of the source (recent ones cached). */
export function retainedReader(store: RetainedStore, source: ByteSource | null, size: number, cacheBytes = REREAD_CACHE_BYTES): CountingReader {
  const rereads = { count: 0, bytes: 0, bad: [] as ByteRange[] };
  const recent = new RereadCache(cacheBytes);
  return {
    size,
    rereads,
    async read(offset, length, shared = false) {
      if (offset < 0 || length < 0 || offset + length > size) return null;
      const hit = store.read(offset, length, shared) ?? recent.get(offset, length, shared);
      if (hit || !source) return hit;
      const { bytes, got, bad } = await reread(source, offset, length, size);
      rereads.count++;
      rereads.bytes += got;
      rereads.bad.push(...bad);
      if (got < length || bad.length > 0) return null;
      recent.set(offset, bytes, shared);
      return bytes;
    },
    async readInto(offset, into) {
      if (offset < 0 || offset + into.length > size) return false;
      const hit = store.read(offset, into.length, true);
      if (hit || !source) return hit ? (into.set(hit), true) : false;
      const r = await source.read(offset, into);
      rereads.count++;
      rereads.bytes += r.bytes;
      rereads.bad.push(...r.bad);
      return r.bytes === into.length;
    },
  };
}

/**
 * [offset, offset+length) from the source, read through the end of its last sector when it starts
 * on one: an image file reads whole sectors straight into the buffer, where a part-sector end
 * costs a bounce copy of the whole request (a 2 MiB FAT). The device reads the same sectors either
 * way; what is counted and returned is the request's.
 */
async function reread(source: ByteSource, offset: number, length: number, size: number): Promise<{ bytes: Uint8Array; got: number; bad: ByteRange[] }> {
  const ss = source.sectorSize;
  const end = length > 0 && offset % ss === 0 ? Math.min(size, Math.ceil((offset + length) / ss) * ss) : offset + length;
  const buf = new Uint8Array(end - offset);
  const r = await source.read(offset, buf);
  const stop = offset + length;
  const bad = r.bad.filter((b) => b.offset < stop).map((b) => ({ offset: b.offset, length: Math.min(b.offset + b.length, stop) - b.offset }));
  return { bytes: buf.subarray(0, length), got: Math.min(r.bytes, length), bad };
}

export function retainCandidates(store: RetainedStore, candidates: readonly Candidate[]): void {
  for (const c of candidates) store.add(c.offset, c.sectors ?? c.bytes);
}

import type { ByteRange, ByteSource, ImageInfo } from './types.ts';
import type { RawDevice } from './device.ts';
import { isMediaError, readErrorCode, SourceError } from './device.ts';

/**
 * Error-tolerant reading over a RawDevice.
 *
 * - A read is first tried whole (up to `maxRead`). If the device fails it (EIO & co.) the range is
 *   re-read in `splitSize` pieces; a piece that fails again is read sector by sector, each sector
 *   tried 1 + `retries` times. What stays unreadable is zero-filled and returned in `bad`, so only
 *   the bad sectors themselves are lost. A short read keeps the bytes it got and goes on from there.
 * - Good sectors are read once unless they share a failed request with a bad one; then twice
 *   (whole read + piece), or three times when in the same `splitSize` piece. A device that
 *   answers short (bytes up to the bad sector, no error) costs no rereads at all. `stats` and the
 *   optional per-sector histogram measure that.
 * - Slow-area policy: a read not finished after `timeoutMs` is abandoned — its range is reported
 *   bad (no split: splitting would hammer a stalled drive), the next `skipAfterTimeout` bytes are
 *   skipped and reported bad too, and `stats.timeouts`/`skipped` record both so `image` can come
 *   back later. The abandoned read keeps its own buffer (the caller's is never written late) and
 *   still counts against the two-reads-in-flight limit: a further read waits for the oldest one.
 *   Reads that finish but take longer than `slowMs` are only recorded in `stats.slowAreas`.
 *   Image files are read in place into the caller's buffer when aligned, and those whole reads
 *   have no timeout (an image file is not a stalling drive; its split reads still have one).
 */
export interface TolerantOptions {
  /** Extra attempts for a sector that failed on its own (default 0: ddrescue's default). */
  retries?: number;
  /** Piece size for re-reading a failed request before going to single sectors (default 64 KiB). */
  splitSize?: number;
  /** Largest single device request. Default 1 MiB on block devices (a failed request costs each
   *  of its good sectors a reread, and USB bridges split larger requests into ~120-240 KiB
   *  commands anyway), 8 MiB on image files (fewer requests: cat speed on a warm cache). */
  maxRead?: number;
  /** Abandon a read after this many ms (default 30 000; 0 disables). */
  timeoutMs?: number;
  /** Bytes skipped after a timed-out read (default 1 MiB). */
  skipAfterTimeout?: number;
  /** Record reads slower than this many ms (default 5 000). */
  slowMs?: number;
  /** Keep a per-sector read count (2 bytes per sector: tests and diagnostics only). */
  countPerSector?: boolean;
  /** Called for each unreadable range as it is found (progress bar, map). */
  onBad?: (range: ByteRange) => void;
}

export interface ReadStats {
  /** Device read requests issued. */
  reads: number;
  /** Sectors covered by all requests (a sector in two requests counts twice). */
  sectorsRead: number;
  /** Sectors requested again after a failed request (split pieces, single sectors, retries). */
  rereadSectors: number;
  badSectors: number;
  bytesLost: number;
  timeouts: number;
  /** Ranges abandoned on timeout or skipped after one. */
  skipped: ByteRange[];
  slowAreas: ByteRange[];
}

type Attempt = { kind: 'ok'; got: number } | { kind: 'error'; code: string } | { kind: 'timeout' };

/** How far past a failed request reads stay small. */
const CAUTIOUS_SPAN = 8 << 20;

export class TolerantSource implements ByteSource {
  private cautiousUntil = -1;
  readonly path: string;
  readonly size: number;
  readonly sectorSize: number;
  readonly stats: ReadStats = {
    reads: 0, sectorsRead: 0, rereadSectors: 0, badSectors: 0, bytesLost: 0, timeouts: 0,
    skipped: [], slowAreas: [],
  };
  /** Every unreadable range so far, merged and sorted (report.json readErrors, the map). */
  readonly badRanges: ByteRange[] = [];
  /** Set by openImage: a raw image file or a device. */
  image?: ImageInfo;
  private readonly opts: Required<Omit<TolerantOptions, 'onBad' | 'countPerSector'>>;
  private readonly counts: Uint16Array | null;
  private bounce: Uint8Array;
  private skipUntil = 0;
  private abandoned: Promise<unknown>[] = [];

  constructor(
    readonly device: RawDevice,
    private readonly options: TolerantOptions = {},
  ) {
    this.path = device.path;
    this.size = device.size;
    this.sectorSize = device.sectorSize;
    const ss = device.sectorSize;
    const roundUp = (n: number) => Math.max(ss, Math.ceil(n / ss) * ss);
    this.opts = {
      retries: Math.max(0, options.retries ?? 0),
      splitSize: roundUp(options.splitSize ?? 65536),
      maxRead: roundUp(options.maxRead ?? (device.isBlockDevice ? 1 << 20 : 8 << 20)),
      timeoutMs: options.timeoutMs ?? 30_000,
      skipAfterTimeout: options.skipAfterTimeout ?? 1 << 20,
      slowMs: options.slowMs ?? 5_000,
    };
    this.counts = options.countPerSector ? new Uint16Array(Math.ceil(this.size / ss)) : null;
    this.bounce = device.allocBuffer(this.opts.maxRead);
  }

  /**
   * An image file, buffered, that has not failed yet: other threads may pread it directly. Not a
   * block device: a stalled drive would hang such a read with no timeout, and O_DIRECT needs
   * aligned buffers.
   */
  get fd(): number | undefined {
    const d = this.device;
    return d.isBlockDevice || d.direct || this.badRanges.length > 0 || this.stats.timeouts > 0 ? undefined : d.fd;
  }

  /** How many device requests covered `sector` (needs countPerSector). */
  readCount(sector: number): number {
    return this.counts?.[sector] ?? 0;
  }

  /** Per-sector histogram: count → number of sectors (needs countPerSector). */
  readHistogram(): Map<number, number> {
    const h = new Map<number, number>();
    for (const c of this.counts ?? []) h.set(c, (h.get(c) ?? 0) + 1);
    return h;
  }

  async read(offset: number, into: Uint8Array): Promise<{ bytes: number; bad: readonly ByteRange[] }> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
    const n = Math.max(0, Math.min(into.length, this.size - offset));
    const bad: ByteRange[] = [];
    let pos = offset;
    while (pos < offset + n) {
      // Near a failure, bad sectors cluster: read in split-size requests so that the next failure
      // costs one small piece re-read, not a whole large request.
      const step = pos < this.cautiousUntil ? this.opts.splitSize : this.opts.maxRead;
      const end = Math.min(offset + n, pos + step);
      if (pos < this.skipUntil) {
        const stop = Math.min(end, this.skipUntil);
        into.fill(0, pos - offset, stop - offset);
        this.addBad(bad, pos, stop - pos);
        pos = stop;
        continue;
      }
      await this.readWhole(pos, end, into, offset, bad);
      pos = end;
    }
    return { bytes: n, bad: mergeRanges(bad) };
  }

  close(): Promise<void> {
    return this.device.close();
  }

  /** [pos, end) into `into` (whose byte 0 is at `base`): whole read, then split on failure. */
  private async readWhole(pos: number, end: number, into: Uint8Array, base: number, bad: ByteRange[]) {
    const ss = this.sectorSize;
    let a = Math.floor(pos / ss) * ss;
    const b = Math.min(Math.ceil(end / ss) * ss, this.size);
    // Image files (not block devices, so no O_DIRECT alignment) are read straight into the
    // caller's buffer when the request is sector-aligned: no bounce copy on the fast path.
    const inPlace = !this.device.isBlockDevice && !this.device.direct && a === pos && b === end;
    while (a < b) {
      const r = await this.attempt(a, b - a, false, inPlace ? into.subarray(a - base, b - base) : undefined);
      if (r.kind === 'timeout') {
        this.giveUp(a, b, pos, end, into, base, bad);
        return;
      }
      const got = r.kind === 'ok' ? this.usable(a, b, r.got) : 0;
      if (!inPlace) this.copyOut(a, got, pos, end, into, base);
      if (got === b - a) return;
      if (got === 0) {
        this.cautiousUntil = b + CAUTIOUS_SPAN;
        await this.split(a, b, pos, end, into, base, bad);
        return;
      }
      // A short read stops where the device hit trouble: read sector by sector from there while
      // sectors stay bad, then go back to large reads, so good sectors behind are read once.
      a += got;
      for (;;) {
        const len = Math.min(this.sectorSize, b - a);
        const one = await this.sectorWithRetries(a, len, b, pos, end, into, base, bad);
        if (one === 'timeout') return;
        a += len;
        if (one === 'good' || a >= b) break;
      }
    }
  }

  /** One sector, 1 + retries attempts; 'timeout' when a timeout ended this request. */
  private async sectorWithRetries(
    s: number, len: number, b: number, pos: number, end: number, into: Uint8Array, base: number, bad: ByteRange[],
  ): Promise<'good' | 'bad' | 'timeout'> {
    for (let t = 0; t <= this.opts.retries; t++) {
      const r = await this.attempt(s, len, true);
      if (r.kind === 'timeout') {
        this.giveUp(s, b, pos, end, into, base, bad);
        return 'timeout';
      }
      if (r.kind === 'ok' && r.got === len) {
        this.copyOut(s, len, pos, end, into, base);
        return 'good';
      }
    }
    this.zero(s, s + len, pos, end, into, base);
    this.stats.badSectors++;
    this.addBad(bad, Math.max(s, pos), Math.min(s + len, end) - Math.max(s, pos));
    return 'bad';
  }

  /** Re-read a failed range in pieces, then failing pieces sector by sector. */
  private async split(a: number, b: number, pos: number, end: number, into: Uint8Array, base: number, bad: ByteRange[]) {
    const ss = this.sectorSize;
    for (let p = a; p < b; p += this.opts.splitSize) {
      const q = Math.min(b, p + this.opts.splitSize);
      let s = p;
      if (q - p > ss) {
        const r = await this.attempt(p, q - p, true);
        if (r.kind === 'timeout') {
          this.giveUp(p, b, pos, end, into, base, bad);
          return;
        }
        const got = r.kind === 'ok' ? this.usable(p, q, r.got) : 0;
        this.copyOut(p, got, pos, end, into, base);
        s = p + got;
      }
      for (; s < q; s += ss) {
        if ((await this.sectorWithRetries(s, Math.min(ss, q - s), b, pos, end, into, base, bad)) === 'timeout') return;
      }
    }
  }

  /** Bytes of a successful read we can trust: whole sectors, or up to the end of the source. */
  private usable(a: number, b: number, got: number): number {
    if (got >= b - a) return b - a;
    if (a + got >= this.size) return got;
    return Math.floor(got / this.sectorSize) * this.sectorSize;
  }

  /** After a timeout: [from, b) and the skip window behind it are lost for this pass. */
  private giveUp(from: number, b: number, pos: number, end: number, into: Uint8Array, base: number, bad: ByteRange[]) {
    this.stats.timeouts++;
    const lo = Math.max(from, pos);
    this.zero(lo, b, pos, end, into, base);
    this.addBad(bad, lo, Math.min(b, end) - lo);
    this.stats.skipped.push({ offset: lo, length: Math.min(b, end) - lo });
    const skipTo = Math.min(this.size, b + this.opts.skipAfterTimeout);
    if (skipTo > b) this.stats.skipped.push({ offset: b, length: skipTo - b });
    this.skipUntil = skipTo;
  }

  private copyOut(devPos: number, len: number, pos: number, end: number, into: Uint8Array, base: number) {
    const lo = Math.max(devPos, pos);
    const hi = Math.min(devPos + len, end);
    if (hi > lo) into.set(this.bounce.subarray(lo - devPos, hi - devPos), lo - base);
  }

  private zero(from: number, to: number, pos: number, end: number, into: Uint8Array, base: number) {
    const lo = Math.max(from, pos);
    const hi = Math.min(to, end);
    if (hi > lo) into.fill(0, lo - base, hi - base);
  }

  private addBad(bad: ByteRange[], offset: number, length: number) {
    if (length <= 0) return;
    const r = { offset, length };
    bad.push(r);
    this.stats.bytesLost += length;
    insertRange(this.badRanges, r);
    this.options.onBad?.(r);
  }

  /**
   * One device request into the bounce buffer (whose byte 0 is device offset `at`), or into
   * `target` — then without a timeout, since a late read must never land in a caller's buffer.
   */
  private async attempt(at: number, len: number, reread: boolean, target?: Uint8Array): Promise<Attempt> {
    const ss = this.sectorSize;
    const s0 = Math.floor(at / ss);
    const s1 = Math.ceil((at + len) / ss);
    this.stats.reads++;
    // A short answer means the device stopped at the first sector it could not read: only the
    // sectors up to and including that one count as read. A failed request counts whole.
    const count = (got: number | null) => {
      const last = got === null ? s1 : Math.min(s1, s0 + Math.floor(got / ss) + 1);
      this.stats.sectorsRead += last - s0;
      if (reread) this.stats.rereadSectors += last - s0;
      if (this.counts) for (let s = s0; s < last; s++) this.counts[s] = Math.min(0xffff, (this.counts[s] ?? 0) + 1);
    };

    // Never more than two device reads in flight: an abandoned one and this one.
    while (this.abandoned.length > 1) await this.abandoned.shift();

    const buf = target ?? this.bounce.subarray(0, len);
    const started = Date.now();
    const p = this.device.pread(buf, at).then(
      (got): Attempt => ({ kind: 'ok', got }),
      (err: NodeJS.ErrnoException): Attempt => {
        const code = readErrorCode(err);
        if (!isMediaError(code)) {
          throw new SourceError(`reading ${this.path} at ${at}: ${err.message.split('\n')[0]}`, code);
        }
        return { kind: 'error', code };
      },
    );
    let r: Attempt;
    if (this.opts.timeoutMs > 0 && !target) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Attempt>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'timeout' }), this.opts.timeoutMs);
      });
      r = await Promise.race([p, timeout]);
      clearTimeout(timer);
      if (r.kind === 'timeout') {
        count(null);
        // The stuck read still owns `buf`; take a fresh one so late bytes land nowhere that matters.
        this.abandoned.push(p.catch(() => undefined));
        this.bounce = this.device.allocBuffer(this.bounce.length);
        return r;
      }
    } else {
      r = await p;
    }
    count(r.kind === 'ok' && r.got < len ? r.got : null);
    if (Date.now() - started > this.opts.slowMs) this.stats.slowAreas.push({ offset: at, length: len });
    return r;
  }
}

/** Inserts into a sorted, merged list of ranges, merging neighbours. */
export function insertRange(list: ByteRange[], r: ByteRange): void {
  let lo = r.offset;
  let hi = r.offset + r.length;
  let i = list.length;
  while (i > 0 && list[i - 1]!.offset > lo) i--;
  // merge with the predecessor if it touches
  if (i > 0 && list[i - 1]!.offset + list[i - 1]!.length >= lo) {
    i--;
    lo = list[i]!.offset;
    hi = Math.max(hi, lo + list[i]!.length);
  }
  let j = i;
  while (j < list.length && list[j]!.offset <= hi) {
    hi = Math.max(hi, list[j]!.offset + list[j]!.length);
    j++;
  }
  list.splice(i, j - i, { offset: lo, length: hi - lo });
}

export function mergeRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (const r of [...ranges].sort((x, y) => x.offset - y.offset)) insertRange(out, r);
  return out;
}

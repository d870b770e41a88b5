import type { ByteRange, ByteSource, MediaReader } from './types.ts';
import type { RawDevice } from './device.ts';
import { TolerantSource, type TolerantOptions } from './tolerant.ts';

/** An in-memory ByteSource that never fails (our mem_img.h); it logs every request, so tests can
 * count reads. */
export class MemorySource implements ByteSource {
  readonly sectorSize: number;
  /** Requests made through read() and media(), in order: [offset, length]. */
  readonly requests: Array<[number, number]> = [];
  constructor(
    readonly bytes: Uint8Array,
    readonly path = 'memory',
    sectorSize = 512,
  ) {
    this.sectorSize = sectorSize;
  }
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, into: Uint8Array): Promise<{ bytes: number; bad: readonly ByteRange[] }> {
    this.requests.push([offset, into.length]);
    const n = Math.max(0, Math.min(into.length, this.size - offset));
    into.set(this.bytes.subarray(offset, offset + n));
    return Promise.resolve({ bytes: n, bad: [] });
  }
  /** The same bytes as the file-system stage sees the medium: exactly `length` bytes, or null
   * outside it (what the scan's retained reader answers). */
  media(): MediaReader {
    return {
      size: this.size,
      read: (offset, length) => {
        this.requests.push([offset, length]);
        const inside = Number.isSafeInteger(offset) && offset >= 0 && length >= 0 && offset + length <= this.size;
        return Promise.resolve(inside ? this.bytes.slice(offset, offset + length) : null);
      },
    };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface FaultOptions {
  sectorSize?: number;
  /**
   * How a request that covers a bad sector behaves: 'eio' fails it whole (O_DIRECT on a real
   * device), 'short' returns the bytes before the first bad sector with no error (what buffered
   * reads can do); a request starting on a bad sector always fails with EIO.
   */
  mode?: 'eio' | 'short';
  /** Bad sectors that read fine after this many failed attempts (a marginal sector). */
  recoverAfter?: number;
  /** Requests touching these ranges take `stallMs` before answering (a stalling controller). */
  stall?: readonly ByteRange[];
  stallMs?: number;
  /** Default true; false: behave as an image file (reads in place, no timeouts on whole reads). */
  blockDevice?: boolean;
}

function overlaps(ranges: readonly ByteRange[], a: number, b: number): ByteRange | undefined {
  return ranges.find((r) => r.offset < b && r.offset + r.length > a);
}

/** A RawDevice over memory with injectable media faults. */
export class FaultyDevice implements RawDevice {
  readonly sectorSize: number;
  readonly direct = false;
  /** Like a drive by default; false makes the tolerant layer treat it as an image file. */
  readonly isBlockDevice: boolean;
  readonly dev = -1;
  /** Requests issued, in order: [offset, length]. */
  readonly requests: Array<[number, number]> = [];
  private readonly failures = new Map<number, number>();
  closed = false;

  constructor(
    readonly bytes: Uint8Array,
    readonly badRanges: readonly ByteRange[],
    private readonly opts: FaultOptions = {},
    readonly path = 'faulty-memory',
  ) {
    this.sectorSize = opts.sectorSize ?? 512;
    this.isBlockDevice = opts.blockDevice ?? true;
  }
  get size(): number {
    return this.bytes.length;
  }
  allocBuffer(size: number): Uint8Array {
    return new Uint8Array(size);
  }

  async pread(into: Uint8Array, offset: number): Promise<number> {
    const n = Math.max(0, Math.min(into.length, this.size - offset));
    this.requests.push([offset, n]);
    if (this.opts.stall && overlaps(this.opts.stall, offset, offset + n)) {
      await new Promise((r) => setTimeout(r, this.opts.stallMs ?? 1000));
    }
    const ss = this.sectorSize;
    let firstBad = -1;
    for (let s = Math.floor(offset / ss) * ss; s < offset + n; s += ss) {
      if (!overlaps(this.badRanges, s, s + ss)) continue;
      const seen = (this.failures.get(s) ?? 0) + 1;
      this.failures.set(s, seen);
      if (this.opts.recoverAfter !== undefined && seen > this.opts.recoverAfter) continue;
      firstBad = s;
      break;
    }
    if (firstBad < 0) {
      into.set(this.bytes.subarray(offset, offset + n));
      return n;
    }
    if (this.opts.mode === 'short' && firstBad > offset) {
      into.set(this.bytes.subarray(offset, firstBad));
      return firstBad - offset;
    }
    const err: NodeJS.ErrnoException = new Error('EIO: i/o error, read');
    err.code = 'EIO';
    err.errno = -5;
    throw err;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A ByteSource whose given ranges fail like a dying drive, read through the tolerant layer. */
export class FaultySource extends TolerantSource {
  constructor(bytes: Uint8Array, badRanges: readonly ByteRange[], opts: FaultOptions & TolerantOptions = {}) {
    super(new FaultyDevice(bytes, badRanges, opts), opts);
  }
}

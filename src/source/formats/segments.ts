/**
 * The files an image is stored in (one, or a numbered set of segments), read through the
 * error-tolerant layer: a bad sector in an image file becomes a bad range, not a throw. Segments
 * are opened on first use and at most MAX_OPEN stay open (an E01 of a 2 TB disk has ~1000 files,
 * each with its own read buffer).
 */
import { stat } from 'node:fs/promises';
import { loadNative } from '../../native.ts';
import { openDevice, SourceError } from '../device.ts';
import { TolerantSource } from '../tolerant.ts';
import type { ByteRange } from '../types.ts';

const MAX_OPEN = 8;

/** A one-line error about an image whose structure cannot be used. */
export function formatError(path: string, what: string): SourceError {
  return new SourceError(`cannot read ${path} as a disk image: ${what}`, 'EFORMAT');
}

export class SegmentFile {
  private src: TolerantSource | null = null;
  /** Plans in flight that read this file's descriptor on another thread: it must stay open. */
  private pins = 0;
  constructor(
    readonly path: string,
    readonly size: number,
    private readonly set: SegmentSet,
  ) {}

  /** Reads [offset, offset + into.length) clipped to the file; bad ranges in file offsets. */
  async read(offset: number, into: Uint8Array): Promise<{ bytes: number; bad: readonly ByteRange[] }> {
    return (await this.open()).read(offset, into);
  }

  /** Exactly `length` bytes at `offset` for a structure; past the end or unreadable → error. */
  async structure(offset: number, length: number, what: string): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) {
      throw formatError(this.path, `${what} lies past the end of the file (truncated or corrupt)`);
    }
    const into = new Uint8Array(length);
    const r = await this.read(offset, into);
    if (r.bad.length) throw formatError(this.path, `${what} is on unreadable sectors of the image file`);
    return into;
  }

  /** The open descriptor other threads may pread (open while pinned); undefined once the file
   * has failed (its reads need the tolerant layer). */
  async descriptor(): Promise<number | undefined> {
    return (await this.open()).fd;
  }

  pin(): void {
    this.pins++;
  }

  unpin(): void {
    this.pins = Math.max(0, this.pins - 1);
  }

  get pinned(): boolean {
    return this.pins > 0;
  }

  private async open(): Promise<TolerantSource> {
    if (!this.src) {
      await this.set.makeRoom();
      this.src = new TolerantSource(await openDevice(this.path), { maxRead: 1 << 20 });
    }
    this.set.touch(this);
    return this.src;
  }

  async close(): Promise<void> {
    const s = this.src;
    this.src = null;
    await s?.close();
  }

  get isOpen(): boolean {
    return this.src !== null;
  }
}

/** Opens `paths` as a segment set and parses it; the files are closed again if the parse fails. */
export async function parseSegments<T>(paths: readonly string[], parse: (set: SegmentSet) => Promise<T>): Promise<T> {
  const set = await SegmentSet.of(paths);
  try {
    return await parse(set);
  } catch (e) {
    await set.close();
    throw e;
  }
}

export class SegmentSet {
  readonly files: SegmentFile[] = [];
  private lru: SegmentFile[] = [];

  static async of(paths: readonly string[]): Promise<SegmentSet> {
    const set = new SegmentSet();
    for (const p of paths) set.files.push(new SegmentFile(p, (await stat(p)).size, set));
    return set;
  }

  get totalSize(): number {
    return this.files.reduce((n, f) => n + f.size, 0);
  }

  touch(f: SegmentFile): void {
    if (this.lru[this.lru.length - 1] === f) return;
    this.lru = [...this.lru.filter((x) => x !== f), f];
  }

  /** Closes the least recently used files not pinned by a plan until fewer than MAX_OPEN are open. */
  async makeRoom(): Promise<void> {
    while (this.lru.length >= MAX_OPEN) {
      const i = this.lru.findIndex((f) => !f.pinned);
      if (i < 0) return;
      const [f] = this.lru.splice(i, 1);
      await f!.close();
    }
  }

  async close(): Promise<void> {
    for (const f of this.files) await f.close();
    this.lru = [];
  }
}

/** Adler-32 (RFC 1950), the checksum EWF puts on its sections and raw chunks: the addon's when
 * built (2.4 GB/s against 0.74 on a 32 KiB chunk, measured; it was most of an E01's decoding). */
export function adler32(b: Uint8Array): number {
  const native = loadNative();
  return native?.adler32 ? native.adler32(b) : adler32Portable(b);
}

/** Adler-32 in TypeScript, eight bytes a step (1.6× the byte loop, measured): s gains 8a plus
 * the bytes weighted 8..1. The sums are reduced every 4 KiB, far below 2^53, so they stay exact. */
export function adler32Portable(b: Uint8Array): number {
  let a = 1;
  let s = 0;
  for (let i = 0; i < b.length; ) {
    const end = Math.min(b.length, i + 4096);
    for (const end8 = i + ((end - i) & ~7); i < end8; i += 8) {
      const x0 = b[i]!, x1 = b[i + 1]!, x2 = b[i + 2]!, x3 = b[i + 3]!, x4 = b[i + 4]!, x5 = b[i + 5]!, x6 = b[i + 6]!, x7 = b[i + 7]!;
      s += 8 * a + 8 * x0 + 7 * x1 + 6 * x2 + 5 * x3 + 4 * x4 + 3 * x5 + 2 * x6 + x7;
      a += x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
    }
    for (; i < end; i++) {
      a += b[i]!;
      s += a;
    }
    a %= 65521;
    s %= 65521;
  }
  return ((s << 16) | a) >>> 0;
}

/** A little-endian u64 as a safe integer, or an error naming the field. */
export function u64(v: DataView, at: number, path: string, what: string): number {
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw formatError(path, `${what} is impossibly large (${n})`);
  return Number(n);
}

/** The same, big-endian (VHD, qcow2). */
export function u64be(v: DataView, at: number, path: string, what: string): number {
  const n = v.getBigUint64(at, false);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw formatError(path, `${what} is impossibly large (${n})`);
  return Number(n);
}

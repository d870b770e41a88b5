/**
 * A reader thread for a lone carving thread: it preads each chunk into its shared-memory slot,
 * piece by piece, while this thread carves the chunk before — so the copy from the page cache
 * runs on the second core instead of between the carves (2 cores: one carves, one reads). Each
 * request carries a small shared cell the reader advances after every read; the carver waits on
 * it for the bytes it needs next. Requests are served in order, one at a time. The reader is
 * plain JavaScript evaluated in the worker: it loads no module of ours.
 *
 * It cannot hang the scan: a wait that finds the bytes missing is asynchronous (Atomics.waitAsync,
 * in slices), so the reader's 'exit' is seen; once the reader is gone — crashed, or stopped after
 * STALL_MS without progress — each request's bytes from its first unread one are read on this
 * thread, so every byte is still read once.
 */
import { readSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import { Worker } from 'node:worker_threads';

/** 'EIO' for 5, as fs.readSync's error code would be ('EIO' for an errno Node does not name). */
export function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return 'EIO';
  }
}

/** Bytes per read: inside L2 (1 MiB here) and few syscalls; 64 KiB to 1 MiB measured alike. */
export const PIECE = 256 * 1024;

/** Cell fields: bytes of the slot filled, 1 once the read failed, and its errno. */
const FILLED = 0;
const FAILED = 1;
const ERRNO = 2;

interface ReadRequest {
  readonly fd: number;
  readonly shared: SharedArrayBuffer;
  readonly byteOffset: number;
  /** Absolute offset of the slot's first byte. */
  readonly base: number;
  /** Fill [from, length) of the slot. */
  readonly from: number;
  readonly length: number;
  readonly cell: Int32Array;
}

const READER = `
const { readSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (q) => {
  const slot = new Uint8Array(q.shared, q.byteOffset, q.length);
  let at = q.from;
  try {
    while (at < q.length) {
      const end = Math.min(q.length, (Math.floor(at / ${PIECE}) + 1) * ${PIECE});
      const n = readSync(q.fd, slot, at, end - at, q.base + at);
      if (n === 0) slot.fill(0, at, q.length); // a source that ends early reads as zeros
      at = n === 0 ? q.length : at + n;
      Atomics.store(q.cell, ${FILLED}, at);
      Atomics.notify(q.cell, ${FILLED});
    }
  } catch (e) {
    Atomics.store(q.cell, ${ERRNO}, typeof e.errno === 'number' ? e.errno : -5);
    Atomics.store(q.cell, ${FAILED}, 1);
    Atomics.notify(q.cell, ${FILLED});
  }
});
`;

/** A reader that makes no progress for this long is stopped, and this thread reads on. */
export const STALL_MS = 30_000;
/** One asynchronous wait on the progress cell, after which the reader's state is looked at again. */
const SLICE_MS = 250;

/** Waits until the slot holds [0, end): returns (at once, or as a promise when it must wait) how
 * many bytes it holds, or throws the read's error (ReadError: `filled`, the bytes that did arrive,
 * so the caller continues after them). */
export type Fill = (end: number) => number | Promise<number>;

type WaitAsync = (cell: Int32Array, index: number, value: number, ms: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export class ReadError extends Error {
  constructor(
    readonly code: string,
    readonly filled: number,
  ) {
    super(`read failed: ${code}`);
  }
}

/** pread [from, to) of a slot whose first byte is at `base`; a source that ends early reads as
 * zeros. A failing read throws a ReadError with the bytes that did arrive. */
export function preadInto(fd: number, slot: Uint8Array, from: number, to: number, base: number): number {
  let at = from;
  try {
    while (at < to) {
      const n = readSync(fd, slot, at, to - at, base + at);
      if (n === 0) {
        slot.fill(0, at, to);
        break;
      }
      at += n;
    }
  } catch (e) {
    throw new ReadError((e as NodeJS.ErrnoException).code ?? 'EIO', at);
  }
  return to;
}

export class ReadAhead {
  private readonly worker: Worker;
  /** The reader runs (until then this thread reads: waiting would stall the carve for its start-up). */
  ready = false;
  readonly online: Promise<void>;
  /** The reader thread has stopped: every fill reads on this thread from then on. */
  private gone = false;
  private readonly exited: Promise<void>;

  constructor(
    private readonly stallMs = STALL_MS,
    code = READER,
  ) {
    this.worker = new Worker(code, { eval: true });
    this.worker.unref(); // never what keeps the process alive
    this.online = new Promise<void>((resolve) => this.worker.once('online', resolve)).then(() => {
      this.ready = !this.gone;
    });
    this.exited = new Promise<void>((resolve) =>
      this.worker.once('exit', () => {
        this.gone = true;
        this.ready = false;
        resolve();
      }),
    );
    this.worker.on('error', () => {}); // a reader that throws exits: 'exit' does the rest
  }

  /** Queues the read of [from, length) of a slot; the returned Fill waits for its bytes. */
  request(q: Omit<ReadRequest, 'cell'>): Fill {
    const cell = new Int32Array(new SharedArrayBuffer(12));
    cell[FILLED] = q.from;
    if (!this.gone) this.worker.postMessage({ ...q, cell });
    const slot = new Uint8Array(q.shared, q.byteOffset, q.length);
    /** Once set, this thread reads the rest, from here on. */
    let here: number | null = null;
    const readHere = (end: number) => (here = preadInto(q.fd, slot, (here ??= Atomics.load(cell, FILLED)), end, q.base));
    return (end) => {
      if (here !== null) return readHere(end);
      const filled = this.filled(cell, end);
      if (filled !== null) return filled;
      return this.wait(cell, end).then((got) => got ?? readHere(end));
    };
  }

  /** The bytes in once [0, end) is, null while waiting would help; throws the reader's read error. */
  private filled(cell: Int32Array, end: number): number | null {
    const filled = Atomics.load(cell, FILLED);
    if (filled >= end) return filled;
    if (Atomics.load(cell, FAILED)) throw new ReadError(errnoName(-Atomics.load(cell, ERRNO) || 5), filled);
    return null;
  }

  /** Waits for [0, end) without blocking the event loop; null when the reader is gone first. */
  private async wait(cell: Int32Array, end: number): Promise<number | null> {
    let seen = Atomics.load(cell, FILLED);
    let since = performance.now();
    for (;;) {
      const got = this.filled(cell, end);
      if (got !== null) return got;
      if (this.gone) return null;
      const now = Atomics.load(cell, FILLED);
      if (now !== seen) [seen, since] = [now, performance.now()];
      else if (performance.now() - since > this.stallMs) {
        await this.close(); // a stalled reader: stop it, read here (after 'exit', it writes nothing)
        continue;
      }
      const w = waitAsync(cell, FILLED, now, SLICE_MS);
      if (!w.async) continue;
      // A timer of our own: neither the wait nor the unref'd reader keeps the process alive.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([w.value, this.exited, new Promise((resolve) => (timer = setTimeout(resolve, SLICE_MS)))]);
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }
}

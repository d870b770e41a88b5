/**
 * A reader thread for a lone carving thread: it preads each chunk into its shared-memory slot,
 * piece by piece, while this thread carves the chunk before — so the copy from the page cache
 * runs on the second core instead of between the carves (2 cores: one carves, one reads). Each
 * request carries a small shared cell the reader advances after every read; the carver waits on
 * it (Atomics.wait) for the bytes it needs next. Requests are served in order, one at a time.
 * The reader is plain JavaScript evaluated in the worker: it loads no module of ours.
 */
import { getSystemErrorName } from 'node:util';
import { Worker } from 'node:worker_threads';

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

/** Waits until the slot holds [0, end): returns how many bytes it holds, or throws the read's error
 * (with `filled`: the bytes that did arrive, so the caller continues after them). */
export type Fill = (end: number) => number;

export class ReadError extends Error {
  constructor(
    readonly code: string,
    readonly filled: number,
  ) {
    super(`read failed: ${code}`);
  }
}

export class ReadAhead {
  private readonly worker = new Worker(READER, { eval: true });
  /** The reader runs (until then this thread reads: waiting would stall the carve for its start-up). */
  ready = false;
  readonly online = new Promise<void>((resolve) => this.worker.once('online', resolve)).then(() => {
    this.ready = true;
  });

  constructor() {
    this.worker.unref(); // never what keeps the process alive
  }

  /** Queues the read of [from, length) of a slot; the returned Fill waits for its bytes. */
  request(q: Omit<ReadRequest, 'cell'>): Fill {
    const cell = new Int32Array(new SharedArrayBuffer(12));
    cell[FILLED] = q.from;
    this.worker.postMessage({ ...q, cell });
    return (end) => {
      for (;;) {
        const filled = Atomics.load(cell, FILLED);
        if (filled >= end) return filled;
        if (Atomics.load(cell, FAILED)) throw new ReadError(getSystemErrorName(Atomics.load(cell, ERRNO) || -5), Atomics.load(cell, FILLED));
        Atomics.wait(cell, FILLED, filled, 1000);
      }
    };
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

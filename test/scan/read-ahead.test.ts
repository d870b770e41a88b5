import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceWorker } from '../../src/scan/pool.ts';
import { PIECE, ReadAhead, ReadError, STALL_MS } from '../../src/scan/read-ahead.ts';

describe('read-ahead reader thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keycarve-ra-'));
  const reader = new ReadAhead();
  afterAll(async () => {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const bytes = Uint8Array.from({ length: 3 * PIECE + 777 }, (_, i) => (i * 7 + (i >> 9)) & 0xff);
  const file = join(dir, 'img');
  writeFileSync(file, bytes);

  it('fills slots in order, piece by piece, from where each request starts; past the end reads as zeros', async () => {
    const fd = openSync(file, 'r');
    try {
      const shared = new SharedArrayBuffer(2 * 2 * PIECE + 4096);
      const slot = (byteOffset: number, length: number) => new Uint8Array(shared, byteOffset, length);
      // Two requests queued at once (the second is read while the first is carved); the second
      // starts at 1000 (the bytes before are in) and runs past the file's end.
      const a = reader.request({ fd, shared, byteOffset: 2048, base: 0, from: 0, length: 2 * PIECE });
      slot(2048 + 2 * PIECE, 1000).fill(0xee);
      const b = reader.request({ fd, shared, byteOffset: 2048 + 2 * PIECE, base: 2 * PIECE, from: 1000, length: 2 * PIECE });
      expect(await a(PIECE)).toBeGreaterThanOrEqual(PIECE);
      expect(await a(2 * PIECE)).toBe(2 * PIECE);
      expect(Buffer.from(slot(2048, 2 * PIECE)).equals(bytes.subarray(0, 2 * PIECE))).toBe(true);
      expect(await b(2 * PIECE)).toBe(2 * PIECE);
      const second = slot(2048 + 2 * PIECE, 2 * PIECE);
      expect(second.subarray(0, 1000).every((x) => x === 0xee)).toBe(true);
      expect(Buffer.from(second.subarray(1000, PIECE + 777)).equals(bytes.subarray(2 * PIECE + 1000))).toBe(true);
      expect(second.subarray(PIECE + 777).every((x) => x === 0)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('reports a failed read with its code and the bytes that did arrive', async () => {
    const fd = openSync(dir, 'r'); // a directory: every pread fails (EISDIR)
    try {
      const fill = reader.request({ fd, shared: new SharedArrayBuffer(PIECE), byteOffset: 0, base: 0, from: 512, length: PIECE });
      let error: unknown;
      try {
        await fill(PIECE);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ReadError);
      expect((error as ReadError).code).toBe('EISDIR');
      expect((error as ReadError).filled).toBe(512);
    } finally {
      closeSync(fd);
    }
  });
});

describe('read-ahead when the reader thread fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keycarve-ra-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = Uint8Array.from({ length: 4 * PIECE }, (_, i) => (i * 13 + (i >> 10)) & 0xff);
  const file = join(dir, 'img');
  writeFileSync(file, bytes);

  /** A reader that marks its first piece of each request 0x11 (instead of reading it), then runs `then`. */
  const reader = (then: string) => `
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (q) => {
      new Uint8Array(q.shared, q.byteOffset + q.from, ${PIECE}).fill(0x11);
      Atomics.store(q.cell, 0, q.from + ${PIECE});
      Atomics.notify(q.cell, 0);
      ${then}
    });`;

  it.each([
    ['crashes', "throw new Error('reader crashed');", STALL_MS],
    ['exits', 'process.exit(3);', STALL_MS],
    ['stalls (stopped after the stall time)', '', 300],
  ])('reads on here, from the first byte the reader did not give, when it %s', async (_, then, stall) => {
    const fd = openSync(file, 'r');
    const ra = new ReadAhead(stall, reader(then));
    try {
      await ra.online;
      const shared = new SharedArrayBuffer(3 * PIECE + 2048);
      const slot = new Uint8Array(shared, 2048, 3 * PIECE);
      slot.fill(0xee, 0, 512);
      const fill = ra.request({ fd, shared, byteOffset: 2048, base: PIECE, from: 512, length: 3 * PIECE });
      // A wait is asynchronous: the event loop runs meanwhile, so the reader's exit is seen.
      expect(await fill(3 * PIECE)).toBe(3 * PIECE);
      expect(slot.subarray(0, 512).every((x) => x === 0xee)).toBe(true); // before `from`: untouched
      expect(slot.subarray(512, 512 + PIECE).every((x) => x === 0x11)).toBe(true); // the reader's: not read again
      expect(Buffer.from(slot.subarray(512 + PIECE)).equals(bytes.subarray(PIECE + 512 + PIECE, 4 * PIECE))).toBe(true);
      // Later requests go to no reader: this thread reads them whole.
      const next = ra.request({ fd, shared, byteOffset: 2048, base: 0, from: 0, length: PIECE });
      expect(await next(PIECE)).toBe(PIECE);
      expect(Buffer.from(slot.subarray(0, PIECE)).equals(bytes.subarray(0, PIECE))).toBe(true);
    } finally {
      await ra.close();
      closeSync(fd);
    }
  });
});

it('keeps the process alive while this thread waits for a slow reader (nothing else is pending)', () => {
  // In a process of its own: vitest's own handles would keep this one alive.
  const dir = mkdtempSync(join(tmpdir(), 'keycarve-ra-'));
  try {
    const file = join(dir, 'img');
    writeFileSync(file, new Uint8Array(PIECE).fill(7));
    const slow = `const { readSync } = require('node:fs');
      require('node:worker_threads').parentPort.on('message', (q) => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400); // slow medium
        const n = readSync(q.fd, new Uint8Array(q.shared, q.byteOffset, q.length), q.from, q.length - q.from, q.base + q.from);
        Atomics.store(q.cell, 0, q.from + n);
        Atomics.notify(q.cell, 0);
      });`;
    const code = `import { openSync } from 'node:fs';
      import { ReadAhead } from ${JSON.stringify(new URL('../../src/scan/read-ahead.ts', import.meta.url).href)};
      const ra = new ReadAhead(undefined, ${JSON.stringify(slow)});
      const alive = setInterval(() => {}, 1000); // the reader is unref'd: here only its start is awaited
      await ra.online;
      clearInterval(alive);
      const shared = new SharedArrayBuffer(${PIECE});
      const got = await ra.request({ fd: openSync(${JSON.stringify(file)}, 'r'), shared, byteOffset: 0, base: 0, from: 0, length: ${PIECE} })(${PIECE});
      await ra.close();
      process.stdout.write(got + ' ' + new Uint8Array(shared).every((x) => x === 7));`;
    const { execArgv, env } = sourceWorker();
    expect(execFileSync(process.execPath, [...execArgv, '--input-type=module', '-e', code], { env, encoding: 'utf8' })).toBe(`${PIECE} true`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

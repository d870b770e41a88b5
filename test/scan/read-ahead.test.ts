import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PIECE, ReadAhead, ReadError } from '../../src/scan/read-ahead.ts';

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

  it('fills slots in order, piece by piece, from where each request starts; past the end reads as zeros', () => {
    const fd = openSync(file, 'r');
    try {
      const shared = new SharedArrayBuffer(2 * 2 * PIECE + 4096);
      const slot = (byteOffset: number, length: number) => new Uint8Array(shared, byteOffset, length);
      // Two requests queued at once (the second is read while the first is carved); the second
      // starts at 1000 (the bytes before are in) and runs past the file's end.
      const a = reader.request({ fd, shared, byteOffset: 2048, base: 0, from: 0, length: 2 * PIECE });
      slot(2048 + 2 * PIECE, 1000).fill(0xee);
      const b = reader.request({ fd, shared, byteOffset: 2048 + 2 * PIECE, base: 2 * PIECE, from: 1000, length: 2 * PIECE });
      expect(a(PIECE)).toBeGreaterThanOrEqual(PIECE);
      expect(a(2 * PIECE)).toBe(2 * PIECE);
      expect(Buffer.from(slot(2048, 2 * PIECE)).equals(bytes.subarray(0, 2 * PIECE))).toBe(true);
      expect(b(2 * PIECE)).toBe(2 * PIECE);
      const second = slot(2048 + 2 * PIECE, 2 * PIECE);
      expect(second.subarray(0, 1000).every((x) => x === 0xee)).toBe(true);
      expect(Buffer.from(second.subarray(1000, PIECE + 777)).equals(bytes.subarray(2 * PIECE + 1000))).toBe(true);
      expect(second.subarray(PIECE + 777).every((x) => x === 0)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('reports a failed read with its code and the bytes that did arrive', () => {
    const fd = openSync(dir, 'r'); // a directory: every pread fails (EISDIR)
    try {
      const fill = reader.request({ fd, shared: new SharedArrayBuffer(PIECE), byteOffset: 0, base: 0, from: 512, length: PIECE });
      let error: unknown;
      try {
        fill(PIECE);
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

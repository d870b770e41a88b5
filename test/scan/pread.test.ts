import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errnoName, preadInto, ReadError } from '../../src/scan/pread.ts';

describe('the pass reads without the addon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keycarve-pread-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7 + (i >> 9)) & 0xff);
  const file = join(dir, 'img');
  writeFileSync(file, bytes);

  it('fills [from, to) of a slot from its base; past the end of the file reads as zeros', () => {
    const fd = openSync(file, 'r');
    try {
      const slot = new Uint8Array(4096).fill(0xee);
      expect(preadInto(fd, slot, 100, 4096, 1000)).toBe(4096);
      expect(slot.subarray(0, 100).every((x) => x === 0xee)).toBe(true); // before `from`: untouched
      expect(Buffer.from(slot.subarray(100, 4000)).equals(bytes.subarray(1100))).toBe(true);
      expect(slot.subarray(4000).every((x) => x === 0)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('throws a failed read as a ReadError with the code fs gives and the bytes filled before it', () => {
    const fd = openSync(dir, 'r'); // a directory: every pread fails (EISDIR)
    try {
      let error: unknown;
      try {
        preadInto(fd, new Uint8Array(1024), 512, 1024, 0);
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

  it('names an errno as fs would, EIO for one Node does not name', () => {
    expect(errnoName(5)).toBe('EIO');
    expect(errnoName(21)).toBe('EISDIR');
    expect(errnoName(100000)).toBe('EIO');
  });
});

import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { describe, expect, it } from 'vitest';
import { CARVERS } from '../../src/carve/index.ts';
import { loadNative } from '../../src/native.ts';
import { buildAnchorTable, matchingCarvers, nativeHits } from '../../src/scan/anchor-table.ts';
import { carveWindow } from '../../src/carve/window.ts';
import type { CarverSpec } from '../../src/carve/types.ts';
import { anchorHits, readAnchorHits, readAnchorHitsOffThread, readAnchorKeep } from '../../src/scan/carve-chunk.ts';
import { sourceWorker } from '../../src/scan/pool.ts';

const SECTOR = 512;
/** The keep read's piece here: its widest window's back (fat-dir's 64 KiB) fits in one. */
const PIECE_TEST = 64 * 1024;
const anchors = CARVERS.flatMap((c) => c.anchors.map((a) => ({ kind: c.kind, ...a })));

/** Random filler (xorshift) with every carver's every anchor planted in its own sector (0xEE
 * around it, so no other anchor is there by chance), and one in the final, partial, sector. */
function planted(length: number): { bytes: Uint8Array; whole: number[] } {
  let seed = 0x2545f491;
  const bytes = Uint8Array.from({ length }, () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed & 255;
  });
  const whole: number[] = [];
  anchors.forEach((a, k) => {
    const s = (1 + 2 * k) * SECTOR; // every other sector: a planted one is never next to another
    bytes.fill(0xee, s, s + SECTOR);
    bytes.set(a.bytes, s + a.at);
    whole.push(s);
  });
  const tail = Math.floor(length / SECTOR) * SECTOR;
  const primary = anchors.find((a) => a.kind === 'primary')!; // 4 bytes at 0
  bytes.set(primary.bytes, tail);
  whole.push(tail);
  return { bytes, whole };
}

/** The hits of the pass's pieces [at, at + piece), each over the bytes up to its end (as the worker reads). */
function byPieces(b: Uint8Array, piece: number, native: boolean): number[] {
  const out: number[] = [];
  for (let at = 0; at < b.length; at += piece) anchorHits(CARVERS, b.subarray(0, Math.min(b.length, at + piece)), at, Math.min(b.length, at + piece), out, { native });
  return out;
}

describe('anchor test in C (native/anchors.c) against the TypeScript oracle', () => {
  const length = (2 * anchors.length + 2) * SECTOR + 7; // ends 7 bytes into a sector
  const { bytes, whole } = planted(length);

  /** `use` with a descriptor on a file holding `bytes`, closed and removed after it. */
  async function withImage(use: (fd: number) => void | Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'keycarve-ars-'));
    const file = join(dir, 'img');
    writeFileSync(file, bytes);
    const fd = openSync(file, 'r');
    try {
      await use(fd);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('is built (npm ci builds the addon on every supported machine) and KEYCARVE_NO_NATIVE=1 switches it off', () => {
    expect(typeof loadNative()?.anchorScan).toBe('function');
    expect(nativeHits(buildAnchorTable(CARVERS))).not.toBeNull();
    const before = process.env['KEYCARVE_NO_NATIVE'];
    process.env['KEYCARVE_NO_NATIVE'] = '1';
    try {
      expect(nativeHits(buildAnchorTable(CARVERS))).toBeNull();
      expect(readAnchorHits(CARVERS)).toBeNull(); // the worker reads with fs.readSync then
    } finally {
      if (before === undefined) delete process.env['KEYCARVE_NO_NATIVE'];
      else process.env['KEYCARVE_NO_NATIVE'] = before;
    }
  });

  it('finds every planted anchor of every carver, the same sectors as the TypeScript', () => {
    const ts = byPieces(bytes, length, false);
    expect(ts).toEqual(expect.arrayContaining(whole));
    expect(byPieces(bytes, length, true)).toEqual(ts);
  });

  it('agrees piece by piece (pieces start on sectors, as the pass cuts them) and on anchors cut by the end of the bytes', () => {
    const ts = byPieces(bytes, length, false);
    for (const piece of [SECTOR, 4 * SECTOR, 7 * SECTOR]) expect(byPieces(bytes, piece, true), `piece ${piece}`).toEqual(ts);
    // End the bytes one short of each planted anchor's end: neither sees it whole.
    for (const [k, a] of anchors.entries()) {
      if (a.bytes.length < 2) continue;
      const cut = bytes.subarray(0, (1 + 2 * k) * SECTOR + a.at + a.bytes.length - 1);
      const native = byPieces(cut, 4 * SECTOR, true);
      expect(native, `${a.kind} at ${a.at}`).toEqual(byPieces(cut, 4 * SECTOR, false));
      expect(native, `${a.kind} at ${a.at} cut`).not.toContain((1 + 2 * k) * SECTOR);
    }
  });

  it('agrees on views at an odd address and over sub-ranges [from, to) of a larger buffer', () => {
    const odd = new Uint8Array(length + 1);
    odd.set(bytes, 1);
    const view = odd.subarray(1); // byteOffset 1: the TypeScript reads bytes, not 16-bit words
    expect(byPieces(view, 5 * SECTOR, true)).toEqual(byPieces(view, 5 * SECTOR, false));
    for (const [from, to] of [[0, 0], [SECTOR, 9 * SECTOR], [3 * SECTOR, length - 3], [length - 7, length]] as const) {
      const n: number[] = [];
      const t: number[] = [];
      anchorHits(CARVERS, bytes, from, to, n);
      anchorHits(CARVERS, bytes, from, to, t, { native: false });
      expect(n, `[${from}, ${to})`).toEqual(t);
    }
  });

  it('gives the same hits in a worker thread, over shared memory', async () => {
    const shared = new SharedArrayBuffer(length + 2048);
    new Uint8Array(shared, 2048, length).set(bytes);
    const pool = new Piscina({ ...sourceWorker(new URL('./anchor-hits-worker.ts', import.meta.url)), minThreads: 1, maxThreads: 1 });
    const got = (await pool.run({ shared, byteOffset: 2048, length, piece: 4 * SECTOR }).finally(() => pool.destroy())) as { native: number[]; ts: number[] };
    expect(got.ts).toEqual(expect.arrayContaining(whole));
    expect(got.native).toEqual(got.ts);
    expect(got.native).toEqual(byPieces(bytes, 4 * SECTOR, false));
  });

  it('reads and tests a piece from a descriptor in one call: the bytes and hits of pread + anchorHits', () =>
    withImage((fd) => {
      const read = readAnchorHits(CARVERS)!;
      const slotLength = Math.ceil(length / SECTOR) * SECTOR + 2 * SECTOR; // the file ends inside the slot
      const want = new Uint8Array(slotLength);
      want.set(bytes);
      for (const piece of [SECTOR, 4 * SECTOR, 64 * SECTOR]) {
        for (const first of [0, 3 * SECTOR]) {
          const slot = new Uint8Array(new SharedArrayBuffer(slotLength + 1), 1).fill(0x55); // an odd address too
          slot.set(bytes.subarray(0, first)); // bytes already in before `have`
          const hits: number[] = [];
          let have = first;
          for (let at = 0; at < slotLength; at += piece) {
            const end = Math.min(slotLength, at + piece);
            const got = read(fd, slot, at, end, have, 0, hits);
            expect(got).toEqual({ filled: Math.max(have, end) });
            have = got.filled;
          }
          expect(Buffer.from(slot).equals(want), `piece ${piece} bytes`).toBe(true);
          expect(hits, `piece ${piece} from ${first}`).toEqual(byPieces(want, piece, false));
        }
      }
      // At a base inside the file: slot[0] is the file's byte `base`.
      const base = 7 * SECTOR;
      const slot = new Uint8Array(8 * SECTOR);
      const hits: number[] = [];
      expect(read(fd, slot, 0, slot.length, 0, base, hits)).toEqual({ filled: slot.length });
      expect(Buffer.from(slot).equals(bytes.subarray(base, base + slot.length))).toBe(true);
      expect(hits).toEqual(byPieces(slot, slot.length, false));
    }));

  it('reads and tests chunks on libuv threads, several in flight: the bytes and hits of the piece-by-piece read', () =>
    withImage(async (fd) => {
      const later = readAnchorHitsOffThread(CARVERS)!;
      const chunk = 16 * SECTOR;
      const count = Math.ceil(length / chunk) + 1; // the last chunks end past the file: zeros
      const shared = new SharedArrayBuffer(count * chunk + 1);
      const slots = Array.from({ length: count }, (_, k) => new Uint8Array(shared, 1 + k * chunk, chunk)); // odd addresses
      for (const piece of [SECTOR, 3 * SECTOR, 0]) {
        const hits = slots.map(() => [] as number[]);
        const got = await Promise.all(slots.map((slot, k) => later(fd, slot.fill(0x55), 0, chunk, 0, k * chunk, piece, hits[k]!)));
        expect(got).toEqual(slots.map(() => ({ filled: chunk })));
        const want = new Uint8Array(count * chunk);
        want.set(bytes);
        expect(Buffer.from(new Uint8Array(shared, 1)).equals(want)).toBe(true);
        slots.forEach((slot, k) => expect(hits[k], `piece ${piece} chunk ${k}`).toEqual(byPieces(slot, piece || chunk, false)));
      }
      // Bytes already in before `have` are kept, and [from, to) is a part of the slot.
      const slot = slots[0]!.fill(0x55);
      slot.set(bytes.subarray(0, 2 * SECTOR));
      const hits: number[] = [];
      expect(await later(fd, slot, 4 * SECTOR, 12 * SECTOR, 2 * SECTOR, 0, 4 * SECTOR, hits)).toEqual({ filled: 12 * SECTOR });
      expect(Buffer.from(slot.subarray(0, 12 * SECTOR)).equals(bytes.subarray(0, 12 * SECTOR))).toBe(true);
      const sync: number[] = [];
      for (let at = 4 * SECTOR; at < 12 * SECTOR; at += 4 * SECTOR) anchorHits(CARVERS, slot.subarray(0, at + 4 * SECTOR), at, at + 4 * SECTOR, sync, { native: false });
      expect(hits).toEqual(sync);
      // A failed read: its errno and the bytes filled before it, no hits.
      const none: number[] = [];
      expect(await later(2 ** 30, new Uint8Array(4 * SECTOR), 0, 4 * SECTOR, SECTOR, 0, SECTOR, none)).toEqual({ filled: SECTOR, errno: 9 }); // EBADF
      expect(none).toEqual([]);
    }));

  it('reads a chunk keeping only the hits\' windows and the ranges asked: those bytes exact, every other byte untouched', async () => {
    const keeper = readAnchorKeep(CARVERS)!;
    expect(keeper).not.toBeNull();
    // The planted sectors at several places, so windows cross pieces and overlap; random between.
    const file = new Uint8Array(48 * PIECE_TEST);
    let seed = 99;
    for (let i = 0; i < file.length; i++) file[i] = ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (const at of [0, PIECE_TEST - 5 * SECTOR, 10 * PIECE_TEST + 7 * SECTOR, 25 * PIECE_TEST - 2 * SECTOR, 47 * PIECE_TEST]) file.set(bytes.subarray(0, Math.min(bytes.length, file.length - at)), at);
    const dir = mkdtempSync(join(tmpdir(), 'keycarve-keep-'));
    writeFileSync(join(dir, 'img'), file);
    const fd = openSync(join(dir, 'img'), 'r');
    try {
      const table = buildAnchorTable(CARVERS);
      const sets = [[], [SECTOR, 3 * SECTOR, 2 * PIECE_TEST - 100 * SECTOR, 2 * PIECE_TEST + 3 * SECTOR, 5 * PIECE_TEST, 9 * PIECE_TEST, 30 * PIECE_TEST + SECTOR, 31 * PIECE_TEST]];
      for (const [base, length] of [[0, file.length], [PIECE_TEST, 40 * PIECE_TEST + 3 * SECTOR], [file.length - 12 * PIECE_TEST, 14 * PIECE_TEST]] as const) {
        for (const keep of sets) {
          const slot = new Uint8Array(new SharedArrayBuffer(length + 1), 1).fill(0x55);
          const hits: number[] = [];
          const got = await keeper(fd, slot, 0, length, base, PIECE_TEST, Int32Array.from(keep), hits);
          // The file as the slot should see it (zeros past its end), and what it must hold.
          const seen = new Uint8Array(length);
          seen.set(file.subarray(base, base + length));
          const want = new Uint8Array(length).fill(0x55);
          const held = new Uint8Array(length);
          const hold = (lo: number, hi: number) => {
            if (lo >= length) return;
            want.set(seen.subarray(Math.max(0, lo), Math.min(length, hi)), Math.max(0, lo));
            held.fill(1, Math.max(0, lo), Math.min(length, hi));
          };
          for (let k = 0; k < keep.length; k += 2) hold(keep[k]!, keep[k + 1]!);
          const oracle = byPieces(seen, PIECE_TEST, false);
          const found = new Set<CarverSpec>();
          for (const h of oracle) {
            const end = Math.min(length, (Math.floor(h / PIECE_TEST) + 1) * PIECE_TEST); // a piece's bytes decide its hits
            matchingCarvers(table, seen.subarray(0, end), h, found);
            for (const c of found) hold(h - carveWindow(c).back, h + carveWindow(c).ahead);
          }
          const where = `base ${base}, keep ${keep.length / 2} ranges`;
          expect(hits, where).toEqual(oracle);
          expect(got.errno, where).toBeUndefined();
          expect(got.filled, where).toBe(length);
          expect(Buffer.from(slot).equals(want), where).toBe(true);
          // Each byte to hold written about once (overlapping windows are merged), no others.
          const mustHold = held.reduce((n, x) => n + x, 0);
          expect(mustHold, where).toBeLessThan(length * 0.8);
          expect(got.kept, where).toBeGreaterThanOrEqual(mustHold);
          expect(got.kept, where).toBeLessThan(mustHold * 1.5);
        }
      }
      // A failed read: its errno, nothing tested, nothing kept.
      const none: number[] = [];
      expect(await keeper(2 ** 30, new Uint8Array(4 * PIECE_TEST), 0, 4 * PIECE_TEST, 0, PIECE_TEST, new Int32Array(0), none)).toEqual({ filled: 0, tested: 0, kept: 0, errno: 9 }); // EBADF
      expect(none).toEqual([]);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a failed read with its errno and the bytes filled before it', () => {
    const read = readAnchorHits(CARVERS)!;
    const hits: number[] = [];
    expect(read(2 ** 30, new Uint8Array(4 * SECTOR), 0, 4 * SECTOR, SECTOR, 0, hits)).toEqual({ filled: SECTOR, errno: 9 }); // EBADF
    expect(hits).toEqual([]);
  });

  it('agrees on an offset crowded with first bytes (tested on two bytes in C), one-byte anchors among them', () => {
    const carver = (at: number, ...bytes: number[][]): CarverSpec => ({ kind: 'boot', maxLength: 512, carve: () => [], anchors: bytes.map((b) => ({ at, bytes: Uint8Array.from(b) })) });
    const crowded = [
      carver(5, ...Array.from({ length: 12 }, (_, k) => [k * 16 + 1, 0x42, 7])),
      carver(5, [0xf3]), // any second byte
      carver(6, [0x42, 0x99]),
      carver(0, ...Array.from({ length: 20 }, (_, k) => [k + 100, k + 50])),
    ];
    let seed = 7;
    const data = Uint8Array.from({ length: 4096 * SECTOR }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0x1f); // few values: many near misses
    for (let s = 0; s < data.length; s += 3 * SECTOR) data.set([(s >> 9) & 0xf0 | 1, 0x42, 7], s + 5); // some whole matches
    for (let s = SECTOR; s < data.length; s += 11 * SECTOR) data[s + 5] = 0xf3;
    const n: number[] = [];
    const t: number[] = [];
    anchorHits(crowded, data, 0, data.length, n);
    anchorHits(crowded, data, 0, data.length, t, { native: false });
    expect(t.length).toBeGreaterThan(100);
    expect(n).toEqual(t);
  });

  it('agrees on masked anchors (free bytes, part-free bytes) and matches exactly where the mask says', () => {
    const masked = (at: number, bytes: number[], mask: number[]): CarverSpec => ({ kind: 'name', maxLength: 512, carve: () => [], anchors: [{ at, bytes: Uint8Array.from(bytes), mask: Uint8Array.from(mask) }] });
    // 30 ?? 16 at 0 (the name carver's shape), AB C? at 7 (a high nibble free), 44 at 9 (one whole byte).
    const carvers = [masked(0, [0x30, 0x00, 0x16], [0xff, 0x00, 0xff]), masked(7, [0xab, 0xc0], [0xff, 0xf0]), masked(9, [0x44], [0xff])];
    let seed = 11;
    const data = Uint8Array.from({ length: 4096 * SECTOR }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    const want = new Set<number>();
    for (let s = 0; s < data.length; s += SECTOR) {
      const k = s >> 9;
      data[s + 9] = 0; // no one-byte hits but the planted ones
      if (k % 5 === 0) data.set([0x30, k & 0xff, 0x16], s); // any length byte: a match
      else if (k % 5 === 1) data.set([0x30, 0x16, 0x17], s); // third byte wrong: none
      if (k % 7 === 0) data.set([0xab, 0xc0 | (k & 0x0f)], s + 7); // low nibble free: a match
      else if (k % 7 === 1) data.set([0xab, 0xd0], s + 7); // high nibble differs: none
      else data[s + 7] = 0;
      if (k % 13 === 0) data[s + 9] = 0x44;
      const m = (b: number[], at: number, mask: number[]) => b.every((x, j) => (data[s + at + j]! & mask[j]!) === x);
      if (m([0x30, 0, 0x16], 0, [0xff, 0, 0xff]) || m([0xab, 0xc0], 7, [0xff, 0xf0]) || data[s + 9] === 0x44) want.add(s);
    }
    const n: number[] = [];
    const t: number[] = [];
    anchorHits(carvers, data, 0, data.length, n);
    anchorHits(carvers, data, 0, data.length, t, { native: false });
    expect(t).toEqual([...want].sort((a, b) => a - b));
    expect(n).toEqual(t);
    expect(t.length).toBeGreaterThan(800);
    expect(() => anchorHits([masked(0, [0x30, 0x01], [0xf0, 0xff])], data, 0, SECTOR, [])).toThrow(/first byte whole/);
  });
});

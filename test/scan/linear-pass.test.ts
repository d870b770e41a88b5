import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer } from '../helpers/containers.ts';
import { CARVERS, MAX_CARVE_LENGTH } from '../../src/carve/index.ts';
import { carveChunk } from '../../src/scan/carve-chunk.ts';
import { linearPass } from '../../src/scan/linear-pass.ts';
import { createCarvePool, threadPool } from '../../src/scan/pool.ts';
import { openSource } from '../../src/source/open.ts';
import type { ByteRange, ByteSource } from '../../src/source/types.ts';
import { MemorySource } from '../../src/source/memory.ts';
import { openImage } from '../../src/source/image.ts';
import type { MappedSource } from '../../src/source/formats/mapped.ts';
import { requireTools } from '../helpers/tools.ts';

const containerTools = requireTools('qemu-img', 'ewfacquire');

// A 2001 container with a ~1 KiB certificate in its header, as real ones have.
const key = makeContainer({ algorithm: 'gost2001', seed: 'lp' }).privateKey;
const container = makeContainer({ algorithm: 'gost2001', seed: 'lp', privateKey: key, name: 'g2001',
  certificate: makeCertificate({ generation: 'gost2001', privateKey: key, subject: 'boundary', padding: 500 }) });

function memSource(bytes: Uint8Array): ByteSource & { reads: number[] } {
  const reads: number[] = [];
  return {
    path: 'mem',
    size: bytes.length,
    sectorSize: 512,
    reads,
    async read(offset, into) {
      reads.push(offset, into.length);
      const n = Math.max(0, Math.min(into.length, bytes.length - offset));
      into.set(bytes.subarray(offset, offset + n));
      return { bytes: n, bad: [] };
    },
    async close() {},
  };
}

/** The ranges read tile [0, size): each byte read exactly once, whichever thread read it. */
function expectTiling(reads: readonly ByteRange[], size: number): void {
  let next = 0;
  for (const r of [...reads].filter((x) => x.length > 0).sort((a, b) => a.offset - b.offset)) {
    expect(r.offset).toBe(next);
    next += r.length;
  }
  expect(next).toBe(size);
}

function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

describe('linear pass', () => {
  const files = ['header.key', 'primary.key', 'masks.key', 'name.key', 'primary2.key', 'masks2.key'].map((f) => Buffer.from(container.files[f]!));
  const pool = createCarvePool(2);
  // One job: this thread carves, the addon reads and tests each chunk on libuv's threads.
  const onThisThread = threadPool();
  const oneReadAtATime = threadPool(1); // the other chunks in flight wait their turn
  afterAll(() => Promise.all([pool.close(), onThisThread.close(), oneReadAtATime.close()]));

  // header.key (~1 KiB) straddles the 64 KiB page edge; a file at the first and at the last sector.
  const size = 256 * 1024;
  const img = pseudoRandom(size);
  const place = [0, 64 * 1024 - 512, 100 * 1024, 130 * 1024, 140 * 1024, size - 512];
  const order = [2, 0, 1, 3, 4, 5]; // masks at 0, header across the edge, …, masks2 at the last sector
  order.forEach((fi, k) => img.set(files[fi]!, place[k]!));

  it('finds every key file exactly once with exact bytes whatever the chunk split', async () => {
    for (const page of [64 * 1024, 128 * 1024, 1024 * 1024]) {
      const src = new MemorySource(img);
      const r = await linearPass(src, { pool, slots: 3, page, margin: Math.min(page, MAX_CARVE_LENGTH) });
      const keys = r.candidates.filter((c) => ['header', 'primary', 'masks', 'name'].includes(c.kind));
      expect(keys.map((c) => c.offset)).toEqual([...place].sort((a, b) => a - b));
      for (const c of keys) {
        const k = place.indexOf(c.offset);
        expect(Buffer.from(c.bytes).equals(files[order[k]!]!)).toBe(true);
      }
      const header = keys.find((c) => c.kind === 'header')!;
      expect(header.checks).toContain('mac-ea');
      // Each byte read once: the reads tile the source exactly.
      let next = 0;
      for (const [offset, length] of src.requests) {
        expect(offset).toBe(next);
        next += length;
      }
      expect(next).toBe(size);
    }
  });

  it('carves a one-page source on this thread exactly as the workers do', async () => {
    const inThread = createCarvePool(2, size);
    const pass = (p: typeof pool) => linearPass(new MemorySource(img), { pool: p, slots: 3, margin: MAX_CARVE_LENGTH });
    const [a, b] = [await pass(inThread), await pass(pool)];
    await inThread.close();
    expect(view(a).length).toBeGreaterThanOrEqual(place.length);
    expect(view(a)).toEqual(view(b));
  });

  const view = (r: { candidates: { kind: string; offset: number; bytes: Uint8Array }[] }) =>
    r.candidates.map((c) => [c.kind, c.offset, Buffer.from(c.bytes).toString('hex')]);

  it.each([
    ['the workers', pool],
    ['libuv threads for this thread', onThisThread],
    ['one libuv thread at a time', oneReadAtATime],
  ])('lets %s read an image file, each byte once, with the same candidates', async (_, pool) => {
    const dir = mkdtempSync(join(tmpdir(), 'keycarve-lp-'));
    try {
      writeFileSync(join(dir, 'img'), img);
      const src = await openSource(join(dir, 'img'));
      try {
        expect(src.fd).toBeTypeOf('number');
        for (const page of [64 * 1024, 128 * 1024, 100 * 1024 + 512]) {
          const reads: ByteRange[] = [];
          const here = memSource(img);
          const opts = { pool, slots: 3, page, margin: Math.min(page, MAX_CARVE_LENGTH) };
          const [a, b] = [await linearPass(src, { ...opts, onRead: (r) => reads.push(r) }), await linearPass(here, opts)];
          expectTiling(reads, size);
          expect(here.reads.length).toBeGreaterThan(0);
          expect(a.bytesRead).toBe(size);
          expect(view(a)).toEqual(view(b));
        }
      } finally {
        await src.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  containerTools.it('reads an image format through plans in the workers, or on this thread: each byte once, the same candidates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keycarve-lp-'));
    try {
      writeFileSync(join(dir, 'img'), img);
      // qcow2 with 4 KiB clusters (many pieces, merged where adjoining); E01 (32 KiB stored units).
      execFileSync('qemu-img', ['convert', '-O', 'qcow2', '-o', 'cluster_size=4096', join(dir, 'img'), join(dir, 'img.qcow2')]);
      execFileSync('ewfacquire', ['-u', '-q', '-c', 'deflate:fast', '-t', join(dir, 'img'), join(dir, 'img')], { stdio: 'ignore' });
      const here = await linearPass(memSource(img), { pool, slots: 3, page: 64 * 1024, margin: 64 * 1024 });
      const md5 = createHash('md5').update(img).digest('hex');
      for (const file of ['img.qcow2', 'img.E01']) {
        for (const [workersRead, verifyImage] of [[true, false], [false, false], [true, true]]) {
          const src = await openImage(join(dir, file), { verifyImage });
          try {
            expect(src.fd).toBeUndefined();
            const planned = src.plan!;
            let plans = 0;
            const counted = Object.assign(Object.create(src) as typeof src, { plan: (o: number, l: number) => (plans++, planned.call(src, o, l)), passed: (o: number, b: Uint8Array) => src.passed!(o, b) });
            const reads: ByteRange[] = [];
            const a = await linearPass(counted, { pool, slots: 3, page: 64 * 1024, margin: 64 * 1024, workersRead, onRead: (r) => reads.push(r) });
            expect(plans).toBe(workersRead ? size / (64 * 1024) : 0);
            expectTiling(reads, size);
            expect(a.bytesRead).toBe(size);
            expect(a.readErrors).toEqual([]);
            expect(view(a)).toEqual(view(here));
            if (verifyImage) {
              // Hashed on this thread as the chunks came back in order: nothing is left to read.
              const mapped = src as MappedSource;
              const read = vi.spyOn(mapped, 'read');
              expect(await mapped.mediumMd5()).toBe(md5);
              expect(read).not.toHaveBeenCalled();
            }
          } finally {
            await src.close();
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['a worker', pool],
    ['a libuv thread', onThisThread],
  ])('goes back to reading on this thread after a read fails in %s', async (_, pool) => {
    // A descriptor of a directory: every pread fails (EISDIR), as a failing medium's would.
    const dir = mkdtempSync(join(tmpdir(), 'keycarve-lp-'));
    const fd = openSync(dir, 'r');
    try {
      const here = memSource(img);
      const failing = Object.assign(memSource(img), { fd });
      const reads: ByteRange[] = [];
      const opts = { pool, slots: 3, page: 64 * 1024, margin: 64 * 1024 };
      const [a, b] = [await linearPass(failing, { ...opts, onRead: (r) => reads.push(r) }), await linearPass(here, opts)];
      expectTiling(reads, size);
      expect(failing.reads.length).toBeGreaterThan(0);
      expect(view(a)).toEqual(view(b));
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same candidates as carving the whole image in one chunk', () => {
    const whole = carveChunk({ base: 0, bytes: img, page: img.length }, CARVERS);
    expect(whole.alerts).toEqual([]);
    expect(whole.candidates.filter((c) => c.kind !== 'boot').map((c) => c.offset).sort((a, b) => a - b)).toEqual([...place].sort((a, b) => a - b));
  });
});

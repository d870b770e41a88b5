/**
 * A one-job pass reads an image file's chunks keeping only what is read again (the carvers'
 * windows, the metadata the file-system stage is planned to need, each chunk's first margin):
 * native/anchors.c anchor_read_keep. On a real MBR disk (mkfs.vfat + mtools: a FAT16 and a logical
 * FAT12, deleted containers), its scan must find, keep and report exactly what the same scan
 * reading every byte does — while writing out only a small part of the medium.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { MAX_CARVE_LENGTH } from '../../src/carve/index.ts';
import { scan } from '../../src/run/scan-run.ts';
import { linearPass } from '../../src/scan/linear-pass.ts';
import { metadataObserver } from '../../src/scan/metadata-plan.ts';
import { RetainedStore, RetentionPlan } from '../../src/scan/retained.ts';
import { openSource } from '../../src/source/open.ts';
import { THREAD_SLOTS, threadPool, type CarvePool } from '../../src/scan/pool.ts';
import type { Report } from '../../src/output/report.ts';
import { buildMbrTwo } from '../fs/fat/build.ts';
import { CONTAINERS, mcopyDir, mt, patch, run, sparse as sparseFile } from '../fs/fat/images.ts';
import { requireTools } from '../helpers/tools.ts';
import { tempDir } from './helpers.ts';

const fat = requireTools('mkfs.vfat', 'mcopy', 'mmd', 'mdeltree');

/** 64 MiB, an MBR whose one FAT32 starts at 8 MiB with 512-byte clusters: its allocation tables
 * (~1 MiB) span several 128 KiB chunks past the one its boot sector is seen in. After a 48 MiB
 * file, so their chains lie deep in the tables: a live container, one in a subfolder, one deleted. */
function deepFat32(dir: string): string {
  const img = join(dir, 'deep.img');
  sparseFile(img, 64 * 1024 * 1024);
  const mbr = new Uint8Array(512);
  mbr[446 + 4] = 0x0c;
  new DataView(mbr.buffer).setUint32(446 + 8, 16384, true);
  new DataView(mbr.buffer).setUint32(446 + 12, 114688, true);
  mbr.set([0x55, 0xaa], 510);
  patch(img, 0, mbr);
  const off = 16384 * 512;
  run('mkfs.vfat', ['-F', '32', '-s', '1', '--offset', '16384', '-i', '1234abcd', img, String(114688 / 2)]);
  // 48 MiB first: the containers' clusters sit far into the tables.
  const filler = join(dir, 'filler.bin');
  sparseFile(filler, 48 * 1024 * 1024);
  run('mcopy', ['-i', mt(img, off), filler, '::/FILLER.BIN']);
  mcopyDir(img, CONTAINERS.g2001, 'live.000', off);
  mcopyDir(img, CONTAINERS.srv, 'gone.000', off);
  run('mdeltree', ['-i', mt(img, off), '::gone.000']);
  run('mmd', ['-i', mt(img, off), '::sub']);
  mcopyDir(img, CONTAINERS.g512, 'sub/deeper.000', off);
  return img;
}
const t = tempDir();

/** This thread's pool, counting the bytes its reads wrote; `whole`: every chunk read in full. */
function counting(whole: boolean): CarvePool & { kept: number; sparse: number } {
  const p = threadPool();
  const pool = {
    kept: 0,
    sparse: 0,
    run: async (task: Parameters<CarvePool['run']>[0]) => {
      const { keep, ...rest } = task;
      const r = await p.run(whole || !keep ? rest : task);
      if (r.kept !== undefined) {
        pool.kept += r.kept;
        pool.sparse++;
      }
      return r;
    },
    close: () => p.close(),
  };
  return pool;
}

const facts = (r: Report) => ({
  containers: r.containers.map((c) => ({ dir: c.dir, status: c.status, files: c.files, problems: c.problems })),
  volumes: r.volumes,
  candidates: r.stats.candidatesByKind,
  retained: r.stats.retainedBytes,
  rereads: r.stats.metadataRereads,
});

fat.describe('a one-job pass that keeps only what it will read again', () => {
  it('finds, keeps and reports what reading every byte does, writing out a small part of the medium', async () => {
    const img = buildMbrTwo(t.dir)[0]!.path;
    const page = 1024 * 1024; // 48 chunks: those in flight before the partition table is known are whole
    const sparse = counting(false);
    const whole = counting(true);
    const a = await scan({ source: img, out: join(t.dir, 'sparse'), jobs: 1, page, poolOverride: sparse });
    const b = await scan({ source: img, out: join(t.dir, 'whole'), jobs: 1, page, poolOverride: whole });
    expect(a.report.containers.length).toBeGreaterThanOrEqual(2);
    expect(a.report.containers.every((c) => c.status === 'verified')).toBe(true);
    expect(facts(a.report)).toEqual(facts(b.report));
    expect(whole.sparse).toBe(0);
    expect(sparse.sparse).toBe(48 - THREAD_SLOTS);
    // Kept: both volumes' metadata (the planned spans), the containers, each chunk's first margin.
    expect(sparse.kept).toBeLessThan(((48 - THREAD_SLOTS) * page) / 4);
  });

  it("keeps a volume's allocation tables that run on past the chunks in flight when its boot sector is seen", async () => {
    const img = deepFat32(t.dir);
    const page = 128 * 1024;
    const sparse = counting(false);
    const a = await scan({ source: img, out: join(t.dir, 'deep-sparse'), jobs: 1, page, poolOverride: sparse });
    const b = await scan({ source: img, out: join(t.dir, 'deep-whole'), jobs: 1, page, poolOverride: counting(true) });
    expect(a.report.containers.map((c) => c.status)).toEqual(['verified', 'verified', 'verified']);
    expect(facts(a.report)).toEqual(facts(b.report));
    // Each chunk's first margin (~68 KiB) is most of it at this page; then the tables (~1 MiB).
    expect(sparse.kept).toBeLessThan(sparse.sparse * 70 * 1024 + 4 * 1024 * 1024);

    // What the pass retained for the file-system stage is the medium's own bytes, every range.
    const medium = new Uint8Array(readFileSync(img));
    const source = await openSource(img);
    try {
      const store = new RetainedStore();
      const plan = new RetentionPlan(store, 256 * 1024 * 1024);
      const observe = metadataObserver(plan, source.size);
      const counted = counting(false);
      await linearPass(source, { pool: counted, slots: THREAD_SLOTS, page, margin: MAX_CARVE_LENGTH, observe, keep: observe.keep });
      expect(counted.sparse).toBeGreaterThan(400);
      const wanted = plan.wanted();
      expect(wanted.map((w) => w.offset)).toEqual([0, medium.length - 1024 * 1024, 8 * 1024 * 1024]);
      expect(wanted[2]!.length).toBeGreaterThan(4 * page); // the tables run on past the chunks in flight
      for (const w of wanted) expect(Buffer.from(store.read(w.offset, w.length)!).equals(medium.subarray(w.offset, w.offset + w.length)), `at ${w.offset}`).toBe(true);
    } finally {
      await source.close();
    }
  });
});

/**
 * `scan --resume` beyond FAT: an exFAT drive (mkfs.exfat, files written and deleted through
 * exfat-fuse), an NTFS drive (mkntfs + ntfs-3g) and a failing FAT drive (nbdkit's ddrescue filter
 * behind nbdfuse, a read-only O_DIRECT loop device over it: real EIO on the bad sectors, one of
 * them under a container). Each is stopped (its AbortSignal, as Ctrl-C does) early and midway,
 * resumed, and gives the files and report of a scan that never stopped — read errors included.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScanInterrupted, type ScanOptions } from '../../src/run/scan-run.ts';
import { cleanupAll, EXFAT_TOOLS, mkfs, withMount } from '../fs/exfat/helpers.ts';
import { NTFS_TOOLS } from '../fs/ntfs/util.ts';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { requireTools, type Need } from '../helpers/tools.ts';
import { EIO_TOOLS, failingDisk, type FailingDisk } from '../source/nbd-fixture.ts';
import { mtools, scanTo, tempDir } from './helpers.ts';
import { outcome } from './resume-outcome.ts';

const t = tempDir();
const PAGE = 256 * 1024;
const opts: Partial<ScanOptions> = { jobs: 1, page: PAGE, checkpointTiming: { everyMs: 0, everyBytes: Infinity } };
const containers = {
  live: makeContainer({ algorithm: 'gost2012-256', seed: 'rm-live', name: 'live' }),
  gone: makeContainer({ algorithm: 'gost2001', seed: 'rm-gone', name: 'gone', password: 'pw' }),
};
let disk: FailingDisk | undefined;
afterAll(async () => {
  cleanupAll();
  await disk?.close();
});

/** A scan into `out` stopped once the pass has passed `bytes`. */
async function interrupted(source: string, out: string, bytes: number): Promise<void> {
  const stop = new AbortController();
  const run = scanTo(source, out, { ...opts, signal: stop.signal, onProgress: (p) => p.bytesDone >= bytes && stop.abort() });
  await expect(run).rejects.toThrow(ScanInterrupted);
}

/** Whole vs stopped at a sixteenth and at half of the medium, then resumed. */
async function resumesLikeWhole(name: string, source: string, size: number, check: (r: ReturnType<typeof outcome>) => void): Promise<void> {
  await scanTo(source, join(t.dir, `${name}-whole`), opts);
  const whole = outcome(join(t.dir, `${name}-whole`));
  check(whole);
  for (const at of [size / 16, size / 2]) {
    const out = join(t.dir, `${name}-at-${at}`);
    await interrupted(source, out, at);
    await scanTo(source, out, { ...opts, resume: true });
    expect(outcome(out)).toEqual(whole);
  }
}

const names = (r: ReturnType<typeof outcome>) => (r.report as { containers: { name: string }[] }).containers.map((c) => c.name).sort();
const medium = (need: Need, title: string, fn: () => Promise<void>) => describe(title, () => need.it('resumes to the same result as an uninterrupted scan', fn, 180_000));

medium(requireTools(...EXFAT_TOOLS), 'exFAT', async () => {
  const img = join(t.dir, 'exfat.img');
  mkfs(img, 24);
  await withMount(img, join(t.dir, 'mnt-exfat'), (m) => {
    writeContainerDir(join(m, 'gone.000'), containers.gone.files);
    writeFileSync(join(m, 'filler.bin'), Buffer.alloc(12 << 20, 0x3c));
    writeContainerDir(join(m, 'Keys', 'live.000'), containers.live.files);
    rmSync(join(m, 'gone.000'), { recursive: true });
  });
  await resumesLikeWhole('exfat', img, 24 << 20, (r) => expect(names(r)).toEqual(['gone', 'live']));
});

medium(requireTools(...NTFS_TOOLS), 'NTFS', async () => {
  const img = join(t.dir, 'ntfs.img');
  const mnt = join(t.dir, 'mnt-ntfs');
  mkdirSync(mnt);
  execFileSync('truncate', ['-s', '24M', img]);
  execFileSync('mkntfs', ['-F', '-Q', '-q', '-s', '512', '-c', '4096', '-L', 'KEYS', img], { stdio: 'ignore' });
  execFileSync('ntfs-3g', [img, mnt]);
  try {
    writeContainerDir(join(mnt, 'gone.000'), containers.gone.files);
    writeFileSync(join(mnt, 'filler.bin'), Buffer.alloc(12 << 20, 0x3c));
    writeContainerDir(join(mnt, 'Keys', 'live.000'), containers.live.files);
    rmSync(join(mnt, 'gone.000'), { recursive: true });
  } finally {
    execFileSync('fusermount', ['-u', mnt]);
  }
  await resumesLikeWhole('ntfs', img, 24 << 20, (r) => expect(names(r)).toEqual(['gone', 'live']));
});

medium(requireTools(...EIO_TOOLS, 'mkfs.vfat', 'mcopy', 'mmd'), 'a failing drive (nbdkit, real EIO)', async () => {
  const img = join(t.dir, 'sick.img');
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-n', 'SICK', img], { stdio: 'ignore' });
  writeFileSync(join(t.dir, 'filler.bin'), Buffer.alloc(6 << 20, 0x77));
  mtools(img, 'mcopy', join(t.dir, 'filler.bin'), '::/FILLER.BIN');
  for (const [name, c] of Object.entries(containers)) {
    const dir = writeContainerDir(join(t.dir, `${name}.000`), c.files);
    mtools(img, 'mmd', `::/${name}.000`);
    for (const f of Object.keys(c.files)) mtools(img, 'mcopy', join(dir, f), `::/${name}.000/${f}`);
  }
  const bytes = new Uint8Array(readFileSync(img));
  const hurt = Buffer.from(bytes).indexOf(Buffer.from(containers.gone.files['primary.key']!)) / 512;
  const filler = Buffer.from(bytes).indexOf(Buffer.from(Buffer.alloc(512, 0x77))) / 512;
  expect(Number.isInteger(hurt) && hurt > 0 && filler > 0).toBe(true);
  // Bad areas early (in the filler, before the first stop), midway and under a container's file.
  const bad = [filler + 20, filler + 21, filler + 6000, hurt];
  disk = await failingDisk(bytes.length / 512, bad, bytes);
  expect(disk.loop, 'losetup could not attach the FUSE file').toBeTruthy();
  await resumesLikeWhole('eio', disk.loop!, bytes.length, (r) => {
    const report = r.report as { source: { readErrors: { offset: number; length: number }[] }; containers: { name: string; status: string }[] };
    expect(report.source.readErrors.flatMap((e) => Array.from({ length: e.length / 512 }, (_, k) => e.offset / 512 + k))).toEqual([...bad].sort((a, b) => a - b));
    expect(report.containers.find((c) => c.name === 'gone')?.status).toBe('partial');
    expect(report.containers.find((c) => c.name === 'live')?.status).toBe('verified');
  });
});

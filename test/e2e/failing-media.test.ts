/**
 * Issue 7 end to end with real EIO: a FAT image with containers served by nbdkit's ddrescue filter
 * behind nbdfuse (and a read-only loop device over it), with a bad area inside filler and one bad
 * sector inside a container file. Every container away from the damage comes back verified, the
 * damaged one is `partial` with the file named, and readErrors / the written map list exactly the
 * bad sectors.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { EIO_TOOLS, failingDisk, type FailingDisk } from '../source/nbd-fixture.ts';
import { requireTools } from '../helpers/tools.ts';
import { mtools, scanTo, tempDir } from './helpers.ts';
import { scanCommand } from '../../src/cli/scan-command.ts';
import { parseMap } from '../../src/source/ddrescue-map.ts';
import { THREAD_SLOTS } from '../../src/scan/pool.ts';
import type { Report } from '../../src/output/report.ts';

const eio = requireTools(...EIO_TOOLS, 'mkfs.vfat', 'mcopy', 'mmd', 'mdeltree');
const t = tempDir();
const good = makeContainer({ algorithm: 'gost2012-256', seed: 'good', name: 'good' });
const hurt = makeContainer({ algorithm: 'gost2001', seed: 'hurt', name: 'hurt' });
let disk: FailingDisk;
/** The same bytes, the only bad sector inside hurt's primary.key: the first error comes deep. */
let deep: FailingDisk;
let bad: number[] = [];
let hurtSector = -1;

function sectorOf(img: Uint8Array, bytes: Uint8Array): number {
  const i = Buffer.from(img).indexOf(Buffer.from(bytes));
  if (i < 0 || i % 512) throw new Error('file not at a sector start');
  return i / 512;
}

beforeAll(async () => {
  if (!eio.ok) return;
  const img = join(t.dir, 'disk.img');
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-n', 'SICK', img], { stdio: 'ignore' });
  execFileSync('sh', ['-c', `head -c 2000000 /dev/urandom > ${join(t.dir, 'filler.bin')}`]);
  mtools(img, 'mcopy', join(t.dir, 'filler.bin'), '::/FILLER.BIN');
  for (const [name, c] of [['good.000', good], ['hurt.000', hurt]] as const) {
    const dir = writeContainerDir(join(t.dir, name), c.files);
    mtools(img, 'mmd', `::/${name}`);
    for (const f of Object.keys(c.files)) mtools(img, 'mcopy', join(dir, f), `::/${name}/${f}`);
  }
  // Delete after both are written: FAT hands freed clusters to the next file.
  for (const name of ['good.000', 'hurt.000']) mtools(img, 'mdeltree', `::/${name}`);
  const bytes = new Uint8Array(readFileSync(img));
  const filler = sectorOf(bytes, new Uint8Array(readFileSync(join(t.dir, 'filler.bin')).subarray(0, 512)));
  hurtSector = sectorOf(bytes, hurt.files['primary.key']!);
  bad = [filler + 100, filler + 101, filler + 102, filler + 900, hurtSector];
  disk = await failingDisk(bytes.length / 512, bad, bytes);
  deep = await failingDisk(bytes.length / 512, [hurtSector], bytes);
}, 120_000);
afterAll(async () => {
  await disk?.close();
  await deep?.close();
});

function expectRanges(report: Report, exact: boolean) {
  const sectors = report.source.readErrors.flatMap((r) => Array.from({ length: r.length / 512 }, (_, k) => r.offset / 512 + k));
  if (exact) expect(sectors).toEqual([...bad].sort((a, b) => a - b));
  else {
    // Buffered reads through FUSE fail whole read-ahead pages: a superset, still small.
    for (const b of bad) expect(sectors).toContain(b);
    expect(sectors.length).toBeLessThan(bad.length * 16);
  }
}

function expectContainers(report: Report) {
  const g = report.containers.find((c) => c.dir === 'containers/good.000')!;
  expect(g.status).toBe('verified');
  const h = report.containers.find((c) => c.dir.startsWith('containers/hurt'))!;
  expect(h).toBeDefined();
  expect(h.status).toBe('partial');
  expect(h.problems.join('\n')).toMatch(/primary\.key.*unreadable/);
}

eio.describe('scan of a failing drive', () => {
  it('through the loop device (O_DIRECT): exact bad sectors, containers recovered or named damaged', async () => {
    expect(disk.loop, 'losetup could not attach the FUSE file').toBeTruthy();
    const { report } = await scanTo(disk.loop!, join(t.dir, 'out-loop'), { retries: 1 });
    if (process.env.DEBUG_EIO) console.log(JSON.stringify({ c: report.containers.map((c) => [c.dir, c.status, c.problems, c.files]), s: report.stats, e: report.source }, null, 1));
    expectRanges(report, true);
    expectContainers(report);
  });

  it('through the FUSE file, writing a ddrescue map that lists exactly the bad sectors', async () => {
    const map = join(t.dir, 'scan.map');
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect(await scanCommand(disk.file, { out: join(t.dir, 'out-fuse'), password: [], map, quiet: true }, io)).toBe(0);
    const report = JSON.parse(readFileSync(join(t.dir, 'out-fuse/report.json'), 'utf8')) as Report;
    expectRanges(report, false);
    expectContainers(report);
    const m = parseMap(readFileSync(map, 'utf8'));
    expect(m.unreadRanges().map((r) => [r.offset / 512, r.length / 512])).toEqual(
      report.source.readErrors.map((r) => [r.offset / 512, r.length / 512]),
    );
  });

  it('with one job, whose chunks are read keeping only what is carved: a first error deep in the medium loses nothing else', async () => {
    // 416 KiB chunks: those in flight before the partition table is known are read whole, the one
    // with the bad sector sparsely, which hands over to the tolerant reader at the error: its first
    // piece (256 KiB) tested, the second not.
    const page = 416 * 1024;
    const { report } = await scanTo(deep.file, join(t.dir, 'out-deep'), { jobs: 1, page });
    const sectors = report.source.readErrors.flatMap((r) => Array.from({ length: r.length / 512 }, (_, k) => r.offset / 512 + k));
    expect(sectors).toContain(hurtSector);
    expect(sectors.length).toBeLessThan(16); // a buffered read fails its whole page
    expect(hurtSector * 512).toBeGreaterThan(THREAD_SLOTS * page);
    expect((hurtSector * 512) % page).toBeGreaterThan(256 * 1024);
    expectContainers(report);
    // The same as two workers find, which read every byte of their chunks.
    const { report: whole } = await scanTo(deep.file, join(t.dir, 'out-deep-workers'), { jobs: 2, page });
    expect(report.stats.candidatesByKind).toEqual(whole.stats.candidatesByKind);
    expect(report.source.readErrors).toEqual(whole.source.readErrors);
    expect(report.containers.map((c) => [c.dir, c.status])).toEqual(whole.containers.map((c) => [c.dir, c.status]));
  });

  it('a scan of the good image with that map reports the container on unread sectors as damaged', async () => {
    const img = join(t.dir, 'disk.img');
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect(await scanCommand(img, { out: join(t.dir, 'out-map'), password: [], map: join(t.dir, 'scan.map'), quiet: true }, io)).toBe(0);
    const report = JSON.parse(readFileSync(join(t.dir, 'out-map/report.json'), 'utf8')) as Report;
    expectContainers(report);
  });
});

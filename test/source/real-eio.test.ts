// Real EIO from a "drive" (nbdkit ddrescue filter) through FUSE and a loop device: see nbd-fixture.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openSource } from '../../src/source/open.ts';
import { openDevice, type RawDevice } from '../../src/source/device.ts';
import { loadNative } from '../../src/native.ts';
import { sysfsGeometry } from '../../src/source/native.ts';
import { parseMap } from '../../src/source/ddrescue-map.ts';
import { imageCommand } from '../../src/cli/image.ts';
import { imageDevice } from '../../src/image/image-device.ts';
import { isOnDevice } from '../../src/source/same-device.ts';
import { requireTools } from '../helpers/tools.ts';
import { EIO_TOOLS, failingDisk, SS, type FailingDisk } from './nbd-fixture.ts';

const SECTORS = 16384; // 8 MiB
const BAD = [2048, 2052, 2053, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 12001, SECTORS - 1];
const badRanges = () => {
  const out: { offset: number; length: number }[] = [];
  for (const s of BAD) {
    const last = out[out.length - 1];
    if (last && last.offset + last.length === s * SS) last.length += SS;
    else out.push({ offset: s * SS, length: SS });
  }
  return out;
};
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;
const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
const eio = requireTools(...EIO_TOOLS);
/** GNU ddrescue, the reference the map format and the bad-sector list are checked against. */
const gnu = requireTools('ddrescue', 'ddrescuelog');
/** Printed once at the end: the numbers for the closing note. */
const numbers: string[] = [];

eio.describe('real EIO through nbdkit + nbdfuse + loop', () => {
  let disk: FailingDisk;
  let loop: string;
  let expected: Uint8Array;

  beforeAll(async () => {
    disk = await failingDisk(SECTORS, BAD);
    if (!disk.loop) throw new Error('losetup failed');
    loop = disk.loop;
    expected = disk.image.slice();
    for (const s of BAD) expected.fill(0, s * SS, (s + 1) * SS);
    disk.readsSinceLastCall();
  });
  afterAll(async () => {
    await disk?.close();
    if (numbers.length) console.log(numbers.join('\n'));
  });

  /** Histogram of per-sector device reads over good and bad sectors. */
  function histogram(counts: Uint16Array) {
    const good = new Map<number, number>();
    const bad = new Map<number, number>();
    counts.forEach((c, s) => {
      const h = BAD.includes(s) ? bad : good;
      h.set(c, (h.get(c) ?? 0) + 1);
    });
    const fmt = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${n}×${c}`).join(' ');
    return { good, bad, text: `good sectors ${fmt(good)}; bad sectors ${fmt(bad)}` };
  }

  it('O_DIRECT tolerant read returns exactly the bad sectors; other good sectors are read once', async () => {
    expect(loadNative()).not.toBeNull();
    const src = await openSource(loop, { direct: true, maxRead: 1 << 20, countPerSector: true });
    expect(src.device.direct).toBe(true);
    const out = new Uint8Array(src.size);
    const bad = [];
    for (let off = 0; off < src.size; off += 8 << 20) bad.push(...(await src.read(off, out.subarray(off, off + (8 << 20)))).bad);
    await src.close();
    expect(bad).toEqual(badRanges());
    expect(same(out, expected)).toBe(true);
    const drive = histogram(disk.readsSinceLastCall());
    // Requests without a bad sector reach the drive once; after the first failure reads stay at
    // 64 KiB for 8 MiB, so later bad spots cost a 64 KiB piece, not 1 MiB: most sectors read once.
    expect(drive.good.get(1)).toBeGreaterThanOrEqual(13_000);
    expect([...drive.good.keys()].every((c) => c >= 1 && c <= 3)).toBe(true);
    numbers.push(`keycarve tolerant read (O_DIRECT, 1 MiB requests, 64 KiB split): lost ${src.stats.bytesLost} bytes = ${src.stats.bytesLost / BAD.length} per bad sector; drive reads per sector: ${drive.text}; requests ${src.stats.reads}`);
  });

  it('buffered reads misreport: whole pages around each bad sector fail', async () => {
    const src = await openSource(loop, { direct: false });
    expect(src.device.direct).toBe(false);
    const out = new Uint8Array(src.size);
    const { bad } = await src.read(0, out);
    await src.close();
    const lost = bad.reduce((n, r) => n + r.length, 0);
    for (const r of badRanges()) expect(bad.some((b) => b.offset <= r.offset && b.offset + b.length >= r.offset + r.length)).toBe(true);
    expect(lost).toBeGreaterThan(BAD.length * SS);
    numbers.push(`buffered tolerant read: lost ${lost} bytes = ${lost / BAD.length} per bad sector`);
    disk.readsSinceLastCall();
  });

  it('the sysfs fallback gives the same geometry as the ioctls', async () => {
    const viaIoctl = await openDevice(loop, { exclusive: false });
    const viaSysfs = await openDevice(loop, { exclusive: false, native: false, direct: false });
    expect([viaSysfs.size, viaSysfs.sectorSize]).toEqual([viaIoctl.size, viaIoctl.sectorSize]);
    expect([viaSysfs.size, viaSysfs.sectorSize]).toEqual([SECTORS * SS, 512]);
    const st = await stat(loop);
    expect(await sysfsGeometry(st.rdev)).toEqual({ size: SECTORS * SS, sectorSize: 512, via: 'sysfs' });
    await viaIoctl.close();
    await viaSysfs.close();
  });

  it('without the addon (KEYCARVE_NO_NATIVE=1): sysfs geometry, buffered reads, still every bad sector', async () => {
    const script = fileURLToPath(new URL('./fixtures/geometry.ts', import.meta.url));
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', script, loop], { encoding: 'utf8', env: { ...process.env, ...env } });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { native: boolean; size: number; sectorSize: number; direct: boolean; bad: { offset: number; length: number }[] };
    };
    const without = run({ KEYCARVE_NO_NATIVE: '1' });
    const withAddon = run({});
    expect(without).toMatchObject({ native: false, size: SECTORS * SS, sectorSize: 512, direct: false });
    expect(withAddon).toMatchObject({ native: true, size: SECTORS * SS, sectorSize: 512, direct: true, bad: badRanges() });
    for (const r of badRanges()) expect(without.bad.some((b) => b.offset <= r.offset && b.offset + b.length >= r.offset + r.length)).toBe(true);
    disk.readsSinceLastCall();
  });

  it('a second exclusive open is refused with one line', async () => {
    const first = await openSource(loop);
    const err = await openSource(loop).catch((e: unknown) => e as Error);
    await first.close();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^cannot open \/dev\/loop\d+: device is busy: .*$/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('isOnDevice: a file on the FUSE mount is not on the loop device; the device itself is', async () => {
    expect(await isOnDevice(join(disk.dir, 'out.img'), loop)).toBe(false);
    expect(await isOnDevice(loop, loop)).toBe(true);
  });

  it('image: good bytes + a map with exactly the bad sectors, readable by ddrescuelog', async () => {
    disk.readsSinceLastCall();
    const img = join(disk.dir, 'kc.img');
    const map = join(disk.dir, 'kc.map');
    expect(await imageCommand(loop, img, { map, retries: 1 }, quiet)).toBe(0);
    const drive = histogram(disk.readsSinceLastCall());
    expect(same(await readFile(img), expected)).toBe(true);
    const m = parseMap(await readFile(map, 'utf8'), SECTORS * SS);
    expect(m.unreadRanges()).toEqual(badRanges());
    numbers.push(`keycarve image: drive reads per sector: ${drive.text}`);
  });

  gnu.it('GNU ddrescuelog reads the map keycarve image wrote', () => {
    const map = join(disk.dir, 'kc.map');
    // -l- lists bad-sector block numbers, -t summarises
    const listed = execFileSync('ddrescuelog', ['-b512', '-l-', map], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(listed).toEqual(BAD);
    execFileSync('ddrescuelog', ['-t', map], { encoding: 'utf8' });
  });

  it('an interrupted image resumes to the same bytes and the same map', async () => {
    const img = join(disk.dir, 'resumed.img');
    const map = join(disk.dir, 'resumed.map');
    const ac = new AbortController();
    const dev = await openDevice(loop);
    let n = 0;
    const stopping: RawDevice = Object.assign(Object.create(dev) as RawDevice, {
      pread: (into: Uint8Array, off: number) => {
        if (++n === 5) ac.abort(); // stop in the middle of the copy pass
        return dev.pread(into, off);
      },
    });
    const first = await imageDevice(stopping, img, { map, retries: 1, signal: ac.signal });
    await dev.close();
    expect(first.completed).toBe(false);
    expect(parseMap(await readFile(map, 'utf8')).bytesWith('?')).toBeGreaterThan(0);
    expect(await imageCommand(loop, img, { map, retries: 1 }, quiet)).toBe(0);
    expect(same(await readFile(img), expected)).toBe(true);
    expect(parseMap(await readFile(map, 'utf8')).unreadRanges()).toEqual(badRanges());
  });

  it('SIGINT during image saves the map; rerunning resumes to the same bytes', async () => {
    const img = join(disk.dir, 'sigint.img');
    const map = join(disk.dir, 'sigint.map');
    const runner = fileURLToPath(new URL('./fixtures/image-sigint.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', runner, loop, img, map, '40'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/interrupted, map saved .* run the same command to resume/);
    const half = parseMap(await readFile(map, 'utf8'), SECTORS * SS);
    expect(half.bytesWith('+')).toBeGreaterThan(0);
    expect(half.bytesWith('?')).toBeGreaterThan(0);
    expect(await imageCommand(loop, img, { map, retries: 1 }, quiet)).toBe(0);
    expect(same(await readFile(img), expected)).toBe(true);
  });

  gnu.it('GNU ddrescue on the same failing drive finds the same bad sectors', async () => {
    disk.readsSinceLastCall();
    const img = join(disk.dir, 'gnu.img');
    const map = join(disk.dir, 'gnu.map');
    execFileSync('ddrescue', ['-d', '-b512', '-r1', '-q', loop, img, map], { stdio: 'ignore' });
    const drive = histogram(disk.readsSinceLastCall());
    const listed = execFileSync('ddrescuelog', ['-b512', '-l-', map], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(listed).toEqual(BAD);
    // ddrescue never extends its output over a bad tail sector: compare what it wrote, the rest is zero
    const gnu = await readFile(img);
    const ours = await readFile(join(disk.dir, 'kc.img'));
    expect(same(gnu, ours.subarray(0, gnu.length))).toBe(true);
    expect(ours.subarray(gnu.length).every((b) => b === 0)).toBe(true);
    numbers.push(`GNU ddrescue -d -r1: lost ${listed.length * SS} bytes = ${SS} per bad sector; drive reads per sector: ${drive.text}`);
  });
});

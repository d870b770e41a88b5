import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFat } from '../../../src/fs/fat/index.ts';
import { parseFatBoot } from '../../../src/fs/fat/boot.ts';
import { parseDirEntries } from '../../../src/layout/fat-dir-entry.ts';
import { filesFromOrphanDirs } from '../../../src/fs/fat/orphans.ts';
import { fatDirCarver } from '../../../src/carve/fat-dir.ts';
import { MemorySource } from '../../../src/source/memory.ts';
import { fatTools, run, tmp, writeTempFile } from './images.ts';

const mem = (b: Uint8Array) => new MemorySource(b).media();
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

let t: ReturnType<typeof tmp>;
let base: Uint8Array;
// FAT16 image: /DIR1/FILE.BIN (3 clusters), /A.BIN
let geo: { fatAt: number; rootAt: number; dataStart: number; cs: number };

const fat16 = (img: Uint8Array, c: number, v: number) => {
  dv(img).setUint16(geo.fatAt + 2 * c, v, true);
};
const rootSlot = (img: Uint8Array, name: string) => {
  for (let o = geo.rootAt; o < geo.dataStart; o += 32)
    if (String.fromCharCode(...img.subarray(o, o + 11)) === name) return o;
  throw new Error(name);
};

fatTools.describe('FAT bad input: bounded work, recorded problem, no crash', () => {
  beforeAll(() => {
    t = tmp();
    const img = join(t.dir, 'bad.img');
    run('mkfs.vfat', ['-C', '-F', '16', '-s', '1', img, '8192']);
    run('mmd', ['-i', img, '::DIR1']);
    run('mcopy', ['-i', img, writeTempFile(t.dir, 'FILE.BIN', new Uint8Array(1500).fill(7)), '::DIR1/FILE.BIN']);
    run('mcopy', ['-i', img, writeTempFile(t.dir, 'A.BIN', new Uint8Array(100).fill(9)), '::A.BIN']);
    base = new Uint8Array(readFileSync(img));
    const b = parseFatBoot(base.subarray(0, 512), 0);
    if (typeof b === 'string') throw new Error(b);
    geo = { fatAt: b.reservedSectors * 512, rootAt: b.rootDirOffset, dataStart: b.dataStart, cs: b.clusterSize };
  });
  afterAll(() => t?.cleanup());

  it('baseline walks', async () => {
    const r = await analyseFat(mem(base), 0);
    expect(r!.files.map((f) => `${f.parentPath}|${f.name}|${f.confirmed}`).sort()).toEqual(['/DIR1|FILE.BIN|true', '/|A.BIN|true']);
  });

  it('FAT cycle in a live file chain (both copies)', async () => {
    const img = base.slice();
    const start = dv(img).getUint16(rootSlot(img, 'DIR1       ') + 26, true);
    // FILE.BIN is the first entry after . and .. in DIR1's cluster.
    const fileStart = dv(img).getUint16(geo.dataStart + (start - 2) * geo.cs + 64 + 26, true);
    fat16(img, fileStart + 1, fileStart); // second cluster points back at the first
    dv(img).setUint16(geo.fatAt + (dv(img).getUint16(22, true) * 512) + 2 * (fileStart + 1), fileStart, true);
    const r = await analyseFat(mem(img), 0);
    expect(r!.problems.some((p) => /cycle/.test(p.what))).toBe(true);
    expect(r!.files.find((f) => f.name === 'FILE.BIN')!.confirmed).toBe(false);
  });

  it('cluster numbers past the end', async () => {
    const img = base.slice();
    dv(img).setUint16(rootSlot(img, 'A       BIN') + 26, 0xfff0, true);
    dv(img).setUint16(rootSlot(img, 'DIR1       ') + 26, 0xfff0, true);
    const r = await analyseFat(mem(img), 0);
    expect(r!.problems.some((p) => /out of range/.test(p.what))).toBe(true);
    expect(r!.files.find((f) => f.name === 'A.BIN')!.extents).toEqual([]);
  });

  it('directory loop (subdirectory pointing at itself, deleted one pointing at its parent)', async () => {
    const img = base.slice();
    const dir1 = dv(img).getUint16(rootSlot(img, 'DIR1       ') + 26, true);
    const at = geo.dataStart + (dir1 - 2) * geo.cs + 96; // after ., .., FILE.BIN
    img.set(Array.from('LOOP       ', (c) => c.charCodeAt(0)), at);
    img[at + 11] = 0x10;
    dv(img).setUint16(at + 26, dir1, true);
    img.set(Array.from('\xe5OOP2      ', (c) => c.charCodeAt(0)), at + 32);
    img[at + 43] = 0x10;
    dv(img).setUint16(at + 32 + 26, dir1, true);
    const r = await analyseFat(mem(img), 0);
    expect(r!.problems.some((p) => /loop/.test(p.what))).toBe(true);
    expect(r!.files.filter((f) => f.name === 'FILE.BIN').length).toBe(1);
  });

  it('absurd boot-sector values', async () => {
    const cases: [number, number, number][] = [
      [11, 2, 3], [13, 1, 0], [13, 1, 3], [14, 2, 0], [16, 1, 0], [16, 1, 200], [19, 2, 0], [22, 2, 0xffff], [17, 2, 0],
    ];
    for (const [off, w, v] of cases) {
      const img = base.slice();
      if (w === 1) img[off] = v;
      else dv(img).setUint16(off, v, true);
      if (off === 19 && v === 0) dv(img).setUint32(32, 0xffffffff, true);
      const src = new MemorySource(img);
      const res = await analyseFat(src.media(), 0);
      if (res) expect(res.problems.length).toBeGreaterThan(0);
      expect(src.requests.length).toBeLessThan(200);
    }
  });

  it('random corruption of metadata never throws', async () => {
    let seed = 99;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const metaEnd = geo.dataStart + 16 * geo.cs;
    for (let k = 0; k < 150; k++) {
      const img = base.slice();
      for (let j = 0; j < 40; j++) img[(k % 3 === 0 ? 11 + rnd(50) : rnd(metaEnd))] = rnd(256);
      const src = new MemorySource(img);
      await analyseFat(src.media(), 0);
      expect(src.requests.length).toBeLessThan(5000);
    }
  });
});

describe('FAT directory code on garbage', () => {
  it('directory parser, orphan inference and carver are total on garbage', async () => {
    let seed = 5;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let k = 0; k < 100; k++) {
      const b = Uint8Array.from({ length: 4096 }, rnd);
      b.set(Array.from('.          ', (c) => c.charCodeAt(0)));
      b[11] = 0x10;
      parseDirEntries(b);
      fatDirCarver.carve({ base: 0, bytes: b, page: b.length }, 0);
      await filesFromOrphanDirs([{ kind: 'fat-dir', offset: 512 * k, bytes: b, checks: [] }], mem(b));
    }
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFat } from '../../../src/fs/fat/index.ts';
import { filesFromOrphanDirs } from '../../../src/fs/fat/orphans.ts';
import { fatDirCarver } from '../../../src/carve/fat-dir.ts';
import { findVolumes } from '../../../src/fs/partitions.ts';
import {
  buildFat12Plain, buildFat16Plain, buildFat32HighWord, buildFat32Plain, buildFragmented, buildMbrTwo, buildQuickFormat, type BuiltImage,
} from './build.ts';
import { bytesOf, carveImage, checkContainers, fatTools, fileReader, patch, peekBytes, tmp } from './images.ts';

let t: ReturnType<typeof tmp>;
beforeAll(() => {
  t = tmp();
});
afterAll(() => t?.cleanup());

async function analyse(img: BuiltImage, orphans = false) {
  const r = fileReader(img.path);
  try {
    const orphanDirs = orphans ? await carveImage(r, fatDirCarver) : undefined;
    const res = await analyseFat(r, img.offset, orphanDirs ? { orphanDirs } : {});
    expect(res).not.toBeNull();
    const fails = await checkContainers(r, res!.files, img.expects);
    return { res: res!, fails, r };
  } finally {
    r.close();
  }
}

fatTools.describe('FAT deleted containers come back bit-exact with names', () => {
  it('FAT12 floppy: plain delete, long-name restore, live container', async () => {
    const img = buildFat12Plain(t.dir);
    const { res, fails } = await analyse(img);
    expect(fails).toEqual([]);
    expect(res.volume.type).toBe('fat12');
    const hdr = res.files.find((f) => f.parentName === '_bcdefgh.000' && f.name === 'header.key')!;
    expect(hdr.deleted).toBe(true);
    expect(hdr.evidence).toBe('fat-entry');
    expect(hdr.parentPath).toBe('/_bcdefgh.000');
    expect(res.files.find((f) => f.parentName === 'live0001.000')!.deleted).toBe(false);
  });

  it('FAT16: containers deleted inside a Cyrillic folder', async () => {
    const img = buildFat16Plain(t.dir);
    const { res, fails } = await analyse(img);
    expect(fails).toEqual([]);
    expect(res.volume.type).toBe('fat16');
    expect(res.files.find((f) => f.parentName === 'Zakupki.000')!.parentPath).toBe('/Клиенты/Zakupki.000');
  });

  it('FAT32: plain delete', async () => {
    const img = buildFat32Plain(t.dir);
    const { res, fails } = await analyse(img);
    expect(fails).toEqual([]);
    expect(res.volume.type).toBe('fat32');
  });

  it('FAT32: Windows-style cleared high word, clusters above 65535', async () => {
    const img = buildFat32HighWord(t.dir);
    const { res, fails } = await analyse(img);
    expect(fails).toEqual([]);
    // The clusters really are above 65535 (else the test proves nothing).
    const hdr = res.files.find((f) => f.parentName === 'Petrov-Key.000' && f.name === 'header.key')!;
    const dataStart = hdr.extents[0]!.offset;
    expect(dataStart).toBeGreaterThan(65536 * 512);
    // Nothing unconfirmed is given bytes.
    for (const f of res.files) if (!f.confirmed) expect(f.extents).toEqual([]);
  });

  it('FAT12 512-byte clusters: fragmented header.key (hole kept allocated, hole freed later)', async () => {
    const img = buildFragmented(t.dir);
    const { res, fails } = await analyse(img);
    expect(fails).toEqual([]);
    const h1 = res.files.find((f) => f.parentName === '_rag0001.000' && f.name === 'header.key')!;
    const h2 = res.files.find((f) => f.parentName === '_rag0002.000' && f.name === 'header.key')!;
    expect(h1.extents.length).toBe(2);
    expect(h2.extents.length).toBe(2);
  });

  it('quick format: container folders found as orphan directories (volume geometry)', async () => {
    const img = buildQuickFormat(t.dir);
    const { res, fails, r } = await analyse(img, true);
    expect(fails).toEqual([]);
    const abc = res.files.filter((f) => f.parentName === 'abcdefgh.000');
    expect(abc.every((f) => f.evidence === 'orphan-dir')).toBe(true);
    // The root container's folder name went with the root directory; its files still come back.
    const r2 = fileReader(img.path);
    try {
      const rootFiles = res.files.filter((f) => f.parentName === null && f.evidence === 'orphan-dir');
      const keys = new Set(rootFiles.map((f) => f.folderKey));
      expect(keys.size).toBe(1);
      for (const [n, want] of Object.entries(img.rootContainer)) {
        const f = rootFiles.find((x) => x.name === n)!;
        expect(f.confirmed).toBe(true);
        expect(Buffer.from((await bytesOf(r2, f))!)).toEqual(Buffer.from(want));
      }
      // Without any geometry: inferred from the `.` entries and key-file shapes.
      const dirs = await carveImage(r2, fatDirCarver);
      const o = await filesFromOrphanDirs(dirs, r2);
      expect(await checkContainers(r2, o.files, img.expects)).toEqual([]);
    } finally {
      r2.close();
    }
  });

  it('MBR with a primary and a logical partition', async () => {
    const imgs = buildMbrTwo(t.dir);
    const r = fileReader(imgs[0]!.path);
    const v = await findVolumes(r);
    r.close();
    expect(v.volumes.map((x) => [x.offset, x.foundBy])).toEqual([
      [2048 * 512, 'mbr'],
      [38912 * 512, 'mbr'],
    ]);
    for (const img of imgs) {
      const { res, fails } = await analyse(img);
      expect(fails).toEqual([]);
      expect(res.volume.offset).toBe(img.offset);
    }
  });

  it('FAT32 with sector 0 wiped: backup boot sector; FAT16 with FAT #1 wiped: second copy', async () => {
    const src = buildFat32Plain(t.dir);
    const img = join(t.dir, 'nobs.img');
    copyFileSync(src.path, img);
    patch(img, 0, new Uint8Array(512));
    const r = fileReader(img);
    const v = await findVolumes(r);
    expect(v.volumes[0]?.foundBy).toBe('backup-boot');
    const res = await analyseFat(r, 0);
    expect(res?.volume.foundBy).toBe('backup-boot');
    expect(await checkContainers(r, res!.files, src.expects)).toEqual([]);
    r.close();

    const f12 = buildFat12Plain(t.dir);
    const bs = peekBytes(f12.path, 0, 512);
    const reserved = bs[14]! | (bs[15]! << 8);
    const fatSectors = bs[22]! | (bs[23]! << 8);
    patch(f12.path, reserved * 512, new Uint8Array(fatSectors * 512));
    const r2 = fileReader(f12.path);
    const res2 = await analyseFat(r2, 0);
    expect(res2!.problems.some((p) => /second copy/.test(p.what))).toBe(true);
    expect(await checkContainers(r2, res2!.files, f12.expects)).toEqual([]);
    r2.close();
  });
});

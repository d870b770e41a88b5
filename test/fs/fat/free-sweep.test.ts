/**
 * A quick scan's read of free clusters (src/fs/fat-common/free-sweep.ts, src/fs/fat/free-sweep.ts), on the bench image's case made
 * small with mkfs.vfat and mtools: a container folder deleted, its entry in the root then taken by
 * later files, so no directory reaches it; only its own cluster, free now, still lists the files.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fatDirCarver } from '../../../src/carve/fat-dir.ts';
import { readFatBoot } from '../../../src/fs/fat/boot.ts';
import { sweepFreeClusters } from '../../../src/fs/fat-common/free-sweep.ts';
import { fatSweep } from '../../../src/fs/fat/free-sweep.ts';
import { analyseFat } from '../../../src/fs/fat/index.ts';
import { readFatTable } from '../../../src/fs/fat/table.ts';
import { scan } from '../../../src/run/scan-run.ts';
import { FaultySource, MemorySource } from '../../../src/source/memory.ts';
import { bytesOf, carveImage, CONTAINERS, fatTools, fileReader, mcopyDir, run, tmp } from './images.ts';

let t: ReturnType<typeof tmp>;
let img: string;
beforeAll(() => {
  if (!fatTools.ok) return;
  t = tmp();
  img = join(t.dir, 'orphaned.img');
  run('truncate', ['-s', '40M', img]);
  run('mkfs.vfat', ['-F', '32', '-n', 'ORPHANS', img]);
  mcopyDir(img, CONTAINERS.srv, '/srvkeys.000');
  run('mdeltree', ['-i', img, '::/srvkeys.000']);
  for (let i = 0; i < 4; i++) {
    const f = join(t.dir, `doc${i}.txt`);
    writeFileSync(f, `invoice ${i}\n`.repeat(500));
    run('mcopy', ['-i', img, f, `::/DOC${i}.TXT`]);
  }
});
afterAll(() => t?.cleanup());

const keyFiles = <T extends { name: string }>(files: readonly T[]) => files.filter((f) => f.name.endsWith('.key'));

fatTools.describe('free-cluster sweep for orphaned folders', () => {
  fatTools.it('brings back the folder no directory reaches, every file whole', async () => {
    const r = fileReader(img);
    try {
      // The construction holds: the walk alone finds none of the key files.
      expect(keyFiles((await analyseFat(r, 0))!.files)).toEqual([]);
      const got = (await analyseFat(r, 0, { freeSweep: 256 << 20 }))!;
      const found = keyFiles(got.files);
      expect(found.map((f) => f.name).sort()).toEqual(Object.keys(CONTAINERS.srv).sort());
      for (const f of found) {
        expect(f.evidence).toBe('orphan-dir');
        expect(Buffer.from((await bytesOf(r, f))!).equals(CONTAINERS.srv[f.name as keyof typeof CONTAINERS.srv]!), f.name).toBe(true);
      }
      expect(got.problems.filter((p) => p.what.startsWith('quick scan'))).toEqual([]);
    } finally {
      r.close();
    }
  });

  fatTools.it("finds the folders the pass's carver finds in free clusters, and stops at its budget saying so", async () => {
    const r = fileReader(img);
    try {
      const boot = (await readFatBoot(r, 0, []))!.boot;
      const table = await readFatTable(r, boot, []);
      // nextFree / nextUsed agree with isFree cluster by cluster.
      const last = boot.clusterCount + 1;
      const ref = (c: number, end: number, free: boolean) => {
        while (c <= end && table.isFree(c) !== free) c++;
        return c;
      };
      for (let c = 2; c <= last; c += 13) {
        expect(table.nextFree(c, last)).toBe(ref(c, last, true));
        expect(table.nextUsed(c, last)).toBe(ref(c, last, false));
        expect(table.nextUsed(c, Math.min(last, c + 5))).toBe(ref(c, Math.min(last, c + 5), false));
      }
      const all = await sweepFreeClusters(r, fatSweep(boot, table), 256 << 20);
      expect(all.cut).toBe(false);
      const inFree = (offset: number) => table.isFree((offset - boot.dataStart) / boot.clusterSize + 2);
      const carved = (await carveImage(r, fatDirCarver)).filter((c) => c.bytes[0] === 0x2e && (c.offset - boot.dataStart) % boot.clusterSize === 0 && inFree(c.offset));
      expect(all.dirs.map((d) => d.offset)).toEqual(carved.map((c) => c.offset));
      expect(all.dirs.length).toBe(1);

      const some = await sweepFreeClusters(r, fatSweep(boot, table), 1 << 20);
      expect(some).toMatchObject({ cut: true, swept: 1 << 20 });
      const note = (await analyseFat(r, 0, { freeSweep: 1 << 20 }))!.problems.map((p) => p.what);
      expect(note).toContain('quick scan: orphaned folders looked for in the first 1 MiB of free space only; a full scan reads it all');

      // A truncated image: the sweep reads up to its end, not past it (and the folder near the start is still found).
      const size = 20 << 20;
      const cut = { size, read: (o: number, l: number) => (o + l > size ? Promise.resolve(null) : r.read(o, l)) };
      const part = await sweepFreeClusters(cut, fatSweep(boot, table), 256 << 20);
      expect(part.cut).toBe(false);
      let inside = 0;
      for (let c = 2; boot.dataStart + (c - 1) * boot.clusterSize <= size; c++) if (table.isFree(c)) inside += boot.clusterSize;
      expect(part.swept).toBe(inside);
      expect(part.swept).toBeLessThan(all.swept);
      expect(part.dirs.map((d) => d.offset)).toEqual(all.dirs.map((d) => d.offset));
    } finally {
      r.close();
    }
  });

  fatTools.it('a volume whose free clusters all pose as folders: the sweep keeps a bounded number and says it stopped', async () => {
    const bytes = new Uint8Array(readFileSync(img));
    const r = fileReader(img);
    const boot = (await readFatBoot(r, 0, []))!.boot;
    const table = await readFatTable(r, boot, []);
    r.close();
    // Every free cluster's first two slots made `.` (naming that cluster) and `..`.
    let posing = 0;
    for (let c = table.nextFree(2, boot.clusterCount + 1); c <= boot.clusterCount + 1; c = table.nextFree(c + 1, boot.clusterCount + 1)) {
      const at = boot.dataStart + (c - 2) * boot.clusterSize;
      bytes.set(Uint8Array.from('.          ', (ch) => ch.charCodeAt(0)), at);
      bytes.set(Uint8Array.from('..         ', (ch) => ch.charCodeAt(0)), at + 32);
      bytes[at + 11] = bytes[at + 43] = 0x10;
      bytes.set([c & 0xff, (c >> 8) & 0xff], at + 26);
      bytes.set([(c >> 16) & 0xff, (c >> 24) & 0xff], at + 20);
      posing++;
    }
    expect(posing).toBeGreaterThan(1000);
    const media = new MemorySource(bytes).media();
    const capped = await sweepFreeClusters(media, fatSweep(boot, table), 256 << 20, undefined, 500);
    expect(capped.dirs.length).toBe(500);
    expect(capped.cut).toBe(true);
    expect((await sweepFreeClusters(media, fatSweep(boot, table), 256 << 20)).dirs.length).toBe(posing);
  });

  fatTools.it('on a failing drive, a bad sector in the free run costs what it holds, not the folder beside it', async () => {
    const bytes = new Uint8Array(readFileSync(img));
    const r = fileReader(img);
    const boot = (await readFatBoot(r, 0, []))!.boot;
    const table = await readFatTable(r, boot, []);
    const dir = (await sweepFreeClusters(r, fatSweep(boot, table), 256 << 20)).dirs[0]!;
    r.close();
    // The last cluster of the folder's free run (its files follow it, then the later files): the
    // same piece as the folder's own cluster.
    const dirCluster = (dir.offset - boot.dataStart) / boot.clusterSize + 2;
    let badCluster = dirCluster;
    while (table.isFree(badCluster + 1) && (badCluster + 1 - dirCluster) * boot.clusterSize < 1 << 20) badCluster++;
    expect(badCluster).toBeGreaterThan(dirCluster);
    const bad = [{ offset: boot.dataStart + (badCluster - 2) * boot.clusterSize, length: 512 }];
    const { report } = await scan({ source: 'failing.img', out: join(t.dir, 'out-failing'), quick: true, sourceOverride: new FaultySource(bytes, bad, { blockDevice: true }) });
    expect(report.containers.some((x) => x.evidence.includes('orphan-dir'))).toBe(true);
    expect(report.source.readErrors).toEqual(bad);
    expect(report.stats.bytesLost).toBe(512);
  });
});

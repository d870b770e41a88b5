/**
 * The FAT chain walk yields runs of consecutive clusters: on an mkfs.vfat FAT32 image whose FAT
 * entries are patched into fragmented, cyclic, broken and over-long chains, the runs, counts and
 * reasons are what a cluster-by-cluster reading of the same entries gives; a chain broken in the
 * first copy comes from the second. runsToExtents equals the per-cluster merge it replaced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFatBoot } from '../../../src/fs/fat/boot.ts';
import { readFatTable, type FatTable } from '../../../src/fs/fat/table.ts';
import { clusterOffset, clusterRuns, runsToExtents, type ClusterGeometry } from '../../../src/fs/fat-common/clusters.ts';
import type { FsProblem } from '../../../src/fs/types.ts';
import { fatTools, fileReader, patch, run, tmp } from './images.ts';

const t = tmp('kc-fat-table-');
afterAll(t.cleanup);

const END = 0x0fffffff;
/** cluster → next, written into both FAT copies unless `firstOnly`. */
const CHAINS: [number, number][] = [
  // A: fragmented, with a backward jump: 10 11 12 | 20 21 | 5 6
  [10, 11], [11, 12], [12, 20], [20, 21], [21, 5], [5, 6], [6, END],
  // B: a cycle 30 → 31 → 32 → 30
  [30, 31], [31, 32], [32, 30],
  // C: into a free entry; D: into a bad-cluster mark
  [40, 41], [41, 0],
  [50, 51], [51, 0x0ffffff7],
  // E: 60 … 69 contiguous
  ...Array.from({ length: 10 }, (_, i): [number, number] => [60 + i, i === 9 ? END : 61 + i]),
  // F: the top 4 bits of a FAT32 entry are reserved: 70 → 71 with them set
  [70, 0xf0000047], [71, END],
  // G: out of range
  [80, 0x0ffffff0],
  // H: 120 121 122 | 110 … 119, then 120 again: a cycle into an earlier run, met inside a run
  [120, 121], [121, 122], [122, 110],
  ...Array.from({ length: 10 }, (_, i): [number, number] => [110 + i, 111 + i]),
];
/** Broken in the first copy only: 90 → 91 → 92 there reads 91 → free. */
const SECOND_ONLY: [number, number][] = [[90, 91], [91, 92], [92, END]];

let table: FatTable;
let geo: ClusterGeometry;
const problems: FsProblem[] = [];

beforeAll(async () => {
  if (!fatTools.ok) return;
  const img = join(t.dir, 'fat32.img');
  run('mkfs.vfat', ['-C', '-F', '32', '-s', '1', '-i', '12345678', img, String(40 * 1024)]);
  const r0 = fileReader(img);
  const boot = (await readFatBoot(r0, 0, []))!.boot;
  r0.close();
  const fat = (copy: number) => boot.reservedSectors * boot.bytesPerSector + copy * boot.fatSectors * boot.bytesPerSector;
  const entry = (v: number) => new Uint8Array(Uint32Array.of(v >>> 0).buffer);
  for (const copy of [0, 1]) {
    for (const [c, v] of CHAINS) patch(img, fat(copy) + 4 * c, entry(v));
    for (const [c, v] of SECOND_ONLY) patch(img, fat(copy) + 4 * c, entry(copy === 0 && c === 91 ? 0 : v));
  }
  const r = fileReader(img);
  table = await readFatTable(r, boot, problems);
  geo = boot;
  r.close();
});

describe.skipIf(!fatTools.ok)('FAT chain runs', () => {
  it('gives fragments as runs, in file order', () => {
    expect(table.chain(10, 100)).toEqual({ runs: [{ first: 10, count: 3 }, { first: 20, count: 2 }, { first: 5, count: 2 }], count: 7 });
    expect(table.chain(60, 100)).toEqual({ runs: [{ first: 60, count: 10 }], count: 10 });
    expect(table.chain(70, 100)).toEqual({ runs: [{ first: 70, count: 2 }], count: 2 });
  });

  it('stops with the reason where a chain breaks, keeping what it walked', () => {
    expect(table.chain(30, 100)).toEqual({ runs: [{ first: 30, count: 3 }], count: 3, error: 'FAT chain cycle at cluster 30' });
    expect(table.chain(40, 100)).toEqual({ runs: [{ first: 40, count: 2 }], count: 2, error: 'chain runs into free cluster after 41' });
    expect(table.chain(50, 100)).toEqual({ runs: [{ first: 50, count: 2 }], count: 2, error: 'chain runs into bad cluster after 51' });
    expect(table.chain(80, 100)).toEqual({ runs: [{ first: 80, count: 1 }], count: 1, error: `cluster ${0x0ffffff0} out of range` });
    expect(table.chain(1, 100)).toEqual({ runs: [], count: 0, error: 'cluster 1 out of range' });
    expect(table.chain(120, 100)).toEqual({ runs: [{ first: 120, count: 3 }, { first: 110, count: 10 }], count: 13, error: 'FAT chain cycle at cluster 120' });
    // Bounded: the cluster past the bound is counted, as the per-cluster walk counted it.
    expect(table.chain(60, 4)).toEqual({ runs: [{ first: 60, count: 5 }], count: 5, error: 'chain longer than expected' });
  });

  it('walks a chain again after a cycle was found (each walk has its own marks)', () => {
    expect(table.chain(30, 100).error).toBe('FAT chain cycle at cluster 30');
    expect(table.chain(10, 100).count).toBe(7);
    // A bound past the volume's cluster count (a hostile size) finds the same cycle.
    expect(table.chain(30, 2 ** 31)).toEqual(table.chain(30, 100));
  });

  it('takes a chain broken in the first copy from the second', () => {
    expect(problems.map((p) => p.what)).toContain('FAT copies differ');
    expect(table.chain(90, 100)).toEqual({ runs: [{ first: 90, count: 3 }], count: 3 });
  });

  it('runsToExtents equals the per-cluster merge', () => {
    const perCluster = (clusters: number[], size: number) => {
      const out: { offset: number; length: number }[] = [];
      let left = size;
      for (const c of clusters) {
        if (left <= 0) break;
        const len = Math.min(left, geo.clusterSize);
        const off = clusterOffset(geo, c);
        const last = out[out.length - 1];
        if (last && last.offset + last.length === off) last.length += len;
        else out.push({ offset: off, length: len });
        left -= len;
      }
      return out;
    };
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let k = 0; k < 300; k++) {
      const clusters: number[] = [];
      for (let c = 2 + rnd(50), n = rnd(40); clusters.length < n; ) clusters.push((c = rnd(4) ? c + 1 : 2 + rnd(200)));
      const size = rnd(3) ? rnd((clusters.length + 1) * geo.clusterSize) : clusters.length * geo.clusterSize;
      expect(runsToExtents(geo, clusterRuns(clusters), size)).toEqual(perCluster(clusters, size));
    }
  });
});

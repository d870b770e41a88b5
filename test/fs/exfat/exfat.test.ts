import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyseExfat, probeExfat } from '../../../src/fs/exfat/index.ts';
import { analyseMedia } from '../../../src/fs/index.ts';
import type { FileEvidence } from '../../../src/fs/types.ts';
import { makeContainer, seededRandom, writeContainerDir } from '../../helpers/containers.ts';
import { makeCertificate } from '../../helpers/certificates.ts';
import { requireTools } from '../../helpers/tools.ts';
import { carveAll, cleanupAll, EXFAT_TOOLS, extentBytes, mkfs, readDirFiles, runTsk, withMount } from './helpers.ts';
import { MemorySource } from '../../../src/source/memory.ts';
import { parseBootSector, type ExfatGeometry } from '../../../src/fs/exfat/boot.ts';
import { ExfatVolume } from '../../../src/fs/exfat/volume.ts';
import { parseDirectory } from '../../../src/layout/exfat-entry-set.ts';

const exfat = requireTools(...EXFAT_TOOLS);
/** TSK only adds printed comparison figures; no test depends on it. */
const tsk = requireTools('fls', 'tsk_recover');
let work = '';
const LIVE = makeContainer({ seed: 11, name: 'keep' }).files;
const DEAD = makeContainer({ seed: 12, name: 'abcdefgh' }).files;
const NESTED = makeContainer({ seed: 13, name: 'ivanov' }).files;
// A container whose header.key (~1 KiB, certificate inside) spans several 512-byte clusters.
const bigKey = makeContainer({ algorithm: 'gost2001', seed: 'exfat-big' }).privateKey;
const bigFiles = makeContainer({
  algorithm: 'gost2001', seed: 'exfat-big', privateKey: bigKey, name: 'abcdefgh',
  certificate: makeCertificate({ generation: 'gost2001', privateKey: bigKey, subject: 'exfat', padding: 560 }),
}).files;
// Written in directory-listing order (header.key first), so the header lands in the first hole.
const BIG: Record<string, Uint8Array> = Object.fromEntries(Object.keys(bigFiles).sort().map((k) => [k, bigFiles[k]!]));

let deletedImg: Uint8Array;
let fragLive: Uint8Array | null = null;
let fragDeleted: Uint8Array | null = null;
const tskReport: string[] = [];

function byFolder(files: readonly FileEvidence[], parent: string): Map<string, FileEvidence> {
  return new Map(files.filter((f) => f.parentName === parent).map((f) => [f.name, f]));
}

function expectContainer(img: Uint8Array, files: readonly FileEvidence[], parent: string, want: Record<string, Uint8Array>, deleted: boolean): void {
  const got = byFolder(files, parent);
  expect([...got.keys()].sort()).toEqual(Object.keys(want).sort());
  const keys = new Set([...got.values()].map((f) => f.folderKey));
  expect(keys.size).toBe(1);
  for (const [name, bytes] of Object.entries(want)) {
    const f = got.get(name)!;
    expect(f.deleted, name).toBe(deleted);
    expect(f.confirmed, name).toBe(true);
    expect(f.size).toBe(bytes.length);
    expect(Buffer.from(extentBytes(img, f.extents)).equals(Buffer.from(bytes)), name).toBe(true);
  }
}

/** Bit-exact container files TSK wrote under `folder/`. */
function tskExact(rec: Record<string, Uint8Array>, folder: string, want: Record<string, Uint8Array>): number {
  let n = 0;
  for (const [name, bytes] of Object.entries(want)) {
    const r = rec[`${folder}/${name}`];
    if (r && Buffer.from(r).equals(Buffer.from(bytes))) n++;
  }
  return n;
}

/** Key files TSK wrote anywhere whose bytes equal one of the wanted files. */
function tskAnyExact(rec: Record<string, Uint8Array>, wants: Record<string, Uint8Array>[]): number {
  const pool = Object.values(rec).map((b) => Buffer.from(b));
  let n = 0;
  for (const want of wants) for (const b of Object.values(want)) if (pool.some((p) => p.equals(Buffer.from(b)))) n++;
  return n;
}

beforeAll(async () => {
  if (!exfat.ok) return;
  work = mkdtempSync(join(tmpdir(), 'keycarve-exfat-'));
  // 1. Plain image: a live container, a deleted one, a deleted folder holding a container.
  const img = join(work, 'deleted.img');
  mkfs(img, 8);
  await withMount(img, join(work, 'mnt'), (m) => {
    writeContainerDir(join(m, 'keep.000'), LIVE);
    writeContainerDir(join(m, 'abcdefgh.000'), DEAD);
    writeContainerDir(join(m, 'Клиенты', 'ivanov.000'), NESTED);
  });
  await withMount(img, join(work, 'mnt'), (m) => {
    rmSync(join(m, 'abcdefgh.000'), { recursive: true });
    rmSync(join(m, 'Клиенты'), { recursive: true });
  });
  deletedImg = new Uint8Array(readFileSync(img));

  // 2. 512-byte clusters with holes: a 996-byte header.key ends up in a FAT chain.
  const fimg = join(work, 'frag.img');
  mkfs(fimg, 4, 512);
  await withMount(fimg, join(work, 'mnt'), (m) => {
    for (let i = 1; i <= 8; i++) writeFileSync(join(m, `f${i}`), new Uint8Array(400).fill(i));
  });
  await withMount(fimg, join(work, 'mnt'), (m) => {
    for (const i of [2, 4, 6]) rmSync(join(m, `f${i}`));
  });
  await withMount(fimg, join(work, 'mnt'), (m) => {
    mkdirSync(join(m, 'abcdefgh.000'));
    for (const [n, b] of Object.entries(BIG)) writeFileSync(join(m, 'abcdefgh.000', n), b);
  });
  fragLive = new Uint8Array(readFileSync(fimg));
  await withMount(fimg, join(work, 'mnt'), (m) => rmSync(join(m, 'abcdefgh.000'), { recursive: true }));
  fragDeleted = new Uint8Array(readFileSync(fimg));
}, 120_000);

async function expectFreeWalk(img: Uint8Array, boot: ExfatGeometry, bm: { firstCluster: number; dataLength: number }): Promise<void> {
  const vol = new ExfatVolume(new MemorySource(img).media(), 0, boot);
  vol.setBitmap(bm.firstCluster, bm.dataLength);
  const last = boot.clusterCount + 1;
  const byBit: number[] = [];
  for (let c = 2; c <= last; c++) if ((await vol.allocated(c)) === false) byBit.push(c);
  const walked: number[] = [];
  for (let c = (await vol.nextFree(2, last))!; c <= last; c = (await vol.nextFree(c + 1, last))!) walked.push(c);
  expect(byBit.length).toBeGreaterThan(0);
  expect(byBit.length).toBeLessThan(last - 1);
  expect(walked).toEqual(byBit);
  // From any cluster (inside a bitmap byte too), to the end or over a short range.
  const firstFrom = (s: number, end: number) => byBit.find((c) => c >= s && c <= end) ?? end + 1;
  const free = new Set(byBit);
  const runFrom = (s: number, max: number) => {
    let n = 0;
    while (n < max && free.has(s + n)) n++;
    return n;
  };
  for (let s = 2; s <= last; s += 37) {
    expect(await vol.nextFree(s, last)).toBe(firstFrom(s, last));
    expect(await vol.nextFree(s, Math.min(last, s + 2))).toBe(firstFrom(s, Math.min(last, s + 2)));
    for (const max of [1, 9, 5000]) expect(await vol.freeRun(s, Math.min(max, last - s + 1))).toBe(runFrom(s, Math.min(max, last - s + 1)));
  }
}

/** The quick-formatted image's containers (orphan entry sets carved or swept). */
function expectQuickFormatted(img: Uint8Array, files: readonly FileEvidence[]): void {
  // ivanov.000 keeps its name: its old parent "Клиенты" survives as an orphan directory cluster.
  expectContainer(img, files, 'ivanov.000', NESTED, true);
  expect(files.find((f) => f.parentName === 'ivanov.000')!.evidence).toBe('orphan-dir');
  // Folders that sat in the (rewritten) root come back as groups without a folder name.
  const groups = new Map<string, FileEvidence[]>();
  for (const f of files.filter((x) => x.parentName === null)) groups.set(f.folderKey!, [...(groups.get(f.folderKey!) ?? []), f]);
  for (const want of [LIVE, DEAD]) {
    const match = [...groups.values()].find((g) =>
      Object.entries(want).every(([n, b]) => {
        const f = g.find((x) => x.name === n);
        return f?.confirmed && Buffer.from(extentBytes(img, f.extents)).equals(Buffer.from(b));
      }),
    );
    expect(match).toBeTruthy();
  }
}

afterAll(() => {
  cleanupAll();
  if (tskReport.length) console.log(`exFAT: keycarve vs The Sleuth Kit\n${tskReport.join('\n')}`);
  if (work) rmSync(work, { recursive: true, force: true });
});

exfat.describe('exFAT on images made by mkfs.exfat + exfat-fuse', () => {
  it('probes the boot sector', () => {
    expect(probeExfat(deletedImg.subarray(0, 512))).toBe(true);
    expect(probeExfat(new Uint8Array(512))).toBe(false);
  });

  it('finds the live container and the deleted ones, bit-exact, with folder names', async () => {
    const r = (await analyseExfat(new MemorySource(deletedImg).media(), 0))!;
    expect(r).not.toBeNull();
    expect(r.volume.type).toBe('exfat');
    expect(r.volume.foundBy).toBe('superfloppy');
    expectContainer(deletedImg, r.files, 'keep.000', LIVE, false);
    expectContainer(deletedImg, r.files, 'abcdefgh.000', DEAD, true);
    expectContainer(deletedImg, r.files, 'ivanov.000', NESTED, true);
    const f = r.files.find((x) => x.parentName === 'ivanov.000')!;
    expect(f.parentPath).toBe('/Клиенты/ivanov.000');
    expect(f.evidence).toBe('exfat-entry');
    expect(f.times?.modified).toBeTruthy();
    expect(r.problems).toEqual([]);

    if (tsk.ok) {
      const t = runTsk(join(work, 'deleted.img'), join(work, 'tsk-deleted'));
      const n = Object.keys(DEAD).length + Object.keys(NESTED).length;
      const got = tskExact(t.recovered, 'abcdefgh.000', DEAD) + tskExact(t.recovered, 'Клиенты/ivanov.000', NESTED);
      tskReport.push(`plain delete: keycarve ${n}/${n} deleted key files bit-exact with names; tsk_recover -e ${got}/${n}`);
    }
  });

  it('survives a damaged main boot region through the backup', async () => {
    const img = deletedImg.slice();
    img[5 * 512 + 7] = img[5 * 512 + 7]! ^ 0xff; // an extended boot sector: only the checksum notices
    const r = (await analyseExfat(new MemorySource(img).media(), 0))!;
    expect(r.volume.foundBy).toBe('backup-boot');
    expect(r.problems.some((p) => p.what.includes('main boot region checksum'))).toBe(true);
    expectContainer(img, r.files, 'abcdefgh.000', DEAD, true);

    const wiped = deletedImg.slice();
    wiped.fill(0, 0, 512); // sector 0 gone
    const w = (await analyseExfat(new MemorySource(wiped).media(), 0))!;
    expect(w.volume.foundBy).toBe('backup-boot');
    expectContainer(wiped, w.files, 'ivanov.000', NESTED, true);
    if (tsk.ok) {
      const p = join(work, 'wiped.img');
      writeFileSync(p, wiped);
      const t = runTsk(p, join(work, 'tsk-wiped'));
      const got = Object.keys(t.recovered).filter((k) => k.endsWith('.key')).length;
      tskReport.push(`sector 0 wiped: keycarve uses the backup boot region, all containers back; tsk_recover -e ${got} key files`);
    }
  });

  it('after a quick format gets containers back from orphan entry sets', async () => {
    const p = join(work, 'qf.img');
    writeFileSync(p, deletedImg);
    execFileSync('mkfs.exfat', [p], { stdio: 'ignore' });
    const img = new Uint8Array(readFileSync(p));
    const orphanSets = carveAll(img);
    expect(orphanSets.length).toBeGreaterThan(0);
    const r = (await analyseExfat(new MemorySource(img).media(), 0, { orphanSets }))!;
    expectQuickFormatted(img, r.files);
    if (tsk.ok) {
      const t = runTsk(p, join(work, 'tsk-qf'));
      const got = tskAnyExact(t.recovered, [LIVE, DEAD, NESTED]);
      tskReport.push(`quick format: keycarve 18/18 key files bit-exact (ivanov.000 with its folder name); tsk_recover -e ${got}/18 bit-exact (no folder names), fls lists ${t.fls.split('\n').filter((l) => l.includes('.key')).length} .key names`);
    }
  });

  it('after a quick format, a quick scan (no pass) gets the same containers back from the free clusters', async () => {
    const p = join(work, 'qf2.img');
    writeFileSync(p, deletedImg);
    execFileSync('mkfs.exfat', [p], { stdio: 'ignore' });
    const img = new Uint8Array(readFileSync(p));
    const media = new MemorySource(img).media();
    expect((await analyseExfat(media, 0))!.files.filter((f) => f.name.endsWith('.key'))).toEqual([]);
    const r = (await analyseExfat(media, 0, { freeSweep: 256 << 20 }))!;
    expectQuickFormatted(img, r.files);
    // The same through the file-system stage a quick scan runs.
    expectQuickFormatted(img, (await analyseMedia(media, [], { freeSweep: 256 << 20 })).files);
    expect(r.problems.filter((x) => x.what.startsWith('quick scan'))).toEqual([]);
    // A budget below the free space stops the sweep and says so.
    const cut = (await analyseExfat(media, 0, { freeSweep: 1 << 20 }))!;
    expect(cut.problems.map((x) => x.what)).toContain('quick scan: orphaned folders looked for in the first 1 MiB of free space only; a full scan reads it all');
  });

  it("walks the bitmap's free clusters as allocated() reads them, cluster by cluster", async () => {
    // The image's bitmap, then the same with its bytes random (every mix of bits in a byte).
    const boot = parseBootSector(deletedImg.subarray(0, 512));
    if (typeof boot === 'string') throw new Error(boot);
    const probe = new ExfatVolume(new MemorySource(deletedImg).media(), 0, boot);
    const bm = parseDirectory(deletedImg.subarray(probe.clusterOffset(boot.rootCluster), probe.clusterOffset(boot.rootCluster) + boot.clusterSize)).bitmaps[0]!;
    const noisy = deletedImg.slice();
    noisy.set(seededRandom('bitmap')(Math.ceil(boot.clusterCount / 8)), probe.clusterOffset(bm.firstCluster));
    for (const img of [deletedImg, noisy]) await expectFreeWalk(img, boot, bm);
  });

  it('follows a live FAT chain and re-finds a fragmented deleted header.key on 512-byte clusters', async () => {
    const live = (await analyseExfat(new MemorySource(fragLive!).media(), 0))!;
    expectContainer(fragLive!, live.files, 'abcdefgh.000', BIG, false);
    const hdrLive = live.files.find((f) => f.name === 'header.key' && f.parentName === 'abcdefgh.000')!;
    const fragmented = hdrLive.extents.length > 1;
    expect(fragmented).toBe(true);
    // Deleted: header.key re-found over the free clusters (its chain is zeroed); the directory's
    // second cluster (its chain zeroed too) re-found by the set checksum of the entry cut at its end.
    const del = (await analyseExfat(new MemorySource(fragDeleted!).media(), 0, { orphanSets: carveAll(fragDeleted!) }))!;
    expectContainer(fragDeleted!, del.files, 'abcdefgh.000', BIG, true);
    const all = byFolder(del.files, 'abcdefgh.000');
    if (tsk.ok) {
      const p = join(work, 'frag-del.img');
      writeFileSync(p, fragDeleted!);
      const t = runTsk(p, join(work, 'tsk-frag'));
      tskReport.push(
        `512-byte clusters (header.key ${fragmented ? 'fragmented' : 'contiguous'}): keycarve ${all.size}/${Object.keys(BIG).length} bit-exact; tsk_recover -e ${tskExact(t.recovered, 'abcdefgh.000', BIG)}/${Object.keys(BIG).length}`,
      );
    }
  });
});

exfat.describe('exFAT bad input', () => {
  it('is bounded and records problems on corrupted structures', async () => {
    const { setChecksum, parseDirectory } = await import('../../../src/layout/exfat-entry-set.ts');
    const base = deletedImg;
    // Locate keep.000/header.key's live entry set through the carver.
    const find = (img: Uint8Array, name: string) => {
      for (const c of carveAll(img)) for (const s of parseDirectory(c.bytes).sets) if (!s.deleted && s.name === name) return c.offset + s.index;
      throw new Error(name);
    };
    const u32 = (img: Uint8Array, o: number, v: number) => new DataView(img.buffer, img.byteOffset).setUint32(o, v, true);
    const fix = (img: Uint8Array, at: number) => {
      const sc = img[at + 1]! + 1;
      new DataView(img.buffer, img.byteOffset).setUint16(at + 2, setChecksum(img, at, sc), true);
    };
    const run = async (img: Uint8Array) => (await analyseExfat(new MemorySource(img).media(), 0))!;

    let img = base.slice();
    let at = find(img, 'masks.key');
    img[at + 32 + 24] = img[at + 32 + 24]! ^ 1; // size changed, checksum not
    let r = await run(img);
    expect(r.problems.some((p) => p.what.includes('checksum mismatch'))).toBe(true);

    img = base.slice();
    at = find(img, 'header.key');
    u32(img, at + 32 + 20, 0xfffff000); // first cluster past the end
    fix(img, at);
    r = await run(img);
    expect(r.problems.some((p) => p.what.includes('out of range'))).toBe(true);

    img = base.slice();
    at = find(img, 'header.key');
    u32(img, at + 32 + 24, 0); // absurd size: 2^52 bytes
    u32(img, at + 32 + 28, 0x100000);
    fix(img, at);
    r = await run(img);
    expect(r.problems.some((p) => p.what.includes('larger than the volume'))).toBe(true);

    // A FAT cycle in a live chained file, and in the root directory's chain.
    img = base.slice();
    at = find(img, 'header.key');
    img[at + 33] = 0x01; // AllocationPossible, FAT chain
    u32(img, at + 32 + 24, 3 * 4096);
    fix(img, at);
    const fc = new DataView(img.buffer).getUint32(at + 32 + 20, true);
    const fatOff = new DataView(img.buffer).getUint32(80, true) * 512;
    u32(img, fatOff + fc * 4, fc);
    const root = new DataView(img.buffer).getUint32(96, true);
    u32(img, fatOff + root * 4, root);
    r = await run(img);
    expect(r.problems.filter((p) => p.what.includes('cycle')).length).toBeGreaterThanOrEqual(2);

    // A directory pointing back at the root: a loop, walked once.
    img = base.slice();
    at = find(img, 'keep.000');
    u32(img, at + 32 + 20, root);
    fix(img, at);
    r = await run(img);
    expect(r.problems.some((p) => p.what.includes('loop'))).toBe(true);

    // Absurd boot values: no volume, no throw.
    img = base.slice();
    img[109] = 30;
    img.fill(0, 12 * 512, 13 * 512);
    expect(await analyseExfat(new MemorySource(img).media(), 0)).toBeNull();
    expect(await analyseExfat(new MemorySource(new Uint8Array(4096)).media(), 0)).toBeNull();
    expect(await analyseExfat(new MemorySource(new Uint8Array(100)).media(), 0)).toBeNull();
  });

  it('never throws on random damage', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const metaEnd = 64 * 4096 + 2 * 1024 * 1024; // boot regions, FAT, first clusters of the heap
    for (let i = 0; i < 40; i++) {
      const img = deletedImg.slice();
      for (let k = 0; k < 200; k++) img[Math.floor(rnd() * metaEnd)] = Math.floor(rnd() * 256);
      const r = await analyseExfat(new MemorySource(img).media(), 0, { orphanSets: carveAll(img.subarray(0, metaEnd)) });
      if (r) expect(Array.isArray(r.files)).toBe(true);
    }
  });
});


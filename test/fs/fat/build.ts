// Image recipes shared by the FAT tests and scripts/fat-images/compare-tsk.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINERS, mcopyDir, patch, peekBytes, run, sparse, writeTempFile, type Expect } from './images.ts';

export interface BuiltImage {
  readonly name: string;
  readonly path: string;
  /** Volume offset in bytes. */
  readonly offset: number;
  readonly expects: Expect[];
}

const u16 = (b: Uint8Array, o: number) => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, o: number) => (u16(b, o) + u16(b, o + 2) * 0x10000) >>> 0;

function mkfs(img: string, sizeKiB: number, args: string[]): void {
  rmSync(img, { force: true });
  run('mkfs.vfat', ['-C', ...args, '-i', '12345678', img, String(sizeKiB)]);
}

const noise = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + 17) & 0xff);

/** FAT12 floppy: a deleted 8.3 container, a deleted long-named one, a live one. */
export function buildFat12Plain(dir: string): BuiltImage {
  const img = join(dir, 'fat12.img');
  mkfs(img, 1440, []);
  mcopyDir(img, CONTAINERS.g2001, 'abcdefgh.000');
  mcopyDir(img, CONTAINERS.nopin, 'Ivanov-Backup.000');
  mcopyDir(img, CONTAINERS.test, 'live0001.000');
  run('mdeltree', ['-i', img, '::abcdefgh.000', '::Ivanov-Backup.000']);
  return {
    name: 'fat12-plain-delete',
    path: img,
    offset: 0,
    expects: [
      { folder: /^_bcdefgh\.000$/, files: CONTAINERS.g2001 },
      { folder: 'Ivanov-Backup.000', files: CONTAINERS.nopin },
      { folder: 'live0001.000', files: CONTAINERS.test },
    ],
  };
}

/** FAT16: containers deleted inside a Cyrillic-named folder that stays. */
export function buildFat16Plain(dir: string): BuiltImage {
  const img = join(dir, 'fat16.img');
  mkfs(img, 20 * 1024, ['-F', '16']);
  run('mmd', ['-i', img, '::Клиенты']);
  mcopyDir(img, CONTAINERS.srv, 'Клиенты/qwertyui.000');
  mcopyDir(img, CONTAINERS.g512, 'Клиенты/Zakupki.000');
  run('mdeltree', ['-i', img, '::Клиенты/qwertyui.000', '::Клиенты/Zakupki.000']);
  return {
    name: 'fat16-plain-delete',
    path: img,
    offset: 0,
    expects: [
      { folder: /^_wertyui\.000$/, files: CONTAINERS.srv },
      { folder: 'Zakupki.000', files: CONTAINERS.g512 },
    ],
  };
}

/** FAT32 (512-byte clusters) plain delete: mtools keeps the high word. */
export function buildFat32Plain(dir: string): BuiltImage {
  const img = join(dir, 'fat32.img');
  mkfs(img, 40 * 1024, ['-F', '32', '-s', '1']);
  mcopyDir(img, CONTAINERS.g2001, 'abcdefgh.000');
  mcopyDir(img, CONTAINERS.srv, 'Sidorov.000');
  run('mdeltree', ['-i', img, '::abcdefgh.000', '::Sidorov.000']);
  return {
    name: 'fat32-plain-delete',
    path: img,
    offset: 0,
    expects: [
      { folder: /^_bcdefgh\.000$/, files: CONTAINERS.g2001 },
      { folder: 'Sidorov.000', files: CONTAINERS.srv },
    ],
  };
}

/** Clears bytes 20–21 of every deleted entry in the given directory bytes (what Windows does). */
function clearHighWords(img: string, at: number, len: number): number[] {
  const b = peekBytes(img, at, len);
  const dirs: number[] = [];
  for (let o = 0; o < len; o += 32) {
    if (b[o] === 0) break;
    if (b[o + 11] === 0x0f || b[o] === 0x2e) continue;
    if ((b[o + 11]! & 0x10) !== 0) dirs.push(u16(b, o + 20) * 0x10000 + u16(b, o + 26));
    if (b[o] !== 0xe5) continue;
    b[o + 20] = 0;
    b[o + 21] = 0;
  }
  patch(img, at, b);
  return dirs;
}

/**
 * FAT32 600 MiB sparse, 512-byte clusters; clusters 3..66000 marked bad so the containers land
 * above 65535; deleted, then the high words cleared the Windows way.
 */
export function buildFat32HighWord(dir: string): BuiltImage {
  const img = join(dir, 'fat32-hi.img');
  sparse(img, 600 * 1024 * 1024);
  run('mkfs.vfat', ['-F', '32', '-s', '1', '-i', '12345678', img]);
  const bs = peekBytes(img, 0, 512);
  const reserved = u16(bs, 14);
  const fatSectors = u32(bs, 36);
  const bad = new Uint8Array((66000 - 3 + 1) * 4);
  for (let i = 0; i < bad.length; i += 4) bad.set([0xf7, 0xff, 0xff, 0x0f], i);
  for (const f of [0, 1]) patch(img, (reserved + f * fatSectors) * 512 + 3 * 4, bad);
  mcopyDir(img, CONTAINERS.g2001, 'abcdefgh.000');
  mcopyDir(img, CONTAINERS.srv, 'Petrov-Key.000');
  mcopyDir(img, CONTAINERS.g512, 'zzzzzzzz.000');
  mcopyDir(img, CONTAINERS.test, 'Live-Folder.000');
  run('mdeltree', ['-i', img, '::abcdefgh.000', '::Petrov-Key.000', '::zzzzzzzz.000']);
  // Files deleted from a folder that stays: names survive, high words cleared.
  run('mdel', ['-i', img, '::Live-Folder.000/*.key']);
  const dataStart = (reserved + 2 * fatSectors) * 512;
  const rootAt = dataStart; // root cluster 2, one 512-byte cluster is plenty here
  const dirs = clearHighWords(img, rootAt, 512);
  for (const c of dirs) clearHighWords(img, dataStart + (c - 2) * 512, 512);
  return {
    name: 'fat32-windows-cleared-high-word',
    path: img,
    offset: 0,
    expects: [
      { folder: /^_bcdefgh\.000$/, files: CONTAINERS.g2001 },
      { folder: 'Petrov-Key.000', files: CONTAINERS.srv },
      { folder: /^_zzzzzzz\.000$/, files: CONTAINERS.g512 },
      { folder: 'Live-Folder.000', files: CONTAINERS.test },
    ],
  };
}

/**
 * FAT12 floppy, 512-byte clusters: header.key fragmented around an allocated cluster (kept), and
 * around a cluster that was freed later (so only a gap search finds it).
 */
export function buildFragmented(dir: string): BuiltImage {
  const img = join(dir, 'frag.img');
  mkfs(img, 1440, []);
  const small = (n: number) => writeTempFile(dir, `small${n}.bin`, noise(500, n));
  run('mmd', ['-i', img, '::frag0001.000']);
  run('mcopy', ['-i', img, small(1), small(2), '::']);
  run('mdel', ['-i', img, '::small1.bin']);
  mcopyDir(img, CONTAINERS.g2001, 'frag0001.000');
  run('mmd', ['-i', img, '::frag0002.000']);
  run('mcopy', ['-i', img, small(3), small(4), '::']);
  run('mdel', ['-i', img, '::small3.bin']);
  mcopyDir(img, CONTAINERS.srv, 'frag0002.000');
  run('mdel', ['-i', img, '::small4.bin']);
  run('mdeltree', ['-i', img, '::frag0001.000', '::frag0002.000']);
  return {
    name: 'fat12-fragmented-header',
    path: img,
    offset: 0,
    expects: [
      { folder: /^_rag0001\.000$/, files: CONTAINERS.g2001 },
      { folder: /^_rag0002\.000$/, files: CONTAINERS.srv },
    ],
  };
}

/** FAT32, containers under /Keys (one deleted before), one in the root; then mkfs again (quick format). */
export function buildQuickFormat(dir: string): BuiltImage & { rootContainer: Record<string, Uint8Array> } {
  const img = join(dir, 'qf.img');
  mkfs(img, 40 * 1024, ['-F', '32', '-s', '1']);
  run('mmd', ['-i', img, '::Keys']);
  mcopyDir(img, CONTAINERS.g2001, 'Keys/abcdefgh.000');
  mcopyDir(img, CONTAINERS.srv, 'Keys/Sidorov-2024.000');
  mcopyDir(img, CONTAINERS.g512, 'Keys/gone0001.000');
  mcopyDir(img, CONTAINERS.test, 'rootcont.000');
  run('mdeltree', ['-i', img, '::Keys/gone0001.000']);
  // Quick format: same geometry, FAT and root wiped, data area untouched.
  run('mkfs.vfat', ['-F', '32', '-s', '1', '-i', '12345678', img]);
  return {
    name: 'fat32-quick-format',
    path: img,
    offset: 0,
    expects: [
      { folder: 'abcdefgh.000', files: CONTAINERS.g2001 },
      { folder: 'Sidorov-2024.000', files: CONTAINERS.srv },
      { folder: /^_one0001\.000$/, files: CONTAINERS.g512 },
    ],
    rootContainer: CONTAINERS.test,
  };
}

/** MBR disk: a primary FAT16 and a logical FAT12 inside an extended partition, one container each. */
export function buildMbrTwo(dir: string): BuiltImage[] {
  const img = join(dir, 'mbr.img');
  rmSync(img, { force: true });
  sparse(img, 48 * 1024 * 1024);
  // MBR: primary FAT16 at 2048; extended at 36864 whose EBR holds a logical FAT12 at +2048.
  const mbr = new Uint8Array(512);
  const entry = (b: Uint8Array, i: number, type: number, start: number, count: number) => {
    const e = 446 + 16 * i;
    b[e + 4] = type;
    new DataView(b.buffer).setUint32(e + 8, start, true);
    new DataView(b.buffer).setUint32(e + 12, count, true);
  };
  entry(mbr, 0, 0x06, 2048, 32768);
  entry(mbr, 1, 0x05, 36864, 98304 - 36864);
  mbr.set([0x55, 0xaa], 510);
  patch(img, 0, mbr);
  const ebr = new Uint8Array(512);
  entry(ebr, 0, 0x01, 2048, 8192);
  ebr.set([0x55, 0xaa], 510);
  patch(img, 36864 * 512, ebr);
  const parts = [
    { at: 2048, sectors: 32768, args: ['-F', '16'], c: CONTAINERS.g2001, folder: 'Part1Key.000' },
    { at: 38912, sectors: 8192, args: ['-F', '12'], c: CONTAINERS.srv, folder: 'Part2Key.000' },
  ];
  return parts.map((p, i) => {
    const off = p.at * 512;
    run('mkfs.vfat', [...p.args, '--offset', String(p.at), '-i', '12345678', img, String(p.sectors / 2)]);
    mcopyDir(img, p.c, p.folder, off);
    run('mdeltree', ['-i', `${img}@@${off}`, `::${p.folder}`]);
    return { name: `mbr-partition-${i + 1}`, path: img, offset: off, expects: [{ folder: p.folder, files: p.c }] };
  });
}

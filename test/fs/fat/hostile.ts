// Hostile FAT metadata written into a real mkfs.vfat image (issue 14, item 6): a 64 MiB FAT16 with a
// real container in /keys0001.000 and directories stuffed with crafted deleted entries.
import { join } from 'node:path';
import { CONTAINERS, mcopyDir, patch, peekBytes, run, sparse, writeTempFile } from './images.ts';

export type Hostile =
  /** Deleted entries, one in five a deleted directory pointing back at its own directory. */
  | 'self-dirs'
  /** Deleted files whose size reads 0xFFFFFFFF. */
  | 'huge-size';

const u16 = (b: Uint8Array, o: number) => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
/** Entries per stuffed directory (a FAT directory holds at most 65536). */
const PER_DIR = 50_000;

function entry(name: string, attr: number, cluster: number, size: number): Uint8Array {
  const e = new Uint8Array(32);
  for (let i = 0; i < 11; i++) e[i] = name.charCodeAt(i);
  e[0] = 0xe5;
  e[11] = attr;
  e.set([cluster & 0xff, cluster >> 8], 26);
  e.set([size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24], 28);
  return e;
}

/** Builds the image with `count` hostile entries and returns its path. */
export function buildHostileFat(dir: string, kind: Hostile, count: number): string {
  const img = join(dir, `${kind}-${count}.img`);
  sparse(img, 64 << 20);
  run('mkfs.vfat', ['-F', '16', '-i', '12345678', img]);
  mcopyDir(img, CONTAINERS.g2001, 'keys0001.000');
  const dirs = Math.ceil(count / PER_DIR);
  const bs = peekBytes(img, 0, 512);
  const bps = u16(bs, 11);
  const cs = bs[13]! * bps;
  const fatAt = u16(bs, 14) * bps;
  const fatBytes = u16(bs, 22) * bps;
  const rootAt = fatAt + bs[16]! * fatBytes;
  const dataStart = rootAt + u16(bs, 17) * 32;
  for (let d = 0; d < dirs; d++) {
    const n = Math.min(PER_DIR, count - d * PER_DIR);
    // A directory, and a file as large as its entries whose clusters (contiguous on a fresh
    // volume) become the directory's continuation.
    run('mmd', ['-i', img, `::h${d}`]);
    run('mcopy', ['-i', img, writeTempFile(dir, `pad${d}`, new Uint8Array(n * 32)), `::pad${d}`]);
  }
  const root = peekBytes(img, rootAt, 512);
  const find = (name: string) => {
    for (let o = 0; o < root.length; o += 32) if (String.fromCharCode(...root.subarray(o, o + 11)) === name) return o;
    throw new Error(`${name} not in the root`);
  };
  for (let d = 0; d < dirs; d++) {
    const n = Math.min(PER_DIR, count - d * PER_DIR);
    const h = u16(root, find(`H${d}`.padEnd(11)) + 26);
    const padAt = find(`PAD${d}`.padEnd(11));
    const pad = u16(root, padAt + 26);
    for (let f = 0; f < bs[16]!; f++) patch(img, fatAt + f * fatBytes + 2 * h, Uint8Array.of(pad & 0xff, pad >> 8));
    patch(img, rootAt + padAt, Uint8Array.of(0xe5));
    const bytes = new Uint8Array(n * 32);
    for (let i = 0; i < n; i++) {
      const id = String(d * PER_DIR + i).padStart(7, '0');
      const e =
        kind === 'huge-size' ? entry(`F${id}BIN`, 0x20, 2 + (i % 1000), 0xffffffff)
        : i % 5 === 0 ? entry(`D${id}   `, 0x10, h, 0)
        : entry(`F${id}DAT`, 0x20, 2 + (i % 1000), 100 + i);
      bytes.set(e, i * 32);
    }
    // The directory's own cluster after `.` and `..`, then the continuation.
    const head = cs - 64;
    patch(img, dataStart + (h - 2) * cs + 64, bytes.subarray(0, head));
    patch(img, dataStart + (pad - 2) * cs, bytes.subarray(head));
  }
  return img;
}

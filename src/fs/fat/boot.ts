// FAT boot sector (BPB) parsing and sanity checks. Every field that sizes a read is bounded here.
import type { FsProblem, MediaReader } from '../types.ts';
import type { ClusterGeometry } from '../fat-common/clusters.ts';
import { u16, u32 } from '../../layout/le.ts';
import { readExact } from '../read-exact.ts';

export interface FatBoot extends ClusterGeometry {
  readonly type: 'fat12' | 'fat16' | 'fat32';
  readonly bytesPerSector: number;
  readonly reservedSectors: number;
  readonly numFats: number;
  readonly fatSectors: number;
  readonly rootEntries: number;
  /** Absolute offset of the FAT12/16 fixed root directory (0 on FAT32). */
  readonly rootDirOffset: number;
  readonly rootCluster: number;
  readonly totalSectors: number;
  readonly label: string;
  readonly backupBootSector: number;
}

const pow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** Parses a BPB; returns the reason when it is not a usable FAT boot sector. */
export function parseFatBoot(b: Uint8Array, volumeOffset: number): FatBoot | string {
  if (b.length < 512) return 'boot sector short';
  if (b[510] !== 0x55 || b[511] !== 0xaa) return 'no 55AA signature';
  if (b[0] !== 0xeb && b[0] !== 0xe9) return 'no jump instruction';
  const bps = u16(b, 11);
  if (![512, 1024, 2048, 4096].includes(bps)) return `bytes per sector ${bps}`;
  const spc = b[13] ?? 0;
  if (!pow2(spc) || spc > 128) return `sectors per cluster ${spc}`;
  const clusterSize = bps * spc;
  if (clusterSize > 256 * 1024) return `cluster size ${clusterSize}`;
  const reserved = u16(b, 14);
  if (reserved === 0) return 'no reserved sectors';
  const numFats = b[16] ?? 0;
  if (numFats < 1 || numFats > 4) return `${numFats} FATs`;
  const rootEntries = u16(b, 17);
  const total = u16(b, 19) || u32(b, 32);
  if (total === 0) return 'total sectors 0';
  const fat16Size = u16(b, 22);
  const fatSectors = fat16Size || u32(b, 36);
  if (fatSectors === 0) return 'FAT size 0';
  const rootSectors = Math.ceil((rootEntries * 32) / bps);
  const firstData = reserved + numFats * fatSectors + rootSectors;
  if (firstData >= total) return `data area starts past the volume end (${firstData} ≥ ${total})`;
  const clusterCount = Math.floor((total - firstData) / spc);
  // Microsoft's rule: the type follows from the cluster count alone.
  const type = clusterCount < 4085 ? 'fat12' : clusterCount < 65525 ? 'fat16' : 'fat32';
  if (type === 'fat32' && (fat16Size !== 0 || rootEntries !== 0)) return 'FAT32 cluster count with a FAT16 BPB';
  if (type !== 'fat32' && rootEntries === 0) return 'FAT12/16 without root entries';
  const entryBits = type === 'fat12' ? 12 : type === 'fat16' ? 16 : 32;
  if (fatSectors * bps * 8 < (clusterCount + 2) * entryBits) return 'FAT too small for the cluster count';
  const rootCluster = type === 'fat32' ? u32(b, 44) & 0x0fffffff : 0;
  if (type === 'fat32' && (rootCluster < 2 || rootCluster > clusterCount + 1)) return `root cluster ${rootCluster}`;
  const labelAt = type === 'fat32' ? 71 : 43;
  const sigAt = type === 'fat32' ? 66 : 38;
  let label = '';
  if (b[sigAt] === 0x29) {
    label = String.fromCharCode(...b.subarray(labelAt, labelAt + 11)).replace(/[\0 ]+$/, '');
    if (label === 'NO NAME') label = '';
  }
  return {
    type,
    volumeOffset,
    bytesPerSector: bps,
    clusterSize,
    reservedSectors: reserved,
    numFats,
    fatSectors,
    rootEntries,
    rootDirOffset: type === 'fat32' ? 0 : volumeOffset + (reserved + numFats * fatSectors) * bps,
    rootCluster,
    totalSectors: total,
    dataStart: volumeOffset + firstData * bps,
    clusterCount,
    label,
    backupBootSector: type === 'fat32' ? u16(b, 50) : 0,
  };
}

/** Boot sector at the volume start, else the FAT32 backup at sector 6 (then 12 for 4K-ish layouts). */
export async function readFatBoot(
  r: MediaReader,
  volumeOffset: number,
  problems: FsProblem[],
): Promise<{ boot: FatBoot; fromBackup: boolean } | null> {
  const s0 = await readExact(r, volumeOffset, 512);
  const main = s0 ? parseFatBoot(s0, volumeOffset) : 'unreadable';
  if (typeof main !== 'string') {
    if (main.totalSectors * main.bytesPerSector > r.size - volumeOffset)
      problems.push({ at: volumeOffset, what: 'FAT volume runs past the end of the medium' });
    return { boot: main, fromBackup: false };
  }
  for (const [sec, bps] of [[6, 512], [6, 4096]] as const) {
    const b = await readExact(r, volumeOffset + sec * bps, 512);
    if (!b) continue;
    const bk = parseFatBoot(b, volumeOffset);
    if (typeof bk !== 'string' && bk.type === 'fat32') {
      problems.push({ at: volumeOffset, what: `boot sector unusable (${main}); using the FAT32 backup at sector ${sec}` });
      return { boot: bk, fromBackup: true };
    }
  }
  problems.push({ at: volumeOffset, what: `not a usable FAT boot sector: ${main}` });
  return null;
}

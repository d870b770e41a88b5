/**
 * exFAT boot region (Microsoft exFAT specification §3): 12 sectors — boot sector, 8 extended boot
 * sectors, OEM parameters, reserved, and a checksum sector repeating one 32-bit checksum. The
 * backup region is the next 12 sectors. All functions are total.
 */

import { u16, u32, u64 } from '../../layout/le.ts';

export interface ExfatGeometry {
  readonly sectorSize: number;
  readonly clusterSize: number;
  /** Volume length in bytes as declared. */
  readonly volumeBytes: number;
  /** Byte offsets relative to the volume start. */
  readonly fatOffset: number;
  readonly fatLength: number;
  readonly heapOffset: number;
  readonly clusterCount: number;
  readonly rootCluster: number;
  readonly serial: number;
  /** Which FAT / bitmap is active (VolumeFlags bit 0). */
  readonly activeFat: number;
  readonly numberOfFats: number;
}


/** Cheap shape test of sector 0: jump, name, must-be-zero field, signature. */
export function looksLikeExfatBoot(b: Uint8Array): boolean {
  if (b.length < 512) return false;
  if (b[0] !== 0xeb || b[1] !== 0x76 || b[2] !== 0x90) return false;
  const name = 'EXFAT   ';
  for (let i = 0; i < 8; i++) if (b[3 + i] !== name.charCodeAt(i)) return false;
  for (let i = 11; i < 64; i++) if (b[i] !== 0) return false;
  return b[510] === 0x55 && b[511] === 0xaa;
}

/** Sector size announced by a boot sector, or null when out of the spec's range (512–4096). */
export function bootSectorSize(b: Uint8Array): number | null {
  const shift = b[108] ?? 0;
  return shift >= 9 && shift <= 12 ? 1 << shift : null;
}

/** Geometry from sector 0 with every field range-checked; a string says what is wrong. */
export function parseBootSector(b: Uint8Array): ExfatGeometry | string {
  if (!looksLikeExfatBoot(b)) return 'not an exFAT boot sector';
  const bps = b[108]!;
  const spc = b[109]!;
  if (bps < 9 || bps > 12) return `BytesPerSectorShift ${bps} out of range`;
  if (spc > 25 - bps) return `SectorsPerClusterShift ${spc} out of range`;
  const sectorSize = 1 << bps;
  const clusterSize = sectorSize * 2 ** spc;
  const volSectors = u64(b, 72);
  const fatOff = u32(b, 80);
  const fatLen = u32(b, 84);
  const heapOff = u32(b, 88);
  const clusterCount = u32(b, 92);
  const root = u32(b, 96);
  const nFats = b[110]!;
  if (nFats !== 1 && nFats !== 2) return `NumberOfFats ${nFats}`;
  if (!(volSectors > 0) || !Number.isSafeInteger(volSectors * sectorSize)) return `VolumeLength ${volSectors}`;
  if (fatOff < 24) return `FatOffset ${fatOff} inside the boot regions`;
  if (fatLen === 0) return 'FatLength 0';
  if (heapOff < fatOff + fatLen * nFats) return `ClusterHeapOffset ${heapOff} overlaps the FAT`;
  if (clusterCount < 1 || clusterCount > 0xfffffff5) return `ClusterCount ${clusterCount}`;
  if (heapOff + clusterCount * 2 ** spc > volSectors) return 'cluster heap runs past VolumeLength';
  if (fatLen * sectorSize < (clusterCount + 2) * 4) return 'FAT too short for ClusterCount';
  if (root < 2 || root > clusterCount + 1) return `FirstClusterOfRootDirectory ${root} out of range`;
  return {
    sectorSize,
    clusterSize,
    volumeBytes: volSectors * sectorSize,
    fatOffset: fatOff * sectorSize,
    fatLength: fatLen * sectorSize,
    heapOffset: heapOff * sectorSize,
    clusterCount,
    rootCluster: root,
    serial: u32(b, 100),
    activeFat: nFats === 2 ? u16(b, 106) & 1 : 0,
    numberOfFats: nFats,
  };
}

/** Boot region checksum over sectors 0–10, skipping VolumeFlags (106–107) and PercentInUse (112). */
export function bootChecksum(region: Uint8Array, sectorSize: number): number {
  let sum = 0;
  const n = Math.min(region.length, sectorSize * 11);
  for (let i = 0; i < n; i++) {
    if (i === 106 || i === 107 || i === 112) continue;
    sum = (((sum & 1) << 31) | (sum >>> 1)) + region[i]!;
    sum >>>= 0;
  }
  return sum;
}

/** True when sector 11 repeats the checksum of sectors 0–10. */
export function bootChecksumOk(region: Uint8Array, sectorSize: number): boolean {
  if (region.length < sectorSize * 12) return false;
  const sum = bootChecksum(region, sectorSize);
  for (let o = sectorSize * 11; o < sectorSize * 12; o += 4) if (u32(region, o) !== sum) return false;
  return true;
}

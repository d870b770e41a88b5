// NTFS boot sector (VBR). Layout: BIOS parameter block at 0x0B, NTFS extension at 0x24.
import { fitU64 as u64 } from '../../layout/le.ts';

export interface NtfsBoot {
  readonly bytesPerSector: number;
  readonly clusterSize: number;
  /** Sector count as stored: the volume spans totalSectors + 1 sectors (the last one is the backup boot sector). */
  readonly totalSectors: number;
  readonly totalClusters: number;
  readonly mftLcn: number;
  readonly mftMirrLcn: number;
  readonly recordSize: number;
  readonly indexRecordSize: number;
  readonly serial: string;
}

/** Largest index record believed (the format allows 2^31 − 1 encoded as clusters). */
const MAX_INDEX_RECORD = 64 * 1024;

const OEM = [0x4e, 0x54, 0x46, 0x53, 0x20, 0x20, 0x20, 0x20]; // "NTFS    "

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Clusters-per-record byte: positive = clusters, negative = 2^-n bytes. */
function recSize(v: number, clusterSize: number): number {
  const s = v > 127 ? v - 256 : v;
  if (s > 0) return s * clusterSize;
  if (s < -31 || s === 0) return 0;
  return 2 ** -s;
}

/** Parses an NTFS boot sector; null when the bytes are not a plausible one. Total. */
export function parseNtfsBoot(b: Uint8Array): NtfsBoot | null {
  if (b.length < 512) return null;
  for (let i = 0; i < 8; i++) if (b[3 + i] !== OEM[i]) return null;
  const bps = b[0x0b]! | (b[0x0c]! << 8);
  if (!isPow2(bps) || bps < 256 || bps > 4096) return null;
  const spcRaw = b[0x0d]!;
  // Values above 0x80 encode 2^(256-v) (clusters larger than 64 KiB on recent Windows).
  const spc = spcRaw > 0x80 ? 2 ** (256 - spcRaw) : spcRaw;
  if (!isPow2(spc) || spc > 4096) return null;
  const clusterSize = bps * spc;
  if (clusterSize > 2 * 1024 * 1024) return null;
  const totalSectors = u64(b, 0x28);
  const mftLcn = u64(b, 0x30);
  const mftMirrLcn = u64(b, 0x38);
  if (totalSectors <= 0 || mftLcn < 0 || mftMirrLcn < 0) return null;
  const totalClusters = Math.floor(totalSectors / spc);
  if (mftLcn >= totalClusters || mftMirrLcn >= totalClusters) return null;
  const recordSize = recSize(b[0x40]!, clusterSize);
  const indexRecordSize = recSize(b[0x44]!, clusterSize);
  if (!isPow2(recordSize) || recordSize < 256 || recordSize > 4096) return null;
  let serial = '';
  for (let i = 7; i >= 0; i--) serial += b[0x48 + i]!.toString(16).padStart(2, '0');
  return {
    bytesPerSector: bps,
    clusterSize,
    totalSectors,
    totalClusters,
    mftLcn,
    mftMirrLcn,
    recordSize,
    // Windows writes 4 KiB; the size sets every INDX read, so anything odd or huge falls back.
    indexRecordSize: isPow2(indexRecordSize) && indexRecordSize >= 512 && indexRecordSize <= MAX_INDEX_RECORD ? indexRecordSize : 4096,
    serial: serial.toUpperCase(),
  };
}

export function probeNtfs(boot: Uint8Array): boolean {
  return parseNtfsBoot(boot) !== null;
}

/** Where the volume of a backup boot sector found at absolute `at` starts (the backup is its last sector). */
export function volumeStartFromBackup(boot: NtfsBoot, at: number): number {
  return at - boot.totalSectors * boot.bytesPerSector;
}

// Finds volumes on a medium: MBR (primary + extended/logical chain), GPT (backup header when the
// primary fails its CRC), superfloppy (a VBR at sector 0) and a FAT32/exFAT backup boot sector
// when sector 0 itself is wiped. Every loop is bounded; bad tables become problems, not throws.
import type { FsProblem, MediaReader } from './types.ts';
import { u16, u32, u64 } from '../layout/le.ts';
import { readExact } from './read-exact.ts';
import { mbrLooksValid, vbrKind } from '../layout/boot-sector.ts';
import { gptEntries, mbrEntries, parseGptHeader, type GptHeader, type MbrEntry } from '../layout/partition-table.ts';

export type FoundBy = 'mbr' | 'gpt' | 'superfloppy' | 'backup-boot';
export interface FoundVolume {
  offset: number;
  size: number;
  foundBy: FoundBy;
  typeHint?: string;
}

const SECTOR = 512;
const MAX_LOGICAL = 128;

export { crc32 } from '../layout/partition-table.ts';

/** One sector (or `len` bytes) at `off`, or null. */
const readSector = (r: MediaReader, off: number, len = SECTOR) => readExact(r, off, len);

function vbrSize(b: Uint8Array): number {
  const t = vbrKind(b);
  if (t === 'exfat') {
    const shift = b[108] ?? 9;
    return shift >= 9 && shift <= 12 ? u64(b, 72) * 2 ** shift : 0;
  }
  if (t === 'ntfs') return (u64(b, 40) + 1) * u16(b, 11);
  if (t === 'fat') return (u16(b, 19) || u32(b, 32)) * u16(b, 11);
  return 0;
}

const MBR_TYPES: Record<number, string> = {
  0x01: 'fat12', 0x04: 'fat16', 0x06: 'fat16', 0x0e: 'fat16', 0x0b: 'fat32', 0x0c: 'fat32',
  0x07: 'ntfs-or-exfat', 0x11: 'fat12', 0x14: 'fat16', 0x16: 'fat16', 0x1b: 'fat32', 0x1c: 'fat32', 0x1e: 'fat16',
};
const isExtended = (t: number): boolean => t === 0x05 || t === 0x0f || t === 0x85;

function mbrHint(t: number): string {
  return MBR_TYPES[t] ?? `mbr-type-0x${t.toString(16).padStart(2, '0')}`;
}

const GPT_TYPES: Record<string, string> = {
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': 'basic-data',
  'C12A7328-F81F-11D2-BA4B-00A0C93EC93B': 'efi-system',
  'E3C9E316-0B5C-4DB8-817D-F92DF00215AE': 'ms-reserved',
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4': 'linux',
};

interface GptResult {
  volumes: FoundVolume[];
  ok: boolean;
}

async function readGptHeader(r: MediaReader, lba: number, problems: FsProblem[]): Promise<GptHeader | null> {
  const sector = await readSector(r, lba * SECTOR);
  const h = sector ? parseGptHeader(sector) : null;
  if (typeof h === 'string') problems.push({ at: lba * SECTOR, what: h });
  return typeof h === 'string' ? null : h;
}

async function readGpt(r: MediaReader, problems: FsProblem[]): Promise<GptResult> {
  const lastLba = Math.floor(r.size / SECTOR) - 1;
  const primary = await readGptHeader(r, 1, problems);
  const headers = primary ? [primary] : [];
  if (!primary) {
    // The backup header sits at the last LBA; its address is also in the primary (lost here).
    const backup = await readGptHeader(r, lastLba, problems);
    if (backup) {
      problems.push({ at: lastLba * SECTOR, what: 'GPT primary header unusable; using the backup header' });
      headers.push(backup);
    }
  }
  for (const h of headers) {
    const arr = await readSector(r, h.entriesLba * SECTOR, h.count * h.size);
    const entries = arr && gptEntries(arr, h);
    if (!entries) {
      problems.push({ at: h.entriesLba * SECTOR, what: 'GPT partition array unreadable or CRC mismatch' });
      // A primary header with a bad array: fall back to the backup's array.
      if (h === primary) {
        const backup = await readGptHeader(r, h.alt > 1 && h.alt <= lastLba ? h.alt : lastLba, problems);
        if (backup && backup !== h) headers.push(backup);
      }
      continue;
    }
    const volumes: FoundVolume[] = [];
    for (const { index: i, typeGuid: type, first, last } of entries) {
      if (last < first || first === 0 || (last + 1) * SECTOR > r.size + SECTOR) {
        problems.push({ at: h.entriesLba * SECTOR + i * h.size, what: `GPT entry ${i} out of range (${first}..${last})` });
        continue;
      }
      volumes.push({
        offset: first * SECTOR,
        size: Math.min((last - first + 1) * SECTOR, r.size - first * SECTOR),
        foundBy: 'gpt',
        typeHint: GPT_TYPES[type] ?? type,
      });
    }
    return { volumes, ok: true };
  }
  return { volumes: [], ok: false };
}

async function readMbrChain(r: MediaReader, mbr: Uint8Array, problems: FsProblem[]): Promise<FoundVolume[]> {
  const out: FoundVolume[] = [];
  const add = (startLba: number, count: number, type: number, at: number) => {
    if (count === 0 || type === 0) return;
    const off = startLba * SECTOR;
    if (off >= r.size || startLba === 0) {
      problems.push({ at, what: `partition at LBA ${startLba} lies outside the medium` });
      return;
    }
    const size = Math.min(count * SECTOR, r.size - off);
    if (size < count * SECTOR) problems.push({ at, what: `partition at LBA ${startLba} runs past the end of the medium` });
    out.push({ offset: off, size, foundBy: 'mbr', typeHint: mbrHint(type) });
  };
  for (const [i, { type, start, count }] of mbrEntries(mbr).entries()) {
    const e = 446 + 16 * i;
    if (type === 0 || count === 0) continue;
    if (!isExtended(type)) {
      add(start, count, type, e);
      continue;
    }
    // Logical partitions: EBR chain; each link is relative to the extended partition's start.
    const seen = new Set<number>();
    let ebr = start;
    for (let n = 0; n < MAX_LOGICAL && ebr !== 0; n++) {
      if (seen.has(ebr)) {
        problems.push({ at: ebr * SECTOR, what: 'extended partition chain loops' });
        break;
      }
      seen.add(ebr);
      const s = await readSector(r, ebr * SECTOR);
      if (!s || s[510] !== 0x55 || s[511] !== 0xaa) {
        problems.push({ at: ebr * SECTOR, what: 'extended boot record unreadable or unsigned' });
        break;
      }
      const [logical, next] = mbrEntries(s) as [MbrEntry, MbrEntry];
      if (logical.type !== 0 && !isExtended(logical.type)) add(ebr + logical.start, logical.count, logical.type, ebr * SECTOR + 446);
      ebr = isExtended(next.type) && next.count > 0 ? start + next.start : 0;
      if (n === MAX_LOGICAL - 1) problems.push({ at: ebr * SECTOR, what: 'too many logical partitions; stopped' });
    }
  }
  return out;
}

export async function findVolumes(reader: MediaReader): Promise<{ volumes: FoundVolume[]; problems: FsProblem[] }> {
  const problems: FsProblem[] = [];
  const s0 = await readSector(reader, 0);
  if (!s0) return { volumes: [], problems: [{ at: 0, what: 'sector 0 unreadable' }] };

  // A VBR at sector 0 wins over the partition-table reading: its boot code overlaps the table.
  const vt = vbrKind(s0);
  if (vt && s0[510] === 0x55 && s0[511] === 0xaa) {
    const size = Math.min(vbrSize(s0) || reader.size, reader.size);
    return { volumes: [{ offset: 0, size, foundBy: 'superfloppy', typeHint: vt }], problems };
  }

  if (mbrLooksValid(s0)) {
    const protective = mbrEntries(s0).some((e) => e.type === 0xee);
    if (protective) {
      const g = await readGpt(reader, problems);
      if (g.ok) return { volumes: g.volumes, problems };
      problems.push({ at: 0, what: 'protective MBR but no usable GPT' });
      return { volumes: [], problems };
    }
    const volumes = await readMbrChain(reader, s0, problems);
    return { volumes, problems };
  }

  // No MBR: a GPT whose protective MBR was wiped still has its headers.
  const g = await readGpt(reader, []);
  if (g.ok) {
    problems.push({ at: 0, what: 'protective MBR missing; GPT found' });
    return { volumes: g.volumes, problems };
  }

  // Sector 0 wiped: FAT32 keeps a backup boot sector at 6, exFAT a backup boot region at 12.
  for (const [sec, want] of [[6, 'fat'], [12, 'exfat']] as const) {
    const b = await readSector(reader, sec * SECTOR);
    if (b && b[510] === 0x55 && b[511] === 0xaa && vbrKind(b) === want) {
      problems.push({ at: 0, what: `sector 0 is not a boot sector; backup boot sector found at sector ${sec}` });
      const size = Math.min(vbrSize(b) || reader.size, reader.size);
      return { volumes: [{ offset: 0, size, foundBy: 'backup-boot', typeHint: want }], problems };
    }
  }
  problems.push({ at: 0, what: 'no partition table or boot sector at the start of the medium' });
  return { volumes: [], problems };
}

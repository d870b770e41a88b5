// Finds volumes on a medium: MBR (primary + extended/logical chain), GPT (backup header when the
// primary fails its CRC), superfloppy (a VBR at sector 0) and a FAT32/exFAT backup boot sector
// when sector 0 itself is wiped. Every loop is bounded; bad tables become problems, not throws.
import type { FsProblem, MediaReader } from './types.ts';
import { u16, u32, u64 } from '../layout/le.ts';
import { readExact } from './read-exact.ts';
import { mbrLooksValid, vbrKind } from '../layout/boot-sector.ts';

export type FoundBy = 'mbr' | 'gpt' | 'superfloppy' | 'backup-boot';
export interface FoundVolume {
  offset: number;
  size: number;
  foundBy: FoundBy;
  typeHint?: string;
}

const SECTOR = 512;
const MAX_LOGICAL = 128;
const MAX_GPT_ENTRIES = 1024;


let crcTable: Uint32Array | null = null;
/** CRC-32 (IEEE 802.3, reflected), as GPT uses. */
export function crc32(b: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = crcTable[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One sector (or `len` bytes) at `off`, or null. */
const readSector = (r: MediaReader, off: number, len = SECTOR) => readExact(r, off, len);

const ascii = (b: Uint8Array, o: number, n: number): string => String.fromCharCode(...b.subarray(o, o + n));

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

function guidString(b: Uint8Array, o: number): string {
  const h = (i: number) => (b[o + i] ?? 0).toString(16).padStart(2, '0');
  return (
    [3, 2, 1, 0].map(h).join('') + '-' + [5, 4].map(h).join('') + '-' + [7, 6].map(h).join('') + '-' +
    [8, 9].map(h).join('') + '-' + [10, 11, 12, 13, 14, 15].map(h).join('')
  ).toUpperCase();
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

async function parseGptHeader(
  r: MediaReader,
  lba: number,
  problems: FsProblem[],
): Promise<{ hdr: Uint8Array; entriesLba: number; count: number; size: number; entriesCrc: number; alt: number } | null> {
  const hdr = await readSector(r, lba * SECTOR);
  if (!hdr || ascii(hdr, 0, 8) !== 'EFI PART') return null;
  const hsize = u32(hdr, 12);
  if (hsize < 92 || hsize > SECTOR) {
    problems.push({ at: lba * SECTOR, what: `GPT header size ${hsize} out of range` });
    return null;
  }
  const copy = hdr.slice(0, hsize);
  copy.fill(0, 16, 20);
  if (crc32(copy) !== u32(hdr, 16)) {
    problems.push({ at: lba * SECTOR, what: 'GPT header CRC mismatch' });
    return null;
  }
  const count = u32(hdr, 80);
  const size = u32(hdr, 84);
  if (count > MAX_GPT_ENTRIES || size < 128 || size > 1024 || size % 8 !== 0) {
    problems.push({ at: lba * SECTOR, what: `GPT entry array ${count}×${size} out of range` });
    return null;
  }
  return { hdr, entriesLba: u64(hdr, 72), count, size, entriesCrc: u32(hdr, 88), alt: u64(hdr, 32) };
}

async function readGpt(r: MediaReader, problems: FsProblem[]): Promise<GptResult> {
  const lastLba = Math.floor(r.size / SECTOR) - 1;
  const primary = await parseGptHeader(r, 1, problems);
  const headers = primary ? [primary] : [];
  if (!primary) {
    // The backup header sits at the last LBA; its address is also in the primary (lost here).
    const backup = await parseGptHeader(r, lastLba, problems);
    if (backup) {
      problems.push({ at: lastLba * SECTOR, what: 'GPT primary header unusable; using the backup header' });
      headers.push(backup);
    }
  }
  for (const h of headers) {
    const arr = await readSector(r, h.entriesLba * SECTOR, h.count * h.size);
    if (!arr || crc32(arr) !== h.entriesCrc) {
      problems.push({ at: h.entriesLba * SECTOR, what: 'GPT partition array unreadable or CRC mismatch' });
      // A primary header with a bad array: fall back to the backup's array.
      if (h === primary) {
        const backup = await parseGptHeader(r, h.alt > 1 && h.alt <= lastLba ? h.alt : lastLba, problems);
        if (backup && backup !== h) headers.push(backup);
      }
      continue;
    }
    const volumes: FoundVolume[] = [];
    for (let i = 0; i < h.count; i++) {
      const e = arr.subarray(i * h.size, (i + 1) * h.size);
      if (e.subarray(0, 16).every((x) => x === 0)) continue;
      const first = u64(e, 32);
      const last = u64(e, 40);
      if (last < first || first === 0 || (last + 1) * SECTOR > r.size + SECTOR) {
        problems.push({ at: h.entriesLba * SECTOR + i * h.size, what: `GPT entry ${i} out of range (${first}..${last})` });
        continue;
      }
      const type = guidString(e, 0);
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
  for (let i = 0; i < 4; i++) {
    const e = 446 + 16 * i;
    const type = mbr[e + 4] ?? 0;
    const start = u32(mbr, e + 8);
    const count = u32(mbr, e + 12);
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
      const lt = s[446 + 4] ?? 0;
      if (lt !== 0 && !isExtended(lt)) add(ebr + u32(s, 446 + 8), u32(s, 446 + 12), lt, ebr * SECTOR + 446);
      const nt = s[462 + 4] ?? 0;
      ebr = isExtended(nt) && u32(s, 462 + 12) > 0 ? start + u32(s, 462 + 8) : 0;
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
    const protective = [0, 1, 2, 3].some((i) => s0[446 + 16 * i + 4] === 0xee);
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

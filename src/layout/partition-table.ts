/**
 * Partition tables as bytes: the four MBR entries at 446 (status, type, start LBA, sector count;
 * an EBR uses the same layout) and the GPT header (UEFI spec §5.3: "EFI PART", header CRC-32 at 16
 * over HeaderSize bytes, entry array LBA at 72, count at 80, entry size at 84, array CRC-32 at 88)
 * with its entry array (type GUID at 0, first LBA at 32, last LBA at 40). Both CRCs are checked
 * before an entry is believed. Pure and total; src/fs reads the sectors and judges the ranges.
 */
import { isGptHeader } from './boot-sector.ts';
import { u32, u64 } from './le.ts';

export const MAX_GPT_ENTRIES = 1024;

export interface MbrEntry {
  readonly status: number;
  readonly type: number;
  readonly start: number;
  readonly count: number;
}

/** The four entries of an MBR or EBR sector (empty ones included, in table order). */
export function mbrEntries(s: Uint8Array): MbrEntry[] {
  return [0, 1, 2, 3].map((i) => {
    const e = 446 + 16 * i;
    return { status: s[e] ?? 0, type: s[e + 4] ?? 0, start: u32(s, e + 8), count: u32(s, e + 12) };
  });
}

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

export interface GptHeader {
  readonly entriesLba: number;
  readonly count: number;
  readonly size: number;
  readonly entriesCrc: number;
  /** LBA of the other header (the backup's, read from the primary). */
  readonly alt: number;
}

/** The GPT header in a 512-byte sector: null when it is not one, a string saying why it is unusable. */
export function parseGptHeader(hdr: Uint8Array): GptHeader | string | null {
  if (hdr.length < 512 || !isGptHeader(hdr)) return null;
  const hsize = u32(hdr, 12);
  if (hsize < 92 || hsize > 512) return `GPT header size ${hsize} out of range`;
  const copy = hdr.slice(0, hsize);
  copy.fill(0, 16, 20);
  if (crc32(copy) !== u32(hdr, 16)) return 'GPT header CRC mismatch';
  const count = u32(hdr, 80);
  const size = u32(hdr, 84);
  if (count > MAX_GPT_ENTRIES || size < 128 || size > 1024 || size % 8 !== 0) return `GPT entry array ${count}×${size} out of range`;
  return { entriesLba: u64(hdr, 72), count, size, entriesCrc: u32(hdr, 88), alt: u64(hdr, 32) };
}

export interface GptEntry {
  readonly index: number;
  readonly typeGuid: string;
  readonly first: number;
  readonly last: number;
}

function guidString(b: Uint8Array, o: number): string {
  const h = (i: number) => (b[o + i] ?? 0).toString(16).padStart(2, '0');
  return (
    [3, 2, 1, 0].map(h).join('') + '-' + [5, 4].map(h).join('') + '-' + [7, 6].map(h).join('') + '-' +
    [8, 9].map(h).join('') + '-' + [10, 11, 12, 13, 14, 15].map(h).join('')
  ).toUpperCase();
}

/** The used entries of a GPT entry array (count × size bytes), or null when its CRC does not match. */
export function gptEntries(arr: Uint8Array, h: GptHeader): GptEntry[] | null {
  if (arr.length < h.count * h.size || crc32(arr.subarray(0, h.count * h.size)) !== h.entriesCrc) return null;
  const out: GptEntry[] = [];
  for (let i = 0; i < h.count; i++) {
    const e = arr.subarray(i * h.size, (i + 1) * h.size);
    if (e.subarray(0, 16).every((x) => x === 0)) continue;
    out.push({ index: i, typeGuid: guidString(e, 0), first: u64(e, 32), last: u64(e, 40) });
  }
  return out;
}

/**
 * Boot sectors and partition tables found anywhere (backup boot sectors, volumes whose partition
 * table is gone). Sector layout: 55 AA at 510; VBRs carry an OEM/file-system id at 3:
 *   "NTFS    " (NTFS), "EXFAT   " (exFAT), or a BPB with a sane bytes-per-sector (FAT);
 * "EFI PART" at 0 is a GPT header. Everything else ending in 55 AA is treated as a possible MBR only
 * when its four partition entries are sane. Classification is advisory: src/fs decides.
 */
import { bytesAt } from './der-peek.ts';
import type { CarverSpec, Chunk, Candidate } from './types.ts';

export type BootKind = 'mbr' | 'fat' | 'exfat' | 'ntfs' | 'gpt';
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const NTFS = ascii('NTFS    ');
const EXFAT = ascii('EXFAT   ');
const GPT = ascii('EFI PART');

export function classifyBoot(s: Uint8Array): BootKind | null {
  if (s.length < 512) return null;
  if (bytesAt(s, 0, GPT)) return 'gpt';
  if (s[510] !== 0x55 || s[511] !== 0xaa) return null;
  if (bytesAt(s, 3, NTFS)) return 'ntfs';
  if (bytesAt(s, 3, EXFAT)) return 'exfat';
  const bps = s[11]! | (s[12]! << 8);
  const spc = s[13]!;
  const jump = s[0] === 0xeb || s[0] === 0xe9;
  if (jump && (bps === 512 || bps === 1024 || bps === 2048 || bps === 4096) && spc !== 0 && (spc & (spc - 1)) === 0) {
    const reserved = s[14]! | (s[15]! << 8);
    const fats = s[16]!;
    if (reserved > 0 && fats > 0 && fats <= 4) return 'fat';
  }
  // MBR: every entry has status 00 or 80, and at least one non-empty entry.
  let used = 0;
  for (let e = 446; e < 510; e += 16) {
    const status = s[e]!;
    if (status !== 0 && status !== 0x80) return null;
    if (s[e + 4] !== 0) used++;
  }
  return used > 0 ? 'mbr' : null;
}

function carveBoot(chunk: Chunk, start: number): readonly Candidate[] {
  const s = chunk.bytes.subarray(start, start + 512);
  const kind = classifyBoot(s);
  if (!kind) return [];
  return [{ kind: 'boot', offset: chunk.base + start, bytes: s.slice(), checks: ['anchor', 'der-shape'] }];
}

export const bootSectorCarver: CarverSpec = Object.freeze({
  kind: 'boot',
  anchors: [{ at: 510, bytes: Uint8Array.of(0x55, 0xaa) }, { at: 0, bytes: GPT }],
  maxLength: 512,
  carve: carveBoot,
});

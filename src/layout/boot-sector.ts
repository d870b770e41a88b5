/**
 * Recognising a 512-byte sector that starts a volume or a partition table. Sector layout:
 * 55 AA at 510; a VBR carries an OEM / file-system id at 3: "NTFS    " (NTFS), "EXFAT   " (exFAT),
 * or a BPB with a sane bytes-per-sector (FAT); "EFI PART" at 0 is a GPT header; any other sector
 * ending in 55 AA is a possible MBR only when its four partition entries are sane.
 * Recognition is advisory: the drivers in src/fs parse and decide.
 */
import { bytesAt } from '../format/der-peek.ts';
import { u16 } from './le.ts';

export type BootKind = 'mbr' | 'fat' | 'exfat' | 'ntfs' | 'gpt';
export type VbrKind = 'fat' | 'exfat' | 'ntfs';

const SECTOR = 512;
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const GPT_SIGNATURE = ascii('EFI PART');
const NTFS = ascii('NTFS    ');
const EXFAT = ascii('EXFAT   ');

export const hasBootSignature = (s: Uint8Array): boolean => s.length >= SECTOR && s[510] === 0x55 && s[511] === 0xaa;
export const isGptHeader = (s: Uint8Array): boolean => bytesAt(s, 0, GPT_SIGNATURE);

/** Which file system a volume boot record announces (the 55 AA signature is not checked here). */
export function vbrKind(s: Uint8Array): VbrKind | null {
  if (s.length < SECTOR) return null;
  if (bytesAt(s, 3, EXFAT)) return 'exfat';
  if (bytesAt(s, 3, NTFS)) return 'ntfs';
  const jump = s[0] === 0xeb || s[0] === 0xe9;
  const bps = u16(s, 11);
  const spc = s[13]!;
  const fats = s[16]!;
  if (!jump || ![512, 1024, 2048, 4096].includes(bps)) return null;
  if (spc === 0 || (spc & (spc - 1)) !== 0 || u16(s, 14) === 0 || fats < 1 || fats > 4) return null;
  return 'fat';
}

/** An MBR's shape: signed, every entry's status 00 or 80, at least one entry with a type. */
export function mbrLooksValid(s: Uint8Array): boolean {
  if (!hasBootSignature(s)) return false;
  let used = 0;
  for (let e = 446; e < 510; e += 16) {
    const status = s[e]!;
    if (status !== 0 && status !== 0x80) return false;
    if (s[e + 4] !== 0) used++;
  }
  return used > 0;
}

export function classifyBoot(s: Uint8Array): BootKind | null {
  if (s.length < SECTOR) return null;
  if (isGptHeader(s)) return 'gpt';
  if (!hasBootSignature(s)) return null;
  return vbrKind(s) ?? (mbrLooksValid(s) ? 'mbr' : null);
}

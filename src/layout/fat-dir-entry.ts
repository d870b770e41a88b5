// FAT directory entries: 8.3 names with the NT lower-case flags, VFAT long names (checksum-checked,
// also for deleted entries whose first byte is lost), and restoration of `?EADER.KEY`-style names.

import { KEY_FILE_NAMES } from '../format/key-file-names.ts';
import { u16, u32 } from './le.ts';

/** The key-file names as 8.3 stores them. */
const KEY_NAMES = KEY_FILE_NAMES.map((n) => n.toUpperCase());

export interface DirEntry {
  /** Index of the 32-byte slot in the directory bytes. */
  readonly slot: number;
  /** Best name: long name, else 8.3 with case flags; deleted first letters restored where possible. */
  readonly name: string;
  /** The raw 8.3 name as stored, e.g. "HEADER  KEY" (first byte 0xE5 shown as '?'). */
  readonly shortRaw: string;
  readonly deleted: boolean;
  readonly isDir: boolean;
  readonly isDot: boolean;
  readonly isDotDot: boolean;
  readonly attr: number;
  readonly size: number;
  readonly clusterLo: number;
  readonly clusterHi: number;
  /** True when the first letter was guessed (no long name, not a known key-file name). */
  readonly nameGuessed: boolean;
  readonly times: { created?: string; modified?: string; accessed?: string };
}


/** VFAT short-name checksum over the 11 name bytes. */
export function lfnChecksum(name11: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < 11; i++) s = (((s & 1) << 7) + (s >> 1) + (name11[i] ?? 0)) & 0xff;
  return s;
}

// Characters allowed in a stored 8.3 name (besides letters/digits and code-page bytes ≥ 0x80).
const SHORT_OK = new Set(Array.from(" !#$%&'()-@^_`{}~", (c) => c.charCodeAt(0)));
function shortCharOk(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c >= 0x80 || SHORT_OK.has(c);
}

/** The cluster a `.` or `..` entry at o names. FAT12/16 `.` entries have no high word: a stale one there is noise. */
export function dotCluster(b: Uint8Array, o: number, fat32: boolean): number {
  const lo = (b[o + 26] ?? 0) | ((b[o + 27] ?? 0) << 8);
  return fat32 ? lo + ((b[o + 20] ?? 0) | ((b[o + 21] ?? 0) << 8)) * 0x10000 : lo;
}

/** `.` / `..` entry at slot o, tolerating a deleted (0xE5) first byte. */
export function isDotEntry(b: Uint8Array, o: number, two: boolean): boolean {
  const f = b[o] ?? 0;
  if (f !== 0x2e && f !== 0xe5) return false;
  if (two && b[o + 1] !== 0x2e) return false;
  for (let i = two ? 2 : 1; i < 11; i++) if (b[o + i] !== 0x20) return false;
  return ((b[o + 11] ?? 0) & 0x10) !== 0;
}

/** A directory cluster at o: it opens with `.` and `..`. */
export const opensDirectory = (b: Uint8Array, o: number): boolean => isDotEntry(b, o, false) && isDotEntry(b, o + 32, true);

/** A directory's cluster `prev`, with no end mark, runs on into `next` (at `at`): that one opens
 * with a valid entry and not with another directory's `.`. */
export const runsOnInto = (prev: Uint8Array, next: Uint8Array, at = 0): boolean =>
  !parseDirEntries(prev).ended && entryLooksValid(next, at) && !isDotEntry(next, at, false);

/** Cheap shape test for one 32-byte entry (used by the carver and for deleted directories). */
export function entryLooksValid(b: Uint8Array, o: number): boolean {
  const first = b[o] ?? 0;
  if (first === 0) return false;
  const attr = b[o + 11] ?? 0;
  if (attr === 0x0f) {
    // LFN: cluster field 0, type 0, ordinal 1..20 (or deleted).
    return u16(b, o + 26) === 0 && (b[o + 12] ?? 0) === 0 && (first === 0xe5 || ((first & 0x1f) >= 1 && (first & 0x1f) <= 20));
  }
  if (attr & 0xc0) return false;
  if (first === 0x2e) {
    const dotdot = b[o + 1] === 0x2e;
    for (let i = dotdot ? 2 : 1; i < 11; i++) if (b[o + i] !== 0x20) return false;
    return (attr & 0x10) !== 0;
  }
  for (let i = first === 0xe5 || first === 0x05 ? 1 : 0; i < 11; i++) if (!shortCharOk(b[o + i] ?? 0)) return false;
  if (b[o] === 0x20) return false;
  const size = u32(b, o + 28);
  if (attr & 0x10 && size !== 0) return false;
  if (attr & 0x08) return true; // volume label
  return true;
}

function decodeShort(raw: Uint8Array, ntFlags: number): string {
  const cs = (from: number, to: number, lower: boolean) => {
    let s = '';
    for (let i = from; i < to; i++) {
      const c = raw[i] ?? 0x20;
      let ch = c < 0x80 ? String.fromCharCode(c) : cp866(c);
      if (lower) ch = ch.toLowerCase();
      s += ch;
    }
    return s.replace(/ +$/, '');
  };
  const base = cs(0, 8, (ntFlags & 0x08) !== 0);
  const ext = cs(8, 11, (ntFlags & 0x10) !== 0);
  return ext ? `${base}.${ext}` : base;
}

// OEM code page 866 (Russian DOS) for bytes ≥ 0x80 in short names; the likeliest on these media.
const CP866_HI =
  'АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмноп░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀рстуфхцчшщъыьэюяЁёЄєЇїЎў°∙·√№¤■ ';
function cp866(c: number): string {
  return CP866_HI[c - 0x80] ?? '_';
}

function dosTime(date: number, time: number, tenths = 0): string | undefined {
  if (date === 0) return undefined;
  const y = 1980 + (date >> 9);
  const mo = (date >> 5) & 0xf;
  const d = date & 0x1f;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const h = (time >> 11) & 0x1f;
  const mi = (time >> 5) & 0x3f;
  const s = (time & 0x1f) * 2 + Math.floor(tenths / 100);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(Math.min(s, 59))}`;
}

/** Restores a lost first letter from the canonical key-file names ("?EADER.KEY" → "HEADER.KEY"). */
export function restoreKeyName(rest: string): string | null {
  const up = rest.toUpperCase();
  const hits = KEY_NAMES.filter((k) => k.slice(1) === up);
  return hits.length === 1 ? hits[0]! : null;
}

interface LfnPart {
  ord: number;
  checksum: number;
  chars: number[];
}

/**
 * Parses directory bytes into entries. Stops at the first 0x00 entry (end of directory) and at
 * `maxEntries`. Invalid-looking slots are skipped (and reset any long-name run).
 */
export function parseDirEntries(b: Uint8Array, maxEntries = 65536): { entries: DirEntry[]; invalid: number; ended: boolean } {
  const entries: DirEntry[] = [];
  let lfn: LfnPart[] = [];
  let invalid = 0;
  const n = Math.min(Math.floor(b.length / 32), maxEntries);
  for (let i = 0; i < n; i++) {
    const o = i * 32;
    const first = b[o] ?? 0;
    if (first === 0) return { entries, invalid, ended: true };
    const attr = b[o + 11] ?? 0;
    if (!entryLooksValid(b, o)) {
      invalid++;
      lfn = [];
      continue;
    }
    if (attr === 0x0f) {
      const chars: number[] = [];
      for (const [from, cnt] of [[1, 5], [14, 6], [28, 2]] as const) for (let k = 0; k < cnt; k++) chars.push(u16(b, o + from + 2 * k));
      lfn.push({ ord: first === 0xe5 ? -1 : first & 0x1f, checksum: b[o + 13] ?? 0, chars });
      continue;
    }
    const deleted = first === 0xe5;
    const raw = b.slice(o, o + 11);
    if (first === 0x05) raw[0] = 0xe5;
    const isDot = first === 0x2e && b[o + 1] === 0x20;
    const isDotDot = first === 0x2e && b[o + 1] === 0x2e;
    const nt = b[o + 12] ?? 0;
    let name: string | null = null;
    let nameGuessed = false;
    // Long name: entries precede the short entry in reverse order; checksum must match.
    if (lfn.length) {
      const sumFor = (r: Uint8Array) => lfnChecksum(r);
      const parts = lfn.slice().reverse();
      const sum = parts[0]!.checksum;
      const consistent = parts.every((p) => p.checksum === sum);
      let long = '';
      for (const p of parts) for (const ch of p.chars) {
        if (ch === 0 || ch === 0xffff) break;
        long += String.fromCharCode(ch);
      }
      // A live run needs ordinals 1..n; a deleted run lost them but keeps its checksum.
      if (consistent && long) {
        if (!deleted && sumFor(raw) === sum) name = long;
        else if (deleted) {
          const c0 = long[0]!.toUpperCase().charCodeAt(0);
          const tryRaw = raw.slice();
          // The short name's first byte is usually the long name's first letter upper-cased.
          for (const cand of [c0, 0x5f, 0x7e]) {
            tryRaw[0] = cand;
            if (cand < 0x100 && sumFor(tryRaw) === sum) {
              name = long;
              break;
            }
          }
        }
      }
    }
    lfn = [];
    const shortRaw = String.fromCharCode(...(deleted ? [0x3f, ...raw.subarray(1)] : raw));
    if (name === null) {
      const s = decodeShort(raw, nt);
      if (!deleted) name = s;
      else {
        const rest = s.slice(1);
        const k = restoreKeyName(rest);
        if (k) name = (nt & 0x08 ? k.split('.')[0]!.toLowerCase() : k.split('.')[0]!) + '.' + (nt & 0x10 ? 'key' : 'KEY');
        else {
          name = '_' + rest;
          nameGuessed = true;
        }
      }
    }
    entries.push({
      slot: i,
      name,
      shortRaw,
      deleted,
      isDir: (attr & 0x10) !== 0,
      isDot,
      isDotDot,
      attr,
      size: u32(b, o + 28),
      clusterLo: u16(b, o + 26),
      clusterHi: u16(b, o + 20),
      nameGuessed,
      times: {
        created: dosTime(u16(b, o + 16), u16(b, o + 14), b[o + 13] ?? 0),
        modified: dosTime(u16(b, o + 24), u16(b, o + 22)),
        accessed: dosTime(u16(b, o + 18), 0)?.slice(0, 10),
      },
    });
  }
  return { entries, invalid, ended: false };
}

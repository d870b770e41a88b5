/**
 * exFAT directory entries (exFAT specification §6–7). A file is an entry set: a File entry (0x85),
 * a Stream Extension (0xC0), then File Name entries (0xC1), 15 UTF-16 units each. Deleting a file
 * only clears bit 7 of each type byte (0x05/0x40/0x41); the set checksum is not recomputed, so it
 * is verified with the in-use bit put back. Parsers are total and never read past the buffer.
 */
import { u16, u32, u64 } from './le.ts';

export const ENTRY = 32;

export interface EntrySet {
  /** Byte offset of the File entry inside the parsed buffer. */
  readonly index: number;
  /** 32-byte entries the set occupies (1 + SecondaryCount). */
  readonly entries: number;
  readonly deleted: boolean;
  readonly isDir: boolean;
  readonly attributes: number;
  readonly name: string;
  readonly checksumOk: boolean;
  readonly hashOk: boolean;
  readonly noFatChain: boolean;
  readonly firstCluster: number;
  readonly dataLength: number;
  readonly validDataLength: number;
  readonly times: { created?: string; modified?: string; accessed?: string };
}

export interface BitmapEntry {
  readonly index: number;
  readonly which: number;
  readonly firstCluster: number;
  readonly dataLength: number;
}

export interface ParsedDirectory {
  readonly sets: EntrySet[];
  readonly bitmaps: BitmapEntry[];
  readonly label: string | null;
  /** Offset of the first end-of-directory (0x00) entry, or -1. */
  readonly endAt: number;
}

/** Entry set checksum (§6.3.3) with every type byte's in-use bit forced on. */
export function setChecksum(b: Uint8Array, off: number, count: number): number {
  let sum = 0;
  for (let i = 0; i < count * ENTRY; i++) {
    if (i === 2 || i === 3) continue;
    let v = b[off + i]!;
    if (i % ENTRY === 0) v |= 0x80;
    sum = ((((sum & 1) << 15) | (sum >>> 1)) + v) & 0xffff;
  }
  return sum;
}

/** Name hash (§7.6.4) over the up-cased name. The volume's up-case table is not read: the
 * mandated default table agrees with Unicode simple upper-casing for the names that matter
 * (Latin, Cyrillic), so a mismatch is a hint, never a reason to drop a set. */
export function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    const up = ch.toUpperCase();
    const c = up.length === 1 ? up.charCodeAt(0) : ch.charCodeAt(0);
    h = ((((h & 1) << 15) | (h >>> 1)) + (c & 0xff)) & 0xffff;
    h = ((((h & 1) << 15) | (h >>> 1)) + (c >>> 8)) & 0xffff;
  }
  return h;
}

const BAD_NAME_CHARS = new Set([0x22, 0x2a, 0x2f, 0x3a, 0x3c, 0x3e, 0x3f, 0x5c, 0x7c]);

function timestamp(ts: number, cs: number, utc: number): string | undefined {
  if (ts === 0) return undefined;
  const sec = (ts & 31) * 2;
  const min = (ts >>> 5) & 63;
  const hour = (ts >>> 11) & 31;
  const day = (ts >>> 16) & 31;
  const month = (ts >>> 21) & 15;
  const year = 1980 + (ts >>> 25);
  if (day < 1 || month < 1 || month > 12 || hour > 23 || min > 59 || sec > 59) return undefined;
  const ms = cs <= 199 ? cs * 10 : 0;
  let t = Date.UTC(year, month - 1, day, hour, min, sec) + ms;
  if (utc & 0x80) {
    const q = utc & 0x40 ? (utc & 0x7f) - 0x80 : utc & 0x7f; // signed 15-minute steps
    t -= q * 15 * 60_000;
    return new Date(t).toISOString();
  }
  return new Date(t).toISOString().replace('Z', ''); // local time of unknown zone
}

/**
 * The entry set whose File entry is at `off`, or null when the bytes do not have the shape of one:
 * type sequence with a consistent in-use bit, SecondaryCount 2–18, name entries for the whole
 * NameLength, a plausible name. The checksum is reported, not required (callers decide).
 */
export function parseSetAt(b: Uint8Array, off: number): EntrySet | null {
  if (off < 0 || off + 3 * ENTRY > b.length) return null;
  const t = b[off]!;
  if (t !== 0x85 && t !== 0x05) return null;
  const inUse = t & 0x80;
  const sc = b[off + 1]!;
  if (sc < 2 || sc > 18) return null;
  if (off + (sc + 1) * ENTRY > b.length) return null;
  const s = off + ENTRY;
  if (b[s] !== (0x40 | inUse)) return null;
  const nameLen = b[s + 3]!;
  if (nameLen === 0) return null;
  const nameEntries = Math.ceil(nameLen / 15);
  if (nameEntries > sc - 1) return null;
  const units: number[] = [];
  for (let k = 0; k < nameEntries; k++) {
    const e = s + ENTRY * (k + 1);
    if (b[e] !== (0x41 | inUse)) return null;
    for (let j = 0; j < 15 && units.length < nameLen; j++) units.push(u16(b, e + 2 + 2 * j));
  }
  // Any further secondaries must be benign secondaries with the same in-use bit.
  for (let k = nameEntries + 1; k < sc; k++) {
    const ty = b[s + ENTRY * k]!;
    if ((ty & 0x80) !== inUse || (ty & 0x40) === 0) return null;
  }
  for (const u of units) if (u < 0x20 || BAD_NAME_CHARS.has(u)) return null;
  const name = String.fromCharCode(...units);
  const attributes = u16(b, off + 4);
  if (attributes & 0xffc8) return null; // reserved attribute bits (and volume-label bit) must be 0
  const stored = u16(b, off + 2);
  const flags = b[s + 1]!;
  return {
    index: off,
    entries: sc + 1,
    deleted: inUse === 0,
    isDir: (attributes & 0x10) !== 0,
    attributes,
    name,
    checksumOk: setChecksum(b, off, sc + 1) === stored,
    hashOk: nameHash(name) === u16(b, s + 4),
    noFatChain: (flags & 2) !== 0,
    firstCluster: u32(b, s + 20),
    dataLength: u64(b, s + 24),
    validDataLength: u64(b, s + 8),
    times: {
      created: timestamp(u32(b, off + 8), b[off + 20]!, b[off + 22]!),
      modified: timestamp(u32(b, off + 12), b[off + 21]!, b[off + 23]!),
      accessed: timestamp(u32(b, off + 16), 0, b[off + 24]!),
    },
  };
}

/** Every entry set and the critical primaries in a directory's bytes. Walks past the end marker
 * too: stale sets there are still evidence (callers treat them as deleted). */
export function parseDirectory(b: Uint8Array): ParsedDirectory {
  const sets: EntrySet[] = [];
  const bitmaps: BitmapEntry[] = [];
  let label: string | null = null;
  let endAt = -1;
  for (let i = 0; i + ENTRY <= b.length; ) {
    const t = b[i]!;
    if (t === 0x00 && endAt < 0) endAt = i;
    if (t === 0x85 || t === 0x05) {
      const set = parseSetAt(b, i);
      if (set) {
        sets.push(set);
        i += set.entries * ENTRY;
        continue;
      }
    } else if (t === 0x81 && (endAt < 0 || i < endAt)) {
      bitmaps.push({ index: i, which: b[i + 1]! & 1, firstCluster: u32(b, i + 20), dataLength: u64(b, i + 24) });
    } else if (t === 0x83 && label === null && (endAt < 0 || i < endAt)) {
      const n = Math.min(b[i + 1]!, 11);
      const u: number[] = [];
      for (let j = 0; j < n; j++) u.push(u16(b, i + 2 + 2 * j));
      label = String.fromCharCode(...u);
    }
    i += ENTRY;
  }
  return { sets, bitmaps, label, endAt };
}

// MFT FILE record parsing: update-sequence fix-ups, header, attributes and the few attribute
// bodies we need. Every offset and length read from the record is checked against the record.

import { fitU16 as u16, fitU32 as u32, fitU64 as u64 } from './le.ts';

// NTFS reads a field only when it lies wholly in the record (else 0; 64-bit fields −1, also at
// 2^53 or more): the `fit` readers of le.ts.

export const ATTR_STANDARD_INFORMATION = 0x10;
export const ATTR_ATTRIBUTE_LIST = 0x20;
export const ATTR_FILE_NAME = 0x30;
export const ATTR_VOLUME_NAME = 0x60;
export const ATTR_DATA = 0x80;
export const ATTR_INDEX_ROOT = 0x90;
export const ATTR_INDEX_ALLOCATION = 0xa0;

/** NTFS applies the update sequence per 512-byte block regardless of the sector size. */
export const FIXUP_STRIDE = 512;
export const MAX_RECORD = 4096;

export interface FileRef {
  readonly num: number;
  readonly seq: number;
}

export function readRef(b: Uint8Array, o: number): FileRef {
  return { num: u32(b, o) + u16(b, o + 4) * 0x100000000, seq: u16(b, o + 6) };
}

/**
 * Applies the update sequence array of a multi-sector record (FILE or INDX) to a copy.
 * Returns null when the header is implausible or a sector's check value does not match (torn write).
 */
export function applyFixups(raw: Uint8Array, size: number): Uint8Array | null {
  if (size < FIXUP_STRIDE || size > MAX_RECORD || size % FIXUP_STRIDE !== 0 || raw.length < size) return null;
  const usaOff = u16(raw, 4);
  const usaCount = u16(raw, 6);
  if (usaCount !== size / FIXUP_STRIDE + 1) return null;
  if (usaOff < 0x28 || usaOff % 2 !== 0 || usaOff + usaCount * 2 > FIXUP_STRIDE - 2) return null;
  const out = raw.slice(0, size);
  const c0 = out[usaOff]!;
  const c1 = out[usaOff + 1]!;
  for (let i = 1; i < usaCount; i++) {
    const end = i * FIXUP_STRIDE - 2;
    if (out[end] !== c0 || out[end + 1] !== c1) return null;
    out[end] = out[usaOff + i * 2]!;
    out[end + 1] = out[usaOff + i * 2 + 1]!;
  }
  return out;
}

export interface Attribute {
  readonly type: number;
  readonly name: string;
  readonly id: number;
  readonly flags: number;
  readonly resident: boolean;
  /** Resident value (a view into the record). */
  readonly value?: Uint8Array;
  // Non-resident fields.
  readonly startVcn?: number;
  readonly lastVcn?: number;
  readonly allocatedSize?: number;
  readonly realSize?: number;
  readonly initializedSize?: number;
  readonly compressionUnit?: number;
  /** Mapping pairs bytes (a view into the record). */
  readonly runs?: Uint8Array;
}

export interface MftRecord {
  /** Record number from the header (NTFS 3.1+), or -1 when the header predates it. */
  readonly number: number;
  readonly seq: number;
  readonly inUse: boolean;
  readonly isDir: boolean;
  readonly base: FileRef;
  readonly attributes: readonly Attribute[];
}

export type RecordResult = { ok: true; record: MftRecord } | { ok: false; why: string };

function utf16(b: Uint8Array, o: number, chars: number): string | null {
  if (o < 0 || o + chars * 2 > b.length) return null;
  let s = '';
  for (let i = 0; i < chars; i++) s += String.fromCharCode(b[o + i * 2]! | (b[o + i * 2 + 1]! << 8));
  return s;
}

const MAX_ATTRS = 256;

/** Parses a record whose fix-ups were already applied (`rec` holds exactly the record). */
export function parseRecord(rec: Uint8Array): RecordResult {
  if (rec.length < 0x30 || rec[0] !== 0x46 || rec[1] !== 0x49 || rec[2] !== 0x4c || rec[3] !== 0x45) return { ok: false, why: 'no FILE signature' };
  const seq = u16(rec, 0x10);
  const firstAttr = u16(rec, 0x14);
  const flags = u16(rec, 0x16);
  const used = u32(rec, 0x18);
  const usaOff = u16(rec, 4);
  if (firstAttr < 0x30 || firstAttr % 8 !== 0 || firstAttr >= rec.length) return { ok: false, why: 'bad first attribute offset' };
  const limit = Math.min(rec.length, used >= firstAttr + 4 ? used : rec.length);
  const number = usaOff >= 0x30 ? u32(rec, 0x2c) : -1;
  const attributes: Attribute[] = [];
  let p = firstAttr;
  while (p + 4 <= limit) {
    const type = u32(rec, p);
    if (type === 0xffffffff) break;
    const len = u32(rec, p + 4);
    if (len < 0x18 || len % 8 !== 0 || p + len > limit) return { ok: false, why: `bad attribute length at 0x${p.toString(16)}` };
    if (attributes.length >= MAX_ATTRS) return { ok: false, why: 'too many attributes' };
    const a = rec.subarray(p, p + len);
    const nonRes = a[8]!;
    const nameLen = a[9]!;
    const nameOff = u16(a, 0x0a);
    const name = nameLen ? utf16(a, nameOff, nameLen) : '';
    if (name === null) return { ok: false, why: 'attribute name out of bounds' };
    const aflags = u16(a, 0x0c);
    const id = u16(a, 0x0e);
    if (nonRes === 0) {
      const vlen = u32(a, 0x10);
      const voff = u16(a, 0x14);
      if (voff + vlen > len) return { ok: false, why: 'resident value out of bounds' };
      attributes.push({ type, name, id, flags: aflags, resident: true, value: a.subarray(voff, voff + vlen) });
    } else {
      if (len < 0x40) return { ok: false, why: 'short non-resident attribute' };
      const runOff = u16(a, 0x20);
      if (runOff < 0x40 || runOff > len) return { ok: false, why: 'run list offset out of bounds' };
      attributes.push({
        type,
        name,
        id,
        flags: aflags,
        resident: false,
        startVcn: u64(a, 0x10),
        lastVcn: u64(a, 0x18),
        compressionUnit: u16(a, 0x22),
        allocatedSize: u64(a, 0x28),
        realSize: u64(a, 0x30),
        initializedSize: u64(a, 0x38),
        runs: a.subarray(runOff, len),
      });
    }
    p += len;
  }
  return {
    ok: true,
    record: { number, seq, inUse: (flags & 1) !== 0, isDir: (flags & 2) !== 0, base: readRef(rec, 0x20), attributes },
  };
}

/** FILETIME (100 ns since 1601) → ISO string; undefined when zero or out of range. */
export function filetime(b: Uint8Array, o: number): string | undefined {
  if (o + 8 > b.length) return undefined;
  const lo = BigInt(u32(b, o));
  const hi = BigInt(u32(b, o + 4));
  const t = (hi << 32n) | lo;
  if (t === 0n) return undefined;
  const ms = Number(t / 10000n - 11644473600000n);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

export interface Times {
  readonly created?: string;
  readonly modified?: string;
  readonly accessed?: string;
}

export function parseStandardInformation(v: Uint8Array): Times | null {
  if (v.length < 0x20) return null;
  const t: { created?: string; modified?: string; accessed?: string } = {};
  const c = filetime(v, 0);
  const m = filetime(v, 8);
  const a = filetime(v, 0x18);
  if (c) t.created = c;
  if (m) t.modified = m;
  if (a) t.accessed = a;
  return t;
}

export const NS_POSIX = 0;
export const NS_WIN32 = 1;
export const NS_DOS = 2;
export const NS_WIN32_DOS = 3;

export interface FileName {
  readonly parent: FileRef;
  readonly name: string;
  readonly namespace: number;
  readonly realSize: number;
  readonly isDir: boolean;
  readonly times: Times;
}

export function parseFileName(v: Uint8Array): FileName | null {
  if (v.length < 0x42) return null;
  const len = v[0x40]!;
  const ns = v[0x41]!;
  if (len === 0 || ns > 3) return null;
  const name = utf16(v, 0x42, len);
  if (name === null) return null;
  const t: { created?: string; modified?: string; accessed?: string } = {};
  const c = filetime(v, 8);
  const m = filetime(v, 0x10);
  const a = filetime(v, 0x20);
  if (c) t.created = c;
  if (m) t.modified = m;
  if (a) t.accessed = a;
  return {
    parent: readRef(v, 0),
    name,
    namespace: ns,
    realSize: u64(v, 0x30),
    isDir: (u32(v, 0x38) & 0x10000000) !== 0,
    times: t,
  };
}

/** Win32 names first, then POSIX, DOS last (TSK and Explorer show the long name). */
export function nameRank(ns: number): number {
  return ns === NS_WIN32 || ns === NS_WIN32_DOS ? 0 : ns === NS_POSIX ? 1 : 2;
}

export interface AttrListEntry {
  readonly type: number;
  readonly name: string;
  readonly startVcn: number;
  readonly ref: FileRef;
  readonly id: number;
}

/** Bound on attribute-list entries we believe (the list of a 4 KiB record set is far shorter). */
export const MAX_ATTR_LIST_ENTRIES = 4096;

export function parseAttributeList(v: Uint8Array): { entries: AttrListEntry[]; bad: boolean } {
  const entries: AttrListEntry[] = [];
  let p = 0;
  while (p + 0x1a <= v.length) {
    const len = u16(v, p + 4);
    if (len < 0x1a || len % 8 !== 0 || p + len > v.length) return { entries, bad: true };
    if (entries.length >= MAX_ATTR_LIST_ENTRIES) return { entries, bad: true };
    const nameLen = v[p + 6]!;
    const nameOff = v[p + 7]!;
    const name = nameLen ? utf16(v.subarray(p, p + len), nameOff, nameLen) : '';
    if (name === null) return { entries, bad: true };
    entries.push({ type: u32(v, p), name, startVcn: u64(v, p + 8), ref: readRef(v, p + 0x10), id: u16(v, p + 0x18) });
    p += len;
  }
  return { entries, bad: false };
}

/**
 * A total, bounded reader of Windows registry hive files (regf), after the msuhanov/regf
 * specification (CC BY 4.0; docs/registry.md §2): base block, hive bins, cells, nk/vk records,
 * li/lf/lh/ri subkey lists and db big data. Every offset, size and count is checked against the
 * bytes at hand; nothing recurses; a damaged structure becomes a problem, never a throw.
 */
import { u16, u32 } from '../../layout/le.ts';
import { BASE_BLOCK, baseBlockChecksum, baseBlockProblem, binHeader } from '../../layout/regf.ts';

/** Value data larger than this is no CryptoPro file (they are a few KiB at most). */
export const MAX_VALUE_BYTES = 1 << 20;
/** More entries than this in one list is damage (Windows caps far lower in practice). */
const MAX_LIST = 65_536;
const DB_SEGMENT = 16_344;

export interface Hive {
  readonly bytes: Uint8Array;
  /** Index in `bytes` of relative offset 0: 4096 in a hive file; a lone run of bins starts at its
   * first bin's self-offset, so there it is minus that offset. */
  readonly origin: number;
  /** Relative offsets [binsStart, binsEnd) are the bins actually walked. */
  readonly binsStart: number;
  readonly binsEnd: number;
  readonly root: number;
  /** Relative offsets and sizes of the bins that passed their checks. */
  readonly bins: readonly { off: number; size: number }[];
  readonly problems: string[];
}

/** A range of the hive file (absolute file offsets) holding part of a value's data. */
export interface FileRange {
  readonly off: number;
  readonly len: number;
}

export interface Cell {
  /** Offset of the cell's data (after the size field) in the hive file. */
  readonly at: number;
  readonly data: Uint8Array;
  readonly free: boolean;
}

export interface KeyNode {
  readonly off: number;
  readonly name: string;
  /** KEY_HIVE_ENTRY: the hive's root key (a fragment has no base block to name it). */
  readonly root: boolean;
  readonly parent: number;
  readonly subkeyCount: number;
  readonly subkeyList: number;
  readonly valueCount: number;
  readonly valueList: number;
}

export interface ValueKey {
  readonly off: number;
  readonly name: string;
  readonly type: number;
  readonly size: number;
  readonly dataOff: number;
  readonly resident: boolean;
}

const sig = (b: Uint8Array, at: number, s: string) => b[at] === s.charCodeAt(0) && b[at + 1] === s.charCodeAt(1);
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const utf16 = (b: Uint8Array) => Buffer.from(b.subarray(0, b.length & ~1)).toString('utf16le');

/** Parses the base block and walks the bins; a string when the bytes are no primary hive. */
export function openHive(bytes: Uint8Array): Hive | string {
  const not = baseBlockProblem(bytes);
  if (not) return not;
  const problems: string[] = [];
  if (baseBlockChecksum(bytes) !== u32(bytes, 508)) problems.push('base block checksum does not match (header damaged or edited)');
  if (u32(bytes, 4) !== u32(bytes, 8)) problems.push('hive is dirty (sequence numbers differ): its transaction log was not applied');
  const declared = u32(bytes, 40);
  const available = bytes.length - BASE_BLOCK;
  if (declared > available) problems.push(`hive bins size ${declared} beyond the file's ${available} bytes: truncated hive, read what is there`);
  const bins = walkBins(bytes, BASE_BLOCK, 0, Math.min(declared, available), problems);
  return { bytes, origin: BASE_BLOCK, binsStart: 0, binsEnd: bins.end, root: u32(bytes, 36), bins: bins.list, problems };
}

/** A run of bins without its base block (carved from an image): `bytes` starts with a bin whose
 * self-offset is `self`; the rest must follow at consistent offsets. No root key. */
export function openBins(bytes: Uint8Array, self: number): Hive {
  const problems: string[] = [];
  const bins = walkBins(bytes, -self, self, self + bytes.length, problems);
  return { bytes, origin: -self, binsStart: self, binsEnd: bins.end, root: 0xffffffff, bins: bins.list, problems };
}

/** Bins from relative offset `pos` up to `limit`, each self-offset the running offset; stops at the first bad one. */
function walkBins(bytes: Uint8Array, origin: number, pos: number, limit: number, problems: string[]): { list: { off: number; size: number }[]; end: number } {
  const list: { off: number; size: number }[] = [];
  while (pos + 32 <= limit) {
    const h = binHeader(bytes, origin + pos);
    const why = typeof h === 'string' ? h : h.self !== pos ? `self-offset ${h.self}` : pos + h.size > limit ? `size ${h.size} runs past the hive's end` : null;
    if (why || typeof h === 'string') {
      problems.push(`bin at ${pos}: ${why}; hive read up to there`);
      break;
    }
    list.push({ off: pos, size: h.size });
    pos += h.size;
  }
  return { list, end: pos };
}

/** The cell at a relative offset, or null when the offset or the size field is out of bounds. */
export function cellAt(h: Hive, rel: number): Cell | null {
  if (rel % 8 !== 0 || rel < h.binsStart + 32 || rel + 8 > h.binsEnd) return null;
  const at = h.origin + rel;
  const raw = u32(h.bytes, at) | 0;
  const len = Math.abs(raw);
  if (len < 8 || len % 8 !== 0 || rel + len > h.binsEnd) return null;
  return { at: at + 4, data: h.bytes.subarray(at + 4, at + len), free: raw > 0 };
}

/** An nk record in a cell's data (allocated or not). */
export function parseNk(data: Uint8Array, off: number): KeyNode | null {
  if (data.length < 76 || !sig(data, 0, 'nk')) return null;
  const nameLen = u16(data, 72);
  if (nameLen === 0 || 76 + nameLen > data.length) return null;
  const raw = data.subarray(76, 76 + nameLen);
  const name = u16(data, 2) & 0x20 ? latin1(raw) : utf16(raw);
  return { off, name, root: (u16(data, 2) & 0x4) !== 0, parent: u32(data, 16), subkeyCount: u32(data, 20), subkeyList: u32(data, 28), valueCount: u32(data, 36), valueList: u32(data, 40) };
}

export function parseVk(data: Uint8Array, off: number): ValueKey | null {
  if (data.length < 20 || !sig(data, 0, 'vk')) return null;
  const nameLen = u16(data, 2);
  if (20 + nameLen > data.length) return null;
  const raw = data.subarray(20, 20 + nameLen);
  const rawSize = u32(data, 4);
  const resident = rawSize >= 0x80000000;
  return { off, name: u16(data, 16) & 1 ? latin1(raw) : utf16(raw), type: u32(data, 12), size: resident ? rawSize - 0x80000000 : rawSize, dataOff: u32(data, 8), resident };
}

export function keyAt(h: Hive, rel: number): KeyNode | null {
  const c = cellAt(h, rel);
  return c ? parseNk(c.data, rel) : null;
}

/** Offsets a subkey list names (li/lf/lh, or an ri of those — never deeper). */
export function subkeyOffsets(h: Hive, nk: KeyNode, problems: string[]): number[] {
  if (nk.subkeyCount === 0) return [];
  const out: number[] = [];
  const list = (rel: number, allowRi: boolean) => {
    const c = cellAt(h, rel);
    if (!c || c.data.length < 4) return void problems.push(`key ${nk.name}: subkey list at ${rel} out of bounds`);
    const d = c.data;
    const n = u16(d, 2);
    const kind = latin1(d.subarray(0, 2));
    const step = kind === 'li' || kind === 'ri' ? 4 : kind === 'lf' || kind === 'lh' ? 8 : 0;
    if (!step) return void problems.push(`key ${nk.name}: subkey list at ${rel} has signature ${JSON.stringify(kind)}`);
    if (4 + n * step > d.length) return void problems.push(`key ${nk.name}: subkey list at ${rel} counts ${n} entries past its cell`);
    for (let i = 0; i < n && out.length < MAX_LIST; i++) {
      const o = u32(d, 4 + i * step);
      if (kind !== 'ri') out.push(o);
      else if (allowRi && o !== rel) list(o, false);
      else problems.push(`key ${nk.name}: index list at ${rel} points at another index list`);
    }
  };
  list(nk.subkeyList, true);
  return out;
}

export function valueOffsets(h: Hive, nk: KeyNode, problems: string[]): number[] {
  if (nk.valueCount === 0) return [];
  const c = cellAt(h, nk.valueList);
  if (!c || nk.valueCount > MAX_LIST || nk.valueCount * 4 > c.data.length) {
    problems.push(`key ${nk.name}: value list at ${nk.valueList} (${nk.valueCount} values) out of bounds`);
    return [];
  }
  return Array.from({ length: nk.valueCount }, (_, i) => u32(c.data, i * 4));
}

/** Where a value's data lies in the hive file, or a reason; resident data (≤ 4 bytes) is skipped. */
export function valueData(h: Hive, vk: ValueKey): FileRange[] | string {
  if (vk.resident) return 'resident data';
  if (vk.size > MAX_VALUE_BYTES) return `data size ${vk.size} over ${MAX_VALUE_BYTES} bytes`;
  const c = cellAt(h, vk.dataOff);
  if (!c) return `data cell at ${vk.dataOff} out of bounds`;
  if (vk.size > DB_SEGMENT && sig(c.data, 0, 'db') && c.data.length >= 8) return bigData(h, c.data, vk.size);
  if (vk.size > c.data.length) return `data size ${vk.size} beyond its ${c.data.length}-byte cell`;
  return [{ off: c.at, len: vk.size }];
}

/** A db record: a segment list of cells, every one but the last holding 16344 bytes. */
function bigData(h: Hive, db: Uint8Array, size: number): FileRange[] | string {
  const n = u16(db, 2);
  const list = cellAt(h, u32(db, 4));
  if (!list || n * 4 > list.data.length || n !== Math.ceil(size / DB_SEGMENT)) return 'big-data segment list out of bounds';
  const out: FileRange[] = [];
  let left = size;
  for (let i = 0; i < n; i++) {
    const seg = cellAt(h, u32(list.data, i * 4));
    const take = Math.min(left, DB_SEGMENT);
    if (!seg || seg.data.length < take) return `big-data segment ${i} out of bounds`;
    out.push({ off: seg.at, len: take });
    left -= take;
  }
  return out;
}

/** The cells of every walked bin, in order; stops a bin at the first cell that does not tile. */
export function* cells(h: Hive, problems: string[]): Generator<Cell & { rel: number }> {
  for (const bin of h.bins) {
    let rel = bin.off + 32;
    const end = bin.off + bin.size;
    while (rel < end) {
      const raw = u32(h.bytes, h.origin + rel) | 0;
      const len = Math.abs(raw);
      if (len < 8 || len % 8 !== 0 || rel + len > end) {
        problems.push(`bin at ${bin.off}: cell at ${rel} has size ${raw}; rest of the bin skipped`);
        break;
      }
      const at = h.origin + rel + 4;
      yield { rel, at, data: h.bytes.subarray(at, at + len - 4), free: raw > 0 };
      rel += len;
    }
  }
}

/**
 * EWF / E01 (EnCase 1–7, FTK Imager, ewfacquire), after libyal's "Expert Witness Compression
 * Format" notes. Each segment file (.E01 .E02 … .E99 .EAA …) is a 13-byte header and a chain of
 * sections, each a 76-byte descriptor (type, next offset, size, Adler-32). `volume` gives the
 * geometry; `sectors` holds the chunks (zlib, or raw + Adler-32); `table` (mirrored by `table2`)
 * lists each chunk's offset, its top bit meaning compressed; `hash`/`digest` hold the MD5/SHA1 of
 * the medium; `header2`/`header` the case metadata; `error2` the sectors the imaging tool could
 * not read (zeros in the image: read here as unreadable); `next`/`done` end a segment.
 * Tables are loaded on demand (a 2 TB disk has 64 M chunks); a chunk that fails its checksum or
 * will not inflate is a read error of its bytes.
 */
import { existsSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { EWF_SIGNATURE } from './detect.ts';
import { MappedSource, type Piece } from './mapped.ts';
import { adler32, formatError, parseSegments, SegmentSet, u64, type SegmentFile } from './segments.ts';
import { mergeRanges } from '../tolerant.ts';
import type { ByteRange, EwfInfo } from '../types.ts';
import type { Unit } from './unit.ts';

const DESCRIPTOR = 76;
/** Case metadata is text; more than this is not an imaging tool's header. */
const MAX_HEADER = 1 << 20;
const MAX_CHUNK = 16 << 20;
/** error2 entries kept (a dying disk imaged with a small error granularity has many). */
const MAX_ERROR2 = 1 << 20;

interface Table {
  readonly file: SegmentFile;
  readonly firstChunk: number;
  readonly count: number;
  /** Where the entries are and what their offsets are relative to, for table and table2. */
  readonly copies: { entriesAt: number; base: number; footer: boolean }[];
  /** Where the last chunk ends: the end of the sectors section before the table. */
  readonly dataEnd: number;
}

interface Geometry {
  chunkCount: number;
  sectorsPerChunk: number;
  bytesPerSector: number;
  sectorCount: number;
}

/** Segment names after `first` (x.E01): E02 … E99, EAA … EZZ, FAA … ZZZ, keeping the case. */
export function ewfSegmentName(first: string, n: number): string {
  const ext = first.slice(-3);
  const lower = ext === ext.toLowerCase();
  let s: string;
  if (n <= 99) s = ext[0]! + String(n).padStart(2, '0');
  else {
    const k = n - 100;
    const letters = [Math.floor(k / 676), Math.floor(k / 26) % 26, k % 26];
    letters[0]! += ext[0]!.toUpperCase().charCodeAt(0) - 65;
    s = letters.map((c) => String.fromCharCode(65 + c)).join('');
  }
  return first.slice(0, -3) + (lower ? s.toLowerCase() : s.toUpperCase());
}

export async function openEwf(path: string): Promise<EwfSource> {
  if (!/\.[a-z]\d\d$/i.test(path)) throw formatError(path, 'an EWF image must be given by its first segment, named like image.E01');
  if (!/01$/.test(path)) throw formatError(path, `it is a later EWF segment; give the first, ${path.slice(0, -2)}01`);
  const paths = [path];
  for (let n = 2; n <= 14971 && existsSync(ewfSegmentName(path, n)); n++) paths.push(ewfSegmentName(path, n));
  return parseSegments(paths, (set) => EwfSource.parse(path, set));
}

export class EwfSource extends MappedSource {
  private readonly tables: Table[] = [];
  private chunkSize = 0;
  private cache: { table: Table; entries: Uint32Array; bases: number[] } | null = null;
  /** Medium ranges the acquisition could not read (error2), merged, and what a read of them notes. */
  private readonly unread: ByteRange[];
  private readonly unreadWhy: string;

  static async parse(path: string, set: SegmentSet): Promise<EwfSource> {
    const p = new Parser(path);
    let ended = false;
    for (const [i, f] of set.files.entries()) {
      ended = await p.segment(f, i + 1);
      if (ended) break;
    }
    const g = p.geometry;
    if (!g) throw formatError(path, 'it has no volume section (not an E01 image, or its first segment is damaged)');
    const src = new EwfSource(path, g.sectorCount * g.bytesPerSector, set, g.sectorsPerChunk * g.bytesPerSector, p);
    if (!ended) src.note(`the EWF image has no done section: segment ${set.files.length + 1} (${ewfSegmentName(path, set.files.length + 1)}) or the end of the last is missing; what is not there reads as unreadable`);
    for (const n of p.notes) src.note(n);
    return src;
  }

  private constructor(path: string, size: number, set: SegmentSet, chunkSize: number, p: Parser) {
    super(path, size, set, 'ewf');
    this.chunkSize = chunkSize;
    this.tables.push(...p.tables);
    const bps = p.geometry!.bytesPerSector;
    this.unread = mergeRanges(p.unreadSectors.map(([s, n]) => ({ offset: s * bps, length: n * bps })))
      .map((r) => ({ offset: r.offset, length: Math.min(r.length, size - r.offset) }))
      .filter((r) => r.length > 0);
    const sectors = this.unread.reduce((n, r) => n + r.length / bps, 0);
    this.unreadWhy = `the imaging tool could not read ${sectors} sectors of the original medium (EWF error2 section): they are zeros in the image, reported here as unreadable`;
    const info: EwfInfo = { case: p.meta, md5: p.md5, sha1: p.sha1, chunkSize, acquisitionErrors: this.unread.map((r) => ({ ...r })) };
    this.image.ewf = info;
    if (this.unread.length) this.note(this.unreadWhy);
  }

  /** Whether `offset` is in a range the acquisition could not read, and where that state ends. */
  private unreadFrom(offset: number): { inside: boolean; until: number } {
    let lo = 0;
    let hi = this.unread.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const r = this.unread[mid]!;
      if (r.offset + r.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    const r = this.unread[lo];
    if (!r) return { inside: false, until: Infinity };
    return r.offset <= offset ? { inside: true, until: r.offset + r.length } : { inside: false, until: r.offset };
  }

  protected async locate(offset: number): Promise<Piece> {
    const chunk = Math.floor(offset / this.chunkSize);
    const start = chunk * this.chunkSize;
    const size = Math.min(this.chunkSize, this.size - start);
    const skip = offset - start;
    const unread = this.unreadFrom(offset);
    const length = Math.min(size - skip, unread.until - offset);
    if (unread.inside) return { length, lost: this.unreadWhy };
    const got = await this.chunk(chunk, size);
    if (typeof got === 'string') return { length, lost: got };
    return { length, file: got.file, unit: got.unit, skip };
  }

  /** Where chunk `n` (`size` bytes) is stored and how, or why it cannot be read. */
  private async chunk(n: number, size: number): Promise<{ file: SegmentFile; unit: Unit } | string> {
    const t = this.tableOf(n);
    const where = `EWF chunk ${n} (medium bytes ${n * this.chunkSize}–${n * this.chunkSize + size})`;
    if (!t) return `${where} is in no chunk table (a segment is missing or truncated)`;
    const entries = await this.entries(t);
    if (typeof entries === 'string') return `${where}: ${entries}`;
    const i = n - t.firstChunk;
    const e = entries.entries[i]!;
    const at = entries.bases[0]! + (e & 0x7fffffff);
    const end = i + 1 < t.count ? entries.bases[0]! + (entries.entries[i + 1]! & 0x7fffffff) : t.dataEnd;
    const compressed = e >>> 31 === 1;
    const stored = compressed ? end - at : size + 4;
    if (at < 0 || stored <= 0 || stored > 2 * this.chunkSize + 64 || at + stored > t.file.size) {
      return `${where}: its table entry points outside ${t.file.path} (corrupt table or truncated segment)`;
    }
    return { file: t.file, unit: { at, stored, codec: compressed ? 'zlib' : 'adler32', size, where } };
  }

  private tableOf(n: number): Table | undefined {
    let lo = 0;
    let hi = this.tables.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.tables[mid]!;
      if (n < t.firstChunk) hi = mid - 1;
      else if (n >= t.firstChunk + t.count) lo = mid + 1;
      else return t;
    }
    return undefined;
  }

  /** A table's entries from the first copy whose checksum holds (table, then table2). */
  private async entries(t: Table): Promise<{ entries: Uint32Array; bases: number[] } | string> {
    if (this.cache?.table === t) return this.cache;
    for (const c of t.copies) {
      const bytes = await t.file.structure(c.entriesAt, t.count * 4 + (c.footer ? 4 : 0), 'a chunk table').catch(() => null);
      if (!bytes) continue;
      const v = new DataView(bytes.buffer);
      if (c.footer && adler32(bytes.subarray(0, t.count * 4)) !== v.getUint32(t.count * 4, true)) continue;
      const entries = new Uint32Array(t.count);
      for (let i = 0; i < t.count; i++) entries[i] = v.getUint32(i * 4, true);
      if (!ascending(entries)) continue;
      this.cache = { table: t, entries, bases: [c.base] };
      return this.cache;
    }
    return `both copies of its chunk table in ${t.file.path} are corrupt`;
  }
}

/** Chunk offsets only grow within a table; a table that says otherwise is corrupt. */
function ascending(e: Uint32Array): boolean {
  for (let i = 1; i < e.length; i++) if ((e[i]! & 0x7fffffff) <= (e[i - 1]! & 0x7fffffff)) return false;
  return true;
}

/** Walks the sections of each segment, collecting geometry, tables, hashes and case data. */
class Parser {
  geometry: Geometry | null = null;
  readonly tables: Table[] = [];
  readonly notes: string[] = [];
  meta: Record<string, string> = {};
  md5: string | null = null;
  sha1: string | null = null;
  /** error2 entries: [first sector, sector count]. */
  unreadSectors: [number, number][] = [];
  private nextChunk = 0;
  private sectorsEnd = 0;
  private pending: Table | null = null;

  constructor(private readonly path: string) {}

  /** One segment file; true when it ends the image (a done section). */
  async segment(f: SegmentFile, number: number): Promise<boolean> {
    const head = await f.structure(0, 13, 'the EWF file header');
    if (!EWF_SIGNATURE.every((b, i) => head[i] === b)) throw formatError(f.path, 'it is named as an EWF segment but lacks the EWF signature');
    const seg = new DataView(head.buffer).getUint16(9, true);
    if (seg !== number) throw formatError(f.path, `it says it is EWF segment ${seg}, but its name makes it segment ${number}; segments from another image?`);
    let at = 13;
    for (let guard = 0; guard <= f.size / DESCRIPTOR; guard++) {
      if (at + DESCRIPTOR > f.size) {
        this.notes.push(`${f.path} ends inside its sections (truncated at ${f.size} bytes)`);
        return false;
      }
      const d = await f.structure(at, DESCRIPTOR, 'an EWF section descriptor');
      const v = new DataView(d.buffer);
      if (adler32(d.subarray(0, 72)) !== v.getUint32(72, true)) throw formatError(f.path, `the EWF section descriptor at ${at} fails its checksum (corrupt)`);
      const type = String.fromCharCode(...d.subarray(0, 16)).replace(/\0.*$/s, '');
      const next = u64(v, 16, f.path, 'a section offset');
      const size = u64(v, 24, f.path, 'a section size');
      await this.section(f, type, at, size);
      if (type === 'done') return true;
      if (type === 'next') return false;
      if (next <= at) throw formatError(f.path, `the EWF section at ${at} (${type}) points back to ${next}: a loop in the section chain`);
      at = next;
    }
    throw formatError(f.path, 'its EWF section chain never ends');
  }

  private async section(f: SegmentFile, type: string, at: number, size: number): Promise<void> {
    const body = at + DESCRIPTOR;
    switch (type) {
      case 'header2':
      case 'header':
        if (Object.keys(this.meta).length === 0) this.meta = await this.header(f, body, size - DESCRIPTOR, type === 'header2');
        return;
      case 'volume':
      case 'disk':
      case 'data':
        if (!this.geometry) this.geometry = await this.volume(f, body, size - DESCRIPTOR);
        return;
      case 'sectors':
        this.flush();
        this.sectorsEnd = at + size;
        return;
      case 'table':
      case 'table2':
        return this.table(f, type, body, size - DESCRIPTOR);
      case 'hash':
        this.md5 ??= hex(await f.structure(body, 16, 'the hash section'));
        return;
      case 'digest': {
        const b = await f.structure(body, 36, 'the digest section');
        this.md5 = hex(b.subarray(0, 16));
        this.sha1 = hex(b.subarray(16, 36));
        return;
      }
      case 'error2':
        return this.error2(f, body, size - DESCRIPTOR);
      case 'next':
      case 'done':
        this.flush();
        return;
      default:
        return;
    }
  }

  /** A 520-byte header (entry count, Adler-32 at 516), 8-byte entries (start sector, count), an Adler-32. */
  private async error2(f: SegmentFile, at: number, len: number): Promise<void> {
    const corrupt = () => this.notes.push(`the EWF error2 section in ${f.path} is corrupt: the sectors the imaging tool could not read are not known (they are zeros in the image)`);
    const h = len >= 524 ? await f.structure(at, 520, 'the EWF error2 header').catch(() => null) : null;
    const v = h && new DataView(h.buffer);
    const count = v?.getUint32(0, true) ?? 0;
    if (!h || !v || adler32(h.subarray(0, 516)) !== v.getUint32(516, true) || count > MAX_ERROR2 || 520 + count * 8 + 4 > len) return void corrupt();
    const e = await f.structure(at + 520, count * 8 + 4, 'the EWF error2 entries').catch(() => null);
    const ev = e && new DataView(e.buffer);
    if (!e || !ev || adler32(e.subarray(0, count * 8)) !== ev.getUint32(count * 8, true)) return void corrupt();
    for (let i = 0; i < count; i++) this.unreadSectors.push([ev.getUint32(i * 8, true), ev.getUint32(i * 8 + 4, true)]);
  }

  private async header(f: SegmentFile, at: number, len: number, utf16: boolean): Promise<Record<string, string>> {
    if (len <= 0 || len > MAX_HEADER) return {};
    try {
      const text = inflateSync(await f.structure(at, len, 'the EWF header section'), { maxOutputLength: MAX_HEADER });
      const s = utf16 ? new TextDecoder(text[0] === 0xfe ? 'utf-16be' : 'utf-16le').decode(text) : new TextDecoder('latin1').decode(text);
      return parseHeader(s.replace(/^\ufeff/, ''));
    } catch {
      this.notes.push('the EWF case metadata (header section) is corrupt');
      return {};
    }
  }

  private async volume(f: SegmentFile, at: number, len: number): Promise<Geometry> {
    if (len < 24) throw formatError(f.path, 'its EWF volume section is too short');
    const b = await f.structure(at, 24, 'the EWF volume section');
    const v = new DataView(b.buffer);
    const g = { chunkCount: v.getUint32(4, true), sectorsPerChunk: v.getUint32(8, true), bytesPerSector: v.getUint32(12, true), sectorCount: u64(v, 16, f.path, 'the sector count') };
    const bps = g.bytesPerSector;
    if (bps < 512 || bps > 4096 || (bps & (bps - 1)) !== 0) throw formatError(f.path, `its EWF volume says ${bps} bytes per sector`);
    if (g.sectorsPerChunk < 1 || g.sectorsPerChunk * bps > MAX_CHUNK) throw formatError(f.path, `its EWF volume says ${g.sectorsPerChunk} sectors per chunk`);
    if (!Number.isSafeInteger(g.sectorCount * bps)) throw formatError(f.path, `its EWF volume says ${g.sectorCount} sectors`);
    if (g.chunkCount < Math.ceil(g.sectorCount / g.sectorsPerChunk)) throw formatError(f.path, `its EWF volume has ${g.chunkCount} chunks, too few for ${g.sectorCount} sectors`);
    return g;
  }

  /** A table header (24 bytes: count, base offset, Adler-32); its entries are read when needed. */
  private async table(f: SegmentFile, type: string, at: number, len: number): Promise<void> {
    if (!this.geometry) throw formatError(f.path, `an EWF ${type} section comes before the volume section`);
    const h = await f.structure(at, 24, `an EWF ${type} header`);
    const v = new DataView(h.buffer);
    const count = v.getUint32(0, true);
    const base = u64(v, 8, f.path, 'a table base offset');
    const ok = adler32(h.subarray(0, 20)) === v.getUint32(20, true) && count > 0 && 24 + count * 4 <= len && at + len <= f.size;
    const copy = { entriesAt: at + 24, base, footer: 24 + count * 4 + 4 <= len };
    if (type === 'table2') {
      const t = this.pending;
      if (t && ok && (t.count === 0 || count === t.count)) this.pending = { ...t, count, copies: [...t.copies, copy] };
      this.flush();
      return;
    }
    this.flush();
    if (!ok) {
      this.notes.push(`an EWF table in ${f.path} is corrupt: its chunks are taken from table2`);
      this.pending = { file: f, firstChunk: this.nextChunk, count: 0, copies: [], dataEnd: this.sectorsEnd };
      return;
    }
    this.pending = { file: f, firstChunk: this.nextChunk, count, copies: [copy], dataEnd: this.sectorsEnd || at - DESCRIPTOR };
  }

  /** A table is final once its table2 (or whatever follows) has been seen. */
  private flush(): void {
    const t = this.pending;
    this.pending = null;
    if (!t || t.count === 0 || t.copies.length === 0) return;
    this.tables.push(t);
    this.nextChunk += t.count;
  }
}

function hex(b: Uint8Array): string | null {
  return b.some((x) => x !== 0) ? Buffer.from(b).toString('hex') : null;
}

const HEADER_NAMES: Record<string, string> = {
  c: 'caseNumber', n: 'evidenceNumber', a: 'description', e: 'examiner', t: 'notes', md: 'model', sn: 'serialNumber',
  l: 'deviceLabel', av: 'acquiryVersion', ov: 'acquiryPlatform', m: 'acquired', u: 'systemDate', r: 'compression', pid: 'processId',
};

/** Lines 3 and 4 of the header text: tab-separated identifiers and their values. */
function parseHeader(s: string): Record<string, string> {
  const lines = s.split(/\r?\n/);
  const ids = (lines[2] ?? '').split('\t');
  const vals = (lines[3] ?? '').split('\t');
  const out: Record<string, string> = {};
  ids.forEach((id, i) => {
    const name = HEADER_NAMES[id.trim()];
    const val = vals[i]?.trim();
    if (name && val) out[name] = val.slice(0, 3000);
  });
  return out;
}

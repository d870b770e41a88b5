/**
 * VHDX (Hyper-V, Windows backup; after Microsoft's [MS-VHDX] and libyal's notes): two headers
 * (64 and 128 KiB, CRC-32C, the higher sequence number wins), two region tables pointing to the
 * BAT and the metadata (block size, disk size, logical sector size), and payload blocks the BAT
 * maps in MiB units, a sector-bitmap entry after every `chunk ratio` payload entries. Blocks not
 * fully present read as zeros. A non-empty log is not replayed: said in the report. Differencing
 * disks are refused, naming the parent.
 */
import { formatError, parseSegments, SegmentSet, type SegmentFile } from './segments.ts';
import { MappedSource, type Piece } from './mapped.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const BAT_GUID = '2dc27766-f623-4200-9d64-115e9bfd4a08';
const METADATA_GUID = '8b7ca206-4790-4b9a-b8fe-575f050f886e';
const FILE_PARAMETERS = 'caa16737-fa36-4d43-b3b6-33f0aa44e76b';
const DISK_SIZE = '2fa54224-cd1b-4876-b211-5dbed83bf4b8';
const LOGICAL_SECTOR = '8141bf1d-a96f-4709-ba47-f233a8faab5f';
const PARENT_LOCATOR = 'a8d35f2d-b30b-454d-abf7-d3d84834ab0c';
const MAX_BAT = 64 * MiB;

/** A GUID as written on disk (first three fields little-endian), in its usual text form. */
function guid(b: Uint8Array, at: number): string {
  const h = (i: number) => b[at + i]!.toString(16).padStart(2, '0');
  const part = (idx: number[]) => idx.map(h).join('');
  return `${part([3, 2, 1, 0])}-${part([5, 4])}-${part([7, 6])}-${part([8, 9])}-${part([10, 11, 12, 13, 14, 15])}`;
}

let CRC32C: Uint32Array | null = null;
/** CRC-32C (Castagnoli), over `b` with its checksum field at `at` taken as zero. */
function crc32c(b: Uint8Array, at: number): number {
  if (!CRC32C) {
    CRC32C = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      CRC32C[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC32C[(c ^ (i >= at && i < at + 4 ? 0 : b[i]!)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const sig = (b: Uint8Array, s: string) => String.fromCharCode(...b.subarray(0, s.length)) === s;
const valid = (b: Uint8Array, s: string) => sig(b, s) && crc32c(b, 4) === new DataView(b.buffer).getUint32(4, true);

export async function openVhdx(path: string): Promise<MappedSource> {
  return parseSegments([path], (set) => parse(path, set));
}

async function parse(path: string, set: SegmentSet): Promise<MappedSource> {
  const f = set.files[0]!;
  const notes: string[] = [];
  const headers = [];
  for (const at of [64 * KiB, 128 * KiB]) {
    const h = await f.structure(at, 4 * KiB, 'a VHDX header');
    if (valid(h, 'head')) headers.push(h);
  }
  if (!headers.length) throw formatError(path, 'both VHDX headers are corrupt');
  const seq = (h: Uint8Array) => new DataView(h.buffer).getBigUint64(8, true);
  const header = headers.reduce((a, b) => (seq(b) > seq(a) ? b : a));
  if (guid(header, 48) !== '00000000-0000-0000-0000-000000000000') {
    notes.push('the VHDX log holds writes that were never applied (not closed cleanly); keycarve does not replay it, so recently written blocks may read as they were before');
  }
  let regions: Map<string, { at: number; length: number }> | null = null;
  for (const at of [192 * KiB, 256 * KiB]) {
    const r = await f.structure(at, 64 * KiB, 'a VHDX region table');
    if (!valid(r, 'regi')) continue;
    const v = new DataView(r.buffer);
    const count = v.getUint32(8, true);
    if (count > 2047) continue;
    regions = new Map();
    for (let i = 0; i < count; i++) {
      const e = 16 + i * 32;
      regions.set(guid(r, e), { at: Number(v.getBigUint64(e + 16, true)), length: v.getUint32(e + 24, true) });
    }
    break;
  }
  if (!regions) throw formatError(path, 'both VHDX region tables are corrupt');
  const batR = regions.get(BAT_GUID);
  const metaR = regions.get(METADATA_GUID);
  if (!batR || !metaR) throw formatError(path, 'its VHDX region table lacks the BAT or the metadata region');
  const meta = await metadata(f, metaR.at, metaR.length);
  const params = meta.get(FILE_PARAMETERS);
  const sizeB = meta.get(DISK_SIZE);
  const sectorB = meta.get(LOGICAL_SECTOR);
  if (!params || !sizeB || !sectorB) throw formatError(path, 'its VHDX metadata lacks the block size, disk size or sector size');
  const blockSize = new DataView(params.buffer).getUint32(0, true);
  const flags = new DataView(params.buffer).getUint32(4, true);
  const size = Number(new DataView(sizeB.buffer).getBigUint64(0, true));
  const sectorSize = new DataView(sectorB.buffer).getUint32(0, true);
  if (flags & 2) {
    const loc = meta.get(PARENT_LOCATOR);
    const parent = loc ? /[^\0]*\.vhdx/i.exec(new TextDecoder('utf-16le').decode(loc))?.[0] ?? '(unnamed)' : '(unnamed)';
    throw formatError(path, `it is a differencing VHDX whose data is partly in its parent ${parent}; merge the chain first (qemu-img convert -O raw)`);
  }
  if (blockSize < MiB || blockSize > 256 * MiB || (blockSize & (blockSize - 1)) !== 0) throw formatError(path, `its VHDX block size ${blockSize} is impossible`);
  if (sectorSize !== 512 && sectorSize !== 4096) throw formatError(path, `its VHDX logical sector size ${sectorSize} is impossible`);
  if (!Number.isSafeInteger(size) || size <= 0) throw formatError(path, 'its VHDX disk size is impossible');
  const ratio = (2 ** 23 * sectorSize) / blockSize;
  const blocks = Math.ceil(size / blockSize);
  const entries = blocks + Math.floor((blocks - 1) / ratio);
  if (entries * 8 > Math.min(batR.length, MAX_BAT)) throw formatError(path, `its VHDX BAT (${batR.length} bytes) is too small for ${blocks} blocks`);
  const bat = await f.structure(batR.at, entries * 8, 'the VHDX BAT');
  const src = new VhdxSource(path, size, set, blockSize, ratio, new DataView(bat.buffer));
  src.image.notes.push(...notes);
  return src;
}

/** The metadata table: item GUID → its bytes. */
async function metadata(f: SegmentFile, at: number, length: number): Promise<Map<string, Uint8Array>> {
  if (length < 64 * KiB || length > 16 * MiB) throw formatError(f.path, 'its VHDX metadata region has an impossible size');
  const m = await f.structure(at, 64 * KiB, 'the VHDX metadata table');
  if (!sig(m, 'metadata')) throw formatError(f.path, 'its VHDX metadata table is missing');
  const v = new DataView(m.buffer);
  const out = new Map<string, Uint8Array>();
  const count = Math.min(v.getUint16(10, true), 2047);
  for (let i = 0; i < count; i++) {
    const e = 32 + i * 32;
    const off = v.getUint32(e + 16, true);
    const len = v.getUint32(e + 20, true);
    if (off < 64 * KiB || len > 64 * KiB || off + len > length) continue;
    out.set(guid(m, e), await f.structure(at + off, len, 'a VHDX metadata item'));
  }
  return out;
}

class VhdxSource extends MappedSource {
  private readonly file: SegmentFile;
  constructor(path: string, size: number, set: SegmentSet, private readonly blockSize: number, private readonly ratio: number, private readonly bat: DataView) {
    super(path, size, set, 'vhdx');
    this.file = set.files[0]!;
  }

  protected locate(offset: number): Promise<Piece> {
    const block = Math.floor(offset / this.blockSize);
    const within = offset % this.blockSize;
    const length = this.blockSize - within;
    const e = this.bat.getBigUint64((block + Math.floor(block / this.ratio)) * 8, true);
    const state = Number(e & 7n);
    if (state !== 6 && state !== 7) return Promise.resolve({ length, zero: true });
    const at = Number(e >> 20n) * MiB;
    if (at < MiB || at + Math.min(this.blockSize, this.size - block * this.blockSize) > this.file.size) {
      return Promise.resolve({ length, lost: `VHDX block ${block} points outside ${this.path} (corrupt BAT or truncated file)` });
    }
    return Promise.resolve({ length, file: this.file, at: at + within });
  }
}

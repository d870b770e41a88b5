/**
 * VHD (Virtual PC / Hyper-V gen 1, Microsoft's "Virtual Hard Disk Image Format Specification"):
 * a 512-byte big-endian footer ("conectix") at the end of the file, also copied to its start when
 * dynamic. Fixed: the medium is the file before the footer. Dynamic: a "cxsparse" header points to
 * the block allocation table (BAT); each allocated block is a sector bitmap followed by the data,
 * unallocated blocks read as zeros. Differencing disks need their parent: refused, naming it.
 */
import { formatError, parseSegments, SegmentSet, u64be, type SegmentFile } from './segments.ts';
import { MappedSource, type Piece } from './mapped.ts';

const ascii = (b: Uint8Array, at: number, len: number) => String.fromCharCode(...b.subarray(at, at + len));
/** A BAT larger than this (4 M blocks = 8 TiB at the usual 2 MiB) is not a real disk's. */
const MAX_BAT_ENTRIES = 1 << 22;

/** One's complement of the byte sum, the checksum field itself excluded. */
function vhdChecksum(b: Uint8Array, at: number): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) if (i < at || i >= at + 4) s += b[i]!;
  return ~s >>> 0;
}

export async function openVhd(path: string): Promise<MappedSource> {
  return parseSegments([path], (set) => parse(path, set));
}

async function parse(path: string, set: SegmentSet): Promise<MappedSource> {
  const f = set.files[0]!;
  let footer = await f.structure(f.size - 512, 512, 'the VHD footer');
  const notes: string[] = [];
  if (ascii(footer, 0, 8) !== 'conectix' || vhdChecksum(footer, 64) !== new DataView(footer.buffer).getUint32(64)) {
    const copy = await f.structure(0, 512, 'the VHD footer copy');
    if (ascii(copy, 0, 8) !== 'conectix') throw formatError(path, 'its VHD footer is corrupt and there is no copy at the start');
    notes.push('the VHD footer at the end is damaged; the copy at the start was used');
    footer = copy;
  }
  const v = new DataView(footer.buffer);
  const size = u64be(v, 48, path, 'the VHD disk size');
  const type = v.getUint32(60);
  if (type === 2) {
    if (size > f.size - 512) throw formatError(path, `its VHD footer says the disk is ${size} bytes but the file holds ${f.size - 512} (truncated)`);
    return withNotes(new FixedVhd(path, size, set), notes);
  }
  if (type !== 3 && type !== 4) throw formatError(path, `its VHD footer has disk type ${type}, not fixed (2), dynamic (3) or differencing (4)`);
  const hdrAt = u64be(v, 16, path, 'the VHD header offset');
  const h = await f.structure(hdrAt, 1024, 'the VHD dynamic disk header');
  const hv = new DataView(h.buffer);
  if (ascii(h, 0, 8) !== 'cxsparse') throw formatError(path, `its VHD dynamic disk header at ${hdrAt} is missing (no "cxsparse")`);
  if (type === 4) {
    const parent = new TextDecoder('utf-16be').decode(h.subarray(64, 576)).replace(/\0.*$/s, '');
    throw formatError(path, `it is a differencing VHD whose data is partly in its parent ${parent || '(unnamed)'}; merge the chain first (qemu-img convert -O raw)`);
  }
  const batAt = u64be(hv, 16, path, 'the VHD BAT offset');
  const entries = hv.getUint32(28);
  const blockSize = hv.getUint32(32);
  if (blockSize < 512 || blockSize > 256 << 20 || blockSize % 512) throw formatError(path, `its VHD block size ${blockSize} is impossible`);
  const needed = Math.ceil(size / blockSize);
  if (entries > MAX_BAT_ENTRIES || entries < needed) throw formatError(path, `its VHD BAT has ${entries} entries; the disk size needs ${needed}`);
  const bat = await f.structure(batAt, entries * 4, 'the VHD block allocation table');
  return withNotes(new DynamicVhd(path, size, set, blockSize, new DataView(bat.buffer)), notes);
}

function withNotes(src: MappedSource, notes: string[]): MappedSource {
  src.image.notes.push(...notes);
  return src;
}

class FixedVhd extends MappedSource {
  constructor(path: string, size: number, set: SegmentSet) {
    super(path, size, set, 'vhd');
  }
  protected locate(offset: number): Promise<Piece> {
    return Promise.resolve({ length: this.size - offset, file: this.segments.files[0]!, at: offset });
  }
}

class DynamicVhd extends MappedSource {
  private readonly bitmap: number;
  private readonly file: SegmentFile;
  constructor(path: string, size: number, set: SegmentSet, private readonly blockSize: number, private readonly bat: DataView) {
    super(path, size, set, 'vhd');
    this.bitmap = Math.ceil(blockSize / 512 / 8 / 512) * 512;
    this.file = set.files[0]!;
  }
  // A dynamic (not differencing) disk's sector bitmap only says which sectors were ever written;
  // the data area holds zeros for the others, so it is read as is.
  protected locate(offset: number): Promise<Piece> {
    const block = Math.floor(offset / this.blockSize);
    const within = offset % this.blockSize;
    const length = this.blockSize - within;
    const e = this.bat.getUint32(block * 4);
    if (e === 0xffffffff) return Promise.resolve({ length, zero: true });
    const at = e * 512 + this.bitmap + within;
    if (e * 512 + this.bitmap + this.blockSize > this.file.size) {
      return Promise.resolve({ length, lost: `VHD block ${block} points past the end of ${this.path} (corrupt BAT or truncated file)` });
    }
    return Promise.resolve({ length, file: this.file, at });
  }
}

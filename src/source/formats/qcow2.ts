/**
 * qcow2 (QEMU, versions 2 and 3, after qemu's docs/interop/qcow2.txt and libyal's notes): a
 * big-endian header ("QFI\xfb"), an L1 table of L2-table offsets, L2 tables of cluster
 * descriptors. An unallocated or zero-flagged cluster reads as zeros; a compressed cluster is raw
 * deflate. Backing files, encryption, external data files and extended L2 entries are refused
 * with a message; a descriptor pointing past the file is a read error of its cluster.
 */
import { formatError, parseSegments, SegmentSet, u64be, type SegmentFile } from './segments.ts';
import { MappedSource, type Piece } from './mapped.ts';

const OFFSET_MASK = 0x00fffffffffffe00n;
const COMPRESSED = 1n << 62n;
const L2_CACHE = 16;

export async function openQcow2(path: string): Promise<MappedSource> {
  return parseSegments([path], (set) => Qcow2Source.parse(path, set));
}

class Qcow2Source extends MappedSource {
  private readonly cluster: number;
  private readonly l2Entries: number;
  private readonly l2 = new Map<number, BigUint64Array | string>();
  private readonly file: SegmentFile;

  private constructor(path: string, size: number, set: SegmentSet, private readonly bits: number, private readonly l1: BigUint64Array) {
    super(path, size, set, 'qcow2');
    this.cluster = 2 ** bits;
    this.l2Entries = this.cluster / 8;
    this.file = set.files[0]!;
  }

  static async parse(path: string, set: SegmentSet): Promise<Qcow2Source> {
    const f = set.files[0]!;
    const h = await f.structure(0, 104, 'the qcow2 header');
    const v = new DataView(h.buffer);
    const version = v.getUint32(4);
    if (version !== 2 && version !== 3) throw formatError(path, `it is qcow version ${version}; only qcow2 versions 2 and 3 are read`);
    const backingAt = u64be(v, 8, path, 'the backing file offset');
    if (backingAt) {
      const len = Math.min(1023, v.getUint32(16));
      const name = new TextDecoder().decode(await f.structure(backingAt, len, 'the backing file name'));
      throw formatError(path, `it is a qcow2 overlay whose data is partly in its backing file ${name}; flatten it first (qemu-img convert -O raw)`);
    }
    if (v.getUint32(32) !== 0) throw formatError(path, 'it is an encrypted qcow2 image; decrypt it first (qemu-img convert with its secret)');
    const bits = v.getUint32(20);
    if (bits < 9 || bits > 21) throw formatError(path, `its qcow2 cluster size 2^${bits} is impossible`);
    const size = u64be(v, 24, path, 'the qcow2 disk size');
    const l1Size = v.getUint32(36);
    const l1At = u64be(v, 40, path, 'the L1 table offset');
    if (version === 3) {
      const incompatible = v.getBigUint64(72);
      if (incompatible & 0b11100n) throw formatError(path, 'it uses qcow2 features keycarve does not read (external data file, zstd compression or extended L2 entries); convert it with qemu-img convert -O raw');
    }
    const perL1 = 2 ** bits / 8 * 2 ** bits;
    const needed = Math.ceil(size / perL1);
    if (l1Size < needed || l1Size > 1 << 22) throw formatError(path, `its qcow2 L1 table has ${l1Size} entries; the disk size needs ${needed}`);
    const l1b = await f.structure(l1At, l1Size * 8, 'the qcow2 L1 table');
    const src = new Qcow2Source(path, size, set, bits, toBig(l1b));
    if (version === 3 && v.getBigUint64(72) & 0b11n) src.note('the qcow2 image is marked dirty or corrupt by QEMU (not closed cleanly); its data is read as it is');
    return src;
  }

  protected async locate(offset: number, want: number): Promise<Piece> {
    const within = offset % this.cluster;
    const length = this.cluster - within;
    const index = Math.floor(offset / this.cluster);
    const l2 = await this.table(Math.floor(index / this.l2Entries));
    if (typeof l2 === 'string') return { length, lost: l2 };
    const k = index % this.l2Entries;
    const e = l2[k]!;
    if (e & COMPRESSED) return this.compressed(e, offset - within, within, length);
    const host = e & OFFSET_MASK;
    // Zero clusters, or clusters stored one after another, are one piece (up to `want` and the L2
    // table's end): a piece per cluster made the plan cost 0.3x of the scan itself (bench/formats.ts).
    const last = Math.min(this.l2Entries, k + Math.ceil((want - length) / this.cluster) + 1);
    const run = (next: (x: bigint, i: number) => boolean) => {
      let i = k + 1;
      while (i < last && next(l2[i]!, i)) i++;
      return Math.min(length + (i - k - 1) * this.cluster, this.size - offset);
    };
    if (host === 0n || e & 1n) return { length: run((x) => !(x & COMPRESSED) && ((x & OFFSET_MASK) === 0n || (x & 1n) === 1n)), zero: true };
    const at = Number(host);
    if (at >= this.file.size) return { length, lost: `qcow2 cluster at medium offset ${offset - within} points past the end of ${this.path} (corrupt table or truncated file)` };
    if (at + within >= this.file.size) return { length, zero: true }; // the file's last cluster, stored short
    const step = BigInt(this.cluster);
    const stored = run((x, i) => !(x & (COMPRESSED | 1n)) && (x & OFFSET_MASK) === host + BigInt(i - k) * step);
    return { length: Math.min(stored, this.file.size - at - within), file: this.file, at: at + within };
  }

  private compressed(e: bigint, start: number, within: number, length: number): Piece {
    const x = 62n - BigInt(this.bits - 8);
    const host = Number(e & ((1n << x) - 1n));
    const sectors = Number((e >> x) & ((1n << (62n - x)) - 1n)) + 1;
    const stored = Math.min(sectors * 512 - (host % 512), this.file.size - host);
    const where = `qcow2 compressed cluster at medium offset ${start}`;
    if (host >= this.file.size || stored <= 0) return { length, lost: `${where} points past the end of ${this.path}` };
    return { length, file: this.file, unit: { at: host, stored, codec: 'deflate-raw', size: this.cluster, where }, skip: within };
  }

  private async table(i: number): Promise<BigUint64Array | string> {
    const hit = this.l2.get(i);
    if (hit) return hit;
    const at = Number((this.l1[i] ?? 0n) & OFFSET_MASK);
    let t: BigUint64Array | string;
    if (at === 0) t = new BigUint64Array(this.l2Entries);
    else if (at % this.cluster || at + this.cluster > this.file.size) t = `qcow2 L2 table ${i} is at ${at}, outside ${this.path} or misaligned (corrupt L1 table)`;
    else {
      const b = new Uint8Array(this.cluster);
      t = (await this.file.read(at, b)).bad.length ? `qcow2 L2 table ${i} lies on unreadable sectors of ${this.path}` : toBig(b);
    }
    if (this.l2.size >= L2_CACHE) this.l2.delete(this.l2.keys().next().value!);
    this.l2.set(i, t);
    return t;
  }
}

function toBig(b: Uint8Array): BigUint64Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new BigUint64Array(b.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = v.getBigUint64(i * 8);
  return out;
}

/**
 * VMDK (VMware, VirtualBox; after libyal's VMDK notes): a monolithic sparse file ("KDMV" header,
 * grain directory → grain tables → grains, stream-optimized grains deflate-compressed), or a text
 * descriptor naming extents (FLAT raw files, SPARSE files, ZERO). Extent files must sit next to the
 * descriptor: a name with a folder in it (`../../etc/passwd`) is never opened, its range is lost
 * and the problem recorded. Snapshots (a parent disk) are refused, naming the parent.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { formatError, SegmentSet, u64, type SegmentFile } from './segments.ts';
import { MappedSource, type Piece } from './mapped.ts';

const SECTOR = 512;
const MAX_DESCRIPTOR = 64 << 10;
const GT_CACHE = 16;

type Extent = { start: number; length: number } & (
  | { kind: 'flat'; file: SegmentFile; at: number }
  | { kind: 'sparse'; sparse: SparseExtent }
  | { kind: 'zero' }
  | { kind: 'lost'; why: string }
);

export async function openVmdk(path: string): Promise<MappedSource> {
  const set = await SegmentSet.of([path]);
  try {
    const f = set.files[0]!;
    const head = await f.structure(0, Math.min(f.size, SECTOR), 'the VMDK header');
    if (String.fromCharCode(...head.subarray(0, 4)) === 'KDMV') {
      const sparse = await SparseExtent.open(f);
      if (sparse.descriptor) refuseParent(path, sparse.descriptor);
      return new VmdkSource(path, set, [{ start: 0, length: sparse.capacity, kind: 'sparse', sparse }], []);
    }
    if (f.size > MAX_DESCRIPTOR) throw formatError(path, 'it looks like a VMDK descriptor but is too large for one');
    const text = new TextDecoder().decode(await f.structure(0, f.size, 'the VMDK descriptor'));
    refuseParent(path, text);
    return await fromDescriptor(path, set, text);
  } catch (e) {
    await set.close();
    throw e;
  }
}

function refuseParent(path: string, text: string): void {
  const cid = /^\s*parentCID\s*=\s*"?([0-9a-fA-F]+)/m.exec(text)?.[1];
  if (cid && cid.toLowerCase() !== 'ffffffff') {
    const hint = /^\s*parentFileNameHint\s*=\s*"([^"]*)"/m.exec(text)?.[1] ?? '(unnamed)';
    throw formatError(path, `it is a VMDK snapshot whose data is partly in its parent ${hint}; merge the chain first (qemu-img convert -O raw)`);
  }
}

async function fromDescriptor(path: string, set: SegmentSet, text: string): Promise<MappedSource> {
  const dir = dirname(path);
  const extents: Extent[] = [];
  const notes: string[] = [];
  let start = 0;
  for (const m of text.matchAll(/^\s*(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?/gm)) {
    const length = Number(m[2]) * SECTOR;
    const type = m[3]!.toUpperCase();
    const name = m[4] ?? '';
    if (!Number.isSafeInteger(start + length)) throw formatError(path, 'its VMDK extents add up to an impossible size');
    const base = { start, length };
    start += length;
    if (type === 'ZERO') {
      extents.push({ ...base, kind: 'zero' });
      continue;
    }
    const why = extentProblem(dir, name);
    if (why) {
      notes.push(`VMDK extent "${name}" ${why}: its ${length} bytes at medium offset ${base.start} read as unreadable`);
      extents.push({ ...base, kind: 'lost', why: `VMDK extent "${name}" ${why}` });
      continue;
    }
    const file = (await SegmentSet.of([join(dir, name)])).files[0]!;
    set.files.push(file);
    if (type === 'FLAT' || type === 'VMFS') extents.push({ ...base, kind: 'flat', file, at: Number(m[5] ?? 0) * SECTOR });
    else if (type === 'SPARSE') extents.push({ ...base, kind: 'sparse', sparse: await SparseExtent.open(file) });
    else throw formatError(path, `its VMDK extent type ${type} is not read; convert the disk with qemu-img convert -O raw`);
  }
  if (extents.length === 0) throw formatError(path, 'its VMDK descriptor lists no extents');
  return new VmdkSource(path, set, extents, notes);
}

/** Why an extent file may not be read, or null: only plain names in the descriptor's folder. */
function extentProblem(dir: string, name: string): string | null {
  if (!name || name !== basename(name) || name === '.' || name === '..' || name.includes('\\')) return 'is not a file next to the descriptor (refused)';
  if (!existsSync(join(dir, name))) return 'is missing';
  return null;
}

class VmdkSource extends MappedSource {
  constructor(path: string, set: SegmentSet, private readonly extents: Extent[], notes: string[]) {
    const last = extents[extents.length - 1]!;
    super(path, last.start + last.length, set, 'vmdk');
    for (const n of notes) this.note(n);
  }

  protected async locate(offset: number, want: number): Promise<Piece> {
    const e = this.extents.find((x) => offset < x.start + x.length)!;
    const within = offset - e.start;
    const length = e.length - within;
    switch (e.kind) {
      case 'flat':
        if (e.at + within >= e.file.size) return { length, lost: `VMDK extent ${e.file.path} is shorter than the descriptor says (truncated)` };
        return { length: Math.min(length, e.file.size - e.at - within), file: e.file, at: e.at + within };
      case 'sparse': {
        const p = await e.sparse.locate(within, want);
        return { ...p, length: Math.min(p.length, length) };
      }
      case 'zero':
        return { length, zero: true };
      case 'lost':
        return { length, lost: e.why };
    }
  }
}

class SparseExtent {
  private readonly gts = new Map<number, Uint32Array | string>();

  private constructor(
    readonly file: SegmentFile,
    readonly capacity: number,
    private readonly grain: number,
    private readonly perGt: number,
    private readonly gd: Uint32Array,
    private readonly compressed: boolean,
    readonly descriptor: string,
  ) {}

  static async open(f: SegmentFile): Promise<SparseExtent> {
    let h = await f.structure(0, SECTOR, 'the VMDK sparse header');
    let v = new DataView(h.buffer);
    if (v.getBigUint64(56, true) === 0xffffffffffffffffn) {
      // Stream-optimized: the real grain directory offset is in the footer, 1024 bytes from the end.
      h = await f.structure(f.size - 2 * SECTOR, SECTOR, 'the VMDK footer');
      v = new DataView(h.buffer);
      if (String.fromCharCode(...h.subarray(0, 4)) !== 'KDMV') throw formatError(f.path, 'its stream-optimized VMDK has no footer (truncated)');
    }
    const flags = v.getUint32(8, true);
    const capacity = u64(v, 12, f.path, 'the VMDK capacity') * SECTOR;
    const grain = u64(v, 20, f.path, 'the VMDK grain size') * SECTOR;
    const perGt = v.getUint32(44, true);
    const gdAt = u64(v, flags & 2 ? 48 : 56, f.path, 'the grain directory offset') * SECTOR;
    if (grain < 4096 || grain > 16 << 20 || (grain & (grain - 1)) !== 0) throw formatError(f.path, `its VMDK grain size ${grain} is impossible`);
    if (perGt < 1 || perGt > 1 << 16) throw formatError(f.path, `its VMDK grain tables have ${perGt} entries`);
    if (!Number.isSafeInteger(capacity)) throw formatError(f.path, 'its VMDK capacity is impossible');
    const entries = Math.ceil(capacity / (grain * perGt));
    if (entries > 1 << 22) throw formatError(f.path, `its VMDK grain directory would have ${entries} entries`);
    const gdb = await f.structure(gdAt, entries * 4, 'the VMDK grain directory');
    const gd = new Uint32Array(entries);
    const gv = new DataView(gdb.buffer);
    for (let i = 0; i < entries; i++) gd[i] = gv.getUint32(i * 4, true);
    const dAt = u64(v, 28, f.path, 'the descriptor offset') * SECTOR;
    const dLen = Math.min(u64(v, 36, f.path, 'the descriptor size') * SECTOR, MAX_DESCRIPTOR);
    const descriptor = dAt && dAt + dLen <= f.size ? new TextDecoder().decode(await f.structure(dAt, dLen, 'the embedded descriptor')).replace(/\0.*$/s, '') : '';
    return new SparseExtent(f, capacity, grain, perGt, gd, (flags & 0x10000) !== 0, descriptor);
  }

  async locate(offset: number, want: number): Promise<Piece> {
    const within = offset % this.grain;
    const length = Math.min(this.grain - within, this.capacity - offset);
    const g = Math.floor(offset / this.grain);
    const gt = await this.table(Math.floor(g / this.perGt));
    if (typeof gt === 'string') return { length, lost: gt };
    const k = g % this.perGt;
    const sector = gt[k]!;
    // Unallocated grains, or grains stored one after another, are one piece (up to `want` and the
    // table's end): a piece per 64 KiB grain cost the plan 0.3x of the scan itself (bench/formats.ts).
    const last = Math.min(this.perGt, k + Math.ceil((want - length) / this.grain) + 1);
    const run = (next: (s: number, i: number) => boolean) => {
      let i = k + 1;
      while (i < last && next(gt[i]!, i)) i++;
      return Math.min(length + (i - k - 1) * this.grain, this.capacity - offset);
    };
    if (sector <= 1) return { length: run((s) => s <= 1), zero: true };
    const at = sector * SECTOR;
    const where = `VMDK grain at medium offset ${offset - within}`;
    if (at + within >= this.file.size) return { length, lost: `${where} points past the end of ${this.file.path} (corrupt grain table or truncated file)` };
    if (!this.compressed) {
      const step = this.grain / SECTOR;
      return { length: Math.min(run((s, i) => s === sector + (i - k) * step), this.file.size - at - within), file: this.file, at: at + within };
    }
    const m = await this.file.structure(at, 12, 'a compressed grain marker').catch(() => null);
    const size = m ? new DataView(m.buffer).getUint32(8, true) : 0;
    if (!m || size === 0 || size > 2 * this.grain || at + 12 + size > this.file.size) return { length, lost: `${where}: its compressed grain marker is corrupt` };
    return { length, file: this.file, unit: { at: at + 12, stored: size, codec: 'zlib-padded', size: this.grain, where }, skip: within };
  }

  private async table(i: number): Promise<Uint32Array | string> {
    const hit = this.gts.get(i);
    if (hit) return hit;
    const sector = this.gd[i] ?? 0;
    let t: Uint32Array | string;
    if (sector <= 1) t = new Uint32Array(this.perGt);
    else {
      const b = await this.file.structure(sector * SECTOR, this.perGt * 4, 'a VMDK grain table').catch(() => null);
      if (!b) t = `VMDK grain table ${i} lies outside ${this.file.path} or on unreadable sectors (corrupt grain directory)`;
      else {
        const v = new DataView(b.buffer);
        t = new Uint32Array(this.perGt).map((_, k) => v.getUint32(k * 4, true));
      }
    }
    if (this.gts.size >= GT_CACHE) this.gts.delete(this.gts.keys().next().value!);
    this.gts.set(i, t);
    return t;
  }
}

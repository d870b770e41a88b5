// Test helpers: image building (real tools), in-memory readers, synthetic MFT records.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Candidate } from '../../../src/carve/types.ts';
import type { FileEvidence } from '../../../src/fs/types.ts';
import { ntfsRecordCarver } from '../../../src/carve/ntfs-record.ts';
import { fixtureFiles } from '../../helpers/fixture-tree.ts';

export const MAKE = join(import.meta.dirname, '../../../scripts/ntfs-images/make.sh');

/** What scripts/ntfs-images/make.sh runs: pass to requireTools. */
export const NTFS_TOOLS = ['/dev/fuse', 'mkntfs', 'ntfs-3g', 'fusermount'] as const;

/** `work` with the image mounted by ntfs-3g (FUSE) at `mnt`, unmounted after, even on failure. */
export function ntfsSession(img: string, mnt: string, work: () => void): void {
  execFileSync('ntfs-3g', [img, mnt]);
  try {
    work();
  } finally {
    execFileSync('fusermount', ['-u', mnt]);
  }
}

/** What the scan does: the carver at every 512-byte boundary whose anchor matches. */
export function carveAll(img: Uint8Array): Candidate[] {
  const out: Candidate[] = [];
  const a = ntfsRecordCarver.anchors[0]!;
  const chunk = { base: 0, bytes: img, page: img.length };
  for (let o = 0; o + 512 <= img.length; o += 512) {
    let hit = true;
    for (let i = 0; i < a.bytes.length; i++) if (img[o + a.at + i] !== a.bytes[i]) hit = false;
    if (hit) out.push(...ntfsRecordCarver.carve(chunk, o));
  }
  return out;
}

/** The bytes of a file as the evidence describes them. */
export function bytesOf(img: Uint8Array, f: FileEvidence): Uint8Array {
  if (f.resident) return f.resident;
  const out = new Uint8Array(f.size);
  let p = 0;
  for (const e of f.extents) {
    out.set(img.subarray(e.offset, e.offset + Math.min(e.length, f.size - p)), p);
    p += e.length;
  }
  return out;
}

/** A container of the fixture tree (laid out like ../shared/samples) → {file name → bytes}. */
export const sample = fixtureFiles;

// ---- synthetic records ----

function le(n: number | bigint, size: number): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}
const pad8 = (a: number[]) => {
  while (a.length % 8) a.push(0);
  return a;
};

export function resident(type: number, value: Uint8Array, name = ''): Uint8Array {
  const nameBytes = [...name].flatMap((c) => le(c.charCodeAt(0), 2));
  const valueOff = pad8([...new Array(0x18 + nameBytes.length).fill(0)]).length;
  const a = new Array(valueOff).fill(0);
  a.splice(0, 4, ...le(type, 4));
  a[9] = name.length;
  a.splice(0x0a, 2, ...le(0x18, 2));
  a.splice(0x10, 4, ...le(value.length, 4));
  a.splice(0x14, 2, ...le(valueOff, 2));
  a.splice(0x18, nameBytes.length, ...nameBytes);
  const all = pad8([...a, ...value]);
  all.splice(4, 4, ...le(all.length, 4));
  return Uint8Array.from(all);
}

export function nonResident(
  type: number,
  runs: number[],
  o: { startVcn?: number; lastVcn: number; alloc: number; real: number; init?: number; flags?: number },
): Uint8Array {
  const a = new Array(0x40).fill(0);
  a.splice(0, 4, ...le(type, 4));
  a[8] = 1;
  a.splice(0x0a, 2, ...le(0x40, 2));
  a.splice(0x0c, 2, ...le(o.flags ?? 0, 2));
  a.splice(0x10, 8, ...le(o.startVcn ?? 0, 8));
  a.splice(0x18, 8, ...le(o.lastVcn, 8));
  a.splice(0x20, 2, ...le(0x40, 2));
  a.splice(0x28, 8, ...le(o.alloc, 8));
  a.splice(0x30, 8, ...le(o.real, 8));
  a.splice(0x38, 8, ...le(o.init ?? o.real, 8));
  const all = pad8([...a, ...runs, 0]);
  all.splice(4, 4, ...le(all.length, 4));
  return Uint8Array.from(all);
}

export function fileName(parent: number, parentSeq: number, name: string, ns = 1, dir = false): Uint8Array {
  const a = new Array(0x42).fill(0);
  a.splice(0, 8, ...le(BigInt(parent) | (BigInt(parentSeq) << 48n), 8));
  a.splice(0x38, 4, ...le(dir ? 0x10000000 : 0x20, 4));
  a[0x40] = name.length;
  a[0x41] = ns;
  return Uint8Array.from([...a, ...[...name].flatMap((c) => le(c.charCodeAt(0), 2))]);
}

export function attrList(entries: { type: number; ref: number; seq?: number; vcn?: number }[]): Uint8Array {
  const out: number[] = [];
  for (const e of entries) {
    const x = new Array(0x20).fill(0);
    x.splice(0, 4, ...le(e.type, 4));
    x.splice(4, 2, ...le(0x20, 2));
    x[7] = 0x1a;
    x.splice(8, 8, ...le(e.vcn ?? 0, 8));
    x.splice(0x10, 8, ...le(BigInt(e.ref) | (BigInt(e.seq ?? 1) << 48n), 8));
    out.push(...x);
  }
  return Uint8Array.from(out);
}

/** A 1 KiB FILE record with a valid update sequence array (fix-ups applied to disk form). */
export function record(o: { num: number; seq?: number; flags?: number; base?: number; baseSeq?: number; attrs: Uint8Array[]; size?: number }): Uint8Array {
  const size = o.size ?? 1024;
  const r = new Uint8Array(size);
  r.set([0x46, 0x49, 0x4c, 0x45]);
  const usaCount = size / 512 + 1;
  r.set(le(0x30, 2), 4);
  r.set(le(usaCount, 2), 6);
  r.set(le(o.seq ?? 1, 2), 0x10);
  r.set(le(1, 2), 0x12);
  const first = pad8(new Array(0x30 + usaCount * 2).fill(0)).length;
  r.set(le(first, 2), 0x14);
  r.set(le(o.flags ?? 1, 2), 0x16);
  r.set(le(BigInt(o.base ?? 0) | (BigInt(o.baseSeq ?? 0) << 48n), 8), 0x20);
  r.set(le(o.num, 4), 0x2c);
  let p = first;
  for (const a of o.attrs) {
    r.set(a, p);
    p += a.length;
  }
  r.set([0xff, 0xff, 0xff, 0xff], p);
  p += 8;
  r.set(le(p, 4), 0x18);
  r.set(le(size, 4), 0x1c);
  // Update sequence: USN 0x0001, each block's last two bytes saved into the array.
  r.set([1, 0], 0x30);
  for (let i = 1; i < usaCount; i++) {
    const end = i * 512 - 2;
    r[0x30 + i * 2] = r[end]!;
    r[0x30 + i * 2 + 1] = r[end + 1]!;
    r[end] = 1;
    r[end + 1] = 0;
  }
  return r;
}

export function candidates(recs: { at: number; bytes: Uint8Array }[]): Candidate[] {
  const img = new Uint8Array(Math.max(...recs.map((r) => r.at + r.bytes.length)) + 4096);
  for (const r of recs) img.set(r.bytes, r.at);
  return carveAll(img);
}

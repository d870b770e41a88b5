/**
 * Registry hives and hive bins the linear pass found where no listed hive file lies
 * (docs/registry.md §2.10): a `regf` base block is a deleted or older hive, read on from there bin
 * by bin while each bin's self-offset follows (so a base block whose length lies costs only the
 * bins that are there); a lone `hbin` is relocatable by its self-offset, and joins its neighbours
 * when they sit at the consistent relative offset. Both become containers like a listed hive's.
 */
import type { Candidate } from '../../carve/types.ts';
import { u32 } from '../../layout/le.ts';
import { BASE_BLOCK, BIN_HEADER, binHeader } from '../../layout/regf.ts';
import type { ByteRange } from '../../source/types.ts';
import type { FileEvidence, FsProblem, MediaReader } from '../types.ts';
import { readExact } from '../read-exact.ts';
import { keyAt, openBins, type Hive, type KeyNode } from './hive.ts';
import { containersIn, containersInHive, MAX_HIVE_BYTES } from './index.ts';
import { containerVks, valueOwners } from './owners.ts';

/** Hives carved per medium; an image holding more old copies than this is reported, not read. */
const MAX_CARVED_HIVES = 32;
/** Runs of lone bins parsed per medium (a filler of copied bins stops here). */
const MAX_BIN_RUNS = 4096;
/** Neighbour bins read on each side of a run when its values' data lie outside it. */
const MAX_NEIGHBOURS = 16;
/** The medium is read this much at a time when following a hive's bins. */
const PIECE = 4 << 20;

const inside = (at: number, ranges: readonly ByteRange[]) => ranges.some((r) => at >= r.offset && at < r.offset + r.length);

/** Containers from the hives and bins in `candidates` that lie outside `known` (the listed hives' extents). */
export async function filesFromCarvedHives(candidates: readonly Candidate[], known: readonly ByteRange[], reader: MediaReader): Promise<{ files: FileEvidence[]; problems: FsProblem[] }> {
  const files: FileEvidence[] = [];
  const problems: FsProblem[] = [];
  const covered = [...known];
  const hives = candidates.filter((c) => c.kind === 'regf' && !inside(c.offset, covered));
  for (const [i, c] of hives.entries()) {
    if (inside(c.offset, covered)) continue; // an older base block inside a hive carved before
    if (i >= MAX_CARVED_HIVES) {
      problems.push({ at: c.offset, what: `${hives.length - i} more carved hive base blocks not read (at most ${MAX_CARVED_HIVES})` });
      break;
    }
    const r = await carvedHive(c, reader);
    covered.push({ offset: c.offset, length: r.length });
    files.push(...r.files);
    problems.push(...r.problems.slice(0, 50).map((what) => ({ at: c.offset, what: `hive carved at ${c.offset}: ${what}` })));
  }
  const runs = binRuns(candidates.filter((c) => c.kind === 'hive-bin' && !inside(c.offset, covered)), problems);
  for (const [i, run] of runs.entries()) {
    if (i >= MAX_BIN_RUNS) {
      problems.push({ at: run.at, what: `${runs.length - i} more runs of lone hive bins not parsed (at most ${MAX_BIN_RUNS})` });
      break;
    }
    const r = await loneBins(run, reader);
    files.push(...r.files);
    problems.push(...r.problems.slice(0, 20).map((what) => ({ at: run.at, what: `hive bins at ${run.at}: ${what}` })));
  }
  return { files, problems };
}

async function carvedHive(c: Candidate, reader: MediaReader): Promise<{ files: FileEvidence[]; problems: string[]; length: number }> {
  const declared = Math.min(u32(c.bytes, 40), MAX_HIVE_BYTES);
  const bins = await readBins(reader, c.offset + BASE_BLOCK, 0, declared);
  const bytes = Buffer.concat([c.bytes.subarray(0, BASE_BLOCK), bins]);
  const f = pseudoFile(c.offset, bytes.length);
  const r = containersInHive(bytes, f, { note: `registry: from a hive no file lists, its base block carved at offset ${c.offset}` });
  return typeof r === 'string' ? { files: [], problems: [r], length: bytes.length } : { ...r, length: bytes.length };
}

interface Run {
  readonly at: number;
  readonly self: number;
  readonly bins: Candidate[];
}

/** Bins in medium order, joined while each follows the last at the offset its self-offset says;
 * a bin starting inside the previous one is damage or a trap, and is skipped. */
function binRuns(bins: readonly Candidate[], problems: FsProblem[]): Run[] {
  const runs: Run[] = [];
  let end = -1;
  let overlaps = 0;
  for (const c of [...bins].sort((a, b) => a.offset - b.offset)) {
    const h = binHeader(c.bytes, 0);
    if (typeof h === 'string') continue;
    if (c.offset < end) {
      overlaps++;
      continue;
    }
    const last = runs[runs.length - 1];
    if (last && c.offset === end && h.self === last.self + (end - last.at)) last.bins.push(c);
    else runs.push({ at: c.offset, self: h.self, bins: [c] });
    end = c.offset + h.size;
  }
  if (overlaps) problems.push({ at: bins[0]!.offset, what: `${overlaps} hive bins starting inside another bin skipped` });
  return runs;
}

/** One run of bins, widened by its neighbours when its values' data lie outside it. */
async function loneBins(run: Run, reader: MediaReader): Promise<{ files: FileEvidence[]; problems: string[] }> {
  let at = run.at;
  let self = run.self;
  const whole: Uint8Array[] = [];
  for (const c of run.bins) whole.push(c.truncated ? ((await readExact(reader, c.offset, u32(c.bytes, 8))) ?? c.bytes) : c.bytes);
  let bytes: Uint8Array = Buffer.concat(whole);
  let h = openBins(bytes, self);
  for (let step = 0; step < MAX_NEIGHBOURS; step++) {
    const want = outside(h);
    if (want.after) {
      const more = await binAfter(reader, at + bytes.length, self + bytes.length);
      if (more) (bytes = Buffer.concat([bytes, more])), (h = openBins(bytes, self));
      else want.after = false;
    }
    if (want.before) {
      const prev = await binBefore(reader, at, self);
      if (prev) (bytes = Buffer.concat([prev, bytes])), (at -= prev.length), (self -= prev.length), (h = openBins(bytes, self));
      else want.before = false;
    }
    if (!want.after && !want.before) break;
  }
  return containersIn(h, pseudoFile(at, bytes.length), { fragment: true, note: `registry: from lone hive bins at offset ${at} (no hive lists them; relative offset ${self})` });
}

/** Whether container values of the run point at data, or their keys at parents, before or after
 * the bins it holds. */
function outside(h: Hive): { before: boolean; after: boolean } {
  const r = { before: false, after: false };
  const see = (rel: number) => {
    if (rel === 0xffffffff) return;
    if (rel < h.binsStart) r.before = true;
    else if (rel >= h.binsEnd) r.after = true;
  };
  const vks = containerVks(h, true, []);
  for (const vk of vks.values()) if (!vk.resident) see(vk.dataOff);
  for (const owner of new Set([...valueOwners(h, vks).values()].map((o) => o.nk))) if (owner) see(brokenParent(h, owner));
  return r;
}

/** The first parent offset up a key's chain that is no key node here (0xffffffff: none). */
function brokenParent(h: Hive, nk: KeyNode): number {
  const seen = new Set<number>();
  for (let k: KeyNode | null = nk; k && !k.root && !seen.has(k.off); k = keyAt(h, k.parent)) {
    seen.add(k.off);
    if (!keyAt(h, k.parent)) return k.parent;
  }
  return 0xffffffff;
}

/** The bin that ends where `at` starts with the self-offset that makes `self` follow it. */
async function binBefore(reader: MediaReader, at: number, self: number): Promise<Uint8Array | null> {
  for (let size = 4096; size <= 16 * 4096 && size <= at && size <= self; size += 4096) {
    const head = await readExact(reader, at - size, BIN_HEADER);
    const h = head ? binHeader(head, 0) : null;
    if (h && typeof h !== 'string' && h.size === size && h.self === self - size) return readExact(reader, at - size, size);
  }
  return null;
}

/** The bin at `at` when its self-offset is `self` (a run's next neighbour). */
async function binAfter(reader: MediaReader, at: number, self: number): Promise<Uint8Array | null> {
  const head = await readExact(reader, at, BIN_HEADER);
  const h = head ? binHeader(head, 0) : null;
  return h && typeof h !== 'string' && h.self === self ? readExact(reader, at, h.size) : null;
}

/** Bins on the medium from `at`, self-offsets running from `self`, at most `limit` bytes; stops at
 * the first bin that does not follow (or cannot be read). Read a piece at a time. */
async function readBins(reader: MediaReader, at: number, self: number, limit: number): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  let len = 0;
  let piece: Uint8Array = new Uint8Array(0);
  let pieceAt = 0;
  const bytesAt = async (off: number, n: number): Promise<Uint8Array | null> => {
    if (off >= pieceAt && off + n <= pieceAt + piece.length) return piece.subarray(off - pieceAt, off - pieceAt + n);
    const want = Math.min(Math.max(n, PIECE), limit - off, reader.size - at - off);
    const b = want >= n ? await readExact(reader, at + off, want) : null;
    if (!b) return null;
    (piece = b), (pieceAt = off);
    return b.subarray(0, n);
  };
  while (len + BIN_HEADER <= limit) {
    const head = await bytesAt(len, BIN_HEADER);
    const h = head ? binHeader(head, 0) : 'unreadable';
    if (typeof h === 'string' || h.self !== self + len || len + h.size > limit) break;
    const bin = await bytesAt(len, h.size);
    if (!bin) break;
    out.push(bin);
    len += h.size;
  }
  return Buffer.concat(out);
}

/** The hive as a file for the evidence: one extent on the medium, outside any listed file. */
function pseudoFile(offset: number, length: number): FileEvidence {
  return { evidence: 'carved', name: 'hive', parentName: null, parentPath: null, folderKey: null, deleted: true, size: length, extents: [{ offset, length }], confirmed: false, volumeOffset: 0 };
}

/**
 * Dispatch table: for each distinct anchor offset, 256 buckets keyed by the byte found there, so a
 * sector meets only the carvers whose anchor byte matches (PhotoRec's file_checks[256]). The hot
 * loop is a compiled prefilter over the first two bytes of each anchor; only a sector with a
 * possible match pays for the full comparison. With the addon built the whole test runs in C
 * (native/anchors.c: ~1.5–2× less CPU than this, measured loaded, before its prefilter was
 * unrolled to 2.2× fewer instructions again; callgrind), reading an image file's piece in the same
 * call; this TypeScript is the fallback and the tests' oracle.
 */
import type { Anchor, CarverSpec } from '../carve/types.ts';
import { carveWindow } from '../carve/window.ts';
import { loadNative, type NativeAddon } from '../native.ts';

interface Entry {
  readonly carver: CarverSpec;
  readonly at: number;
  /** Masked: a byte b matches bytes[k] when (b & mask[k]) === bytes[k]. */
  readonly bytes: Uint8Array;
  readonly mask: Uint8Array;
}

/** An anchor with its mask made whole (all 0xff where none is given) and its bytes masked. */
function entry(carver: CarverSpec, a: Anchor): Entry {
  const mask = a.mask ?? new Uint8Array(a.bytes.length).fill(0xff);
  if (mask.length !== a.bytes.length || mask[0] !== 0xff) throw new Error(`${carver.kind}: an anchor's mask must match its bytes and keep the first byte whole`);
  return { carver, at: a.at, bytes: a.bytes.map((x, k) => x & mask[k]!), mask };
}

/** The second bytes an anchor lets through the two-byte prefilter (all 256 for a one-byte anchor). */
const ALL_BYTES = Array.from({ length: 256 }, (_, x) => x);
function secondBytes(e: Entry): readonly number[] {
  if (e.bytes.length === 1 || e.mask[1] === 0) return ALL_BYTES;
  if (e.mask[1] === 0xff) return [e.bytes[1]!];
  return ALL_BYTES.filter((x) => (x & e.mask[1]!) === e.bytes[1]);
}

/** A two-byte prefix for the prefilter's compares, or null when the second byte is not whole. */
const exactPair = (e: Entry): number | null => (e.bytes.length > 1 && e.mask[1] === 0xff ? e.bytes[0]! | (e.bytes[1]! << 8) : null);

export interface AnchorTable {
  readonly offsets: Int32Array;
  /**
   * The prefilter compiled for this table: a loop over the sectors of [from, to) with straight-line
   * code over the anchor offsets, each testing the first two anchor bytes (a compare where an offset
   * holds few anchors, else a bitset), pushing onto `out` each sector that may match (sectorTests). Two-byte
   * values at even offsets come from `h`, a 16-bit view of `b` (half the loads); `h` is null when
   * `b` starts at an odd address. V8 runs this several times faster than a loop over the table.
   */
  readonly scan: (bits: Uint32Array, b: Uint8Array, h: Uint16Array | null, from: number, to: number, out: number[]) => void;
  readonly bits: Uint32Array;
  /** hit[i * 256 + byte] = 1 when some anchor at offsets[i] starts with `byte`. */
  readonly hit: Uint8Array;
  /** buckets[i][byte] for offsets[i] */
  readonly buckets: readonly (readonly Entry[])[][];
  /** The same test in C (native/anchors.c), made at first use; null without the addon. */
  native?: NativeHits | null;
  /** The addon's handle for this table (undefined until made, null: none). */
  handle?: object | null;
  /** nativeReadHits' and nativeReadHitsOffThread's functions, made at first use. */
  reader?: NativeReadHits | null;
  offThread?: NativeReadHitsOffThread | null;
  keeper?: NativeReadKeep | null;
}

/** Pushes onto `out` the sector starts in [from, to) of `b` where a whole anchor matches. */
export type NativeHits = (b: Uint8Array, from: number, to: number, out: number[]) => void;

/** Reads slot[have, to) from descriptor fd (slot[0] at offset `base`), then pushes onto `out` the
 * hits in [from, to) over slot[0, to), as NativeHits would; returns the bytes the slot holds from
 * its start (to, or more when `have` was past it), or a read's errno and the bytes that did arrive. */
export type NativeReadHits = (fd: number, slot: Uint8Array, from: number, to: number, have: number, base: number, out: number[]) => { filled: number; errno?: number };

/** NativeReadHits over [from, to) in pieces of `piece` bytes, on one of libuv's threads: this
 * thread goes on meanwhile (the slot, from `have` on, is not to be touched until it settles). */
export type NativeReadHitsOffThread = (fd: number, slot: Uint8Array, from: number, to: number, have: number, base: number, piece: number, out: number[]) => Promise<{ filled: number; errno?: number }>;

/** What a sparse read of a chunk did (NativeReadKeep). */
export interface KeptRead {
  /** The slot holds the source's bytes that it kept up to here. */
  readonly filled: number;
  /** A read's errno: the sectors from `tested` on are not tested, and the slot also holds the
   * widest window's back before `tested`, through `filled`. */
  readonly errno?: number;
  readonly tested: number;
  /** Bytes written into the slot. */
  readonly kept: number;
}

/** Reads slot[from, to) from descriptor fd (slot[0] at offset `base`) in pieces of `piece` bytes
 * on one of libuv's threads, each tested while in cache, and writes into the slot only `keep`
 * (sorted [start, end) pairs) and each hit's window (carveWindow of the carvers whose anchor
 * matches there); pushes the hits onto `out`. Every other byte of the slot is left as it was. */
export type NativeReadKeep = (fd: number, slot: Uint8Array, from: number, to: number, base: number, piece: number, keep: Int32Array, out: number[]) => Promise<KeptRead>;

export function buildAnchorTable(carvers: readonly CarverSpec[]): AnchorTable {
  const entries = carvers.flatMap((c) => c.anchors.map((a) => entry(c, a)));
  const list = [...new Set(entries.map((e) => e.at))].sort((a, b) => a - b);
  const buckets = list.map(() => Array.from({ length: 256 }, () => [] as Entry[]));
  const hit = new Uint8Array(list.length * 256);
  // Two-byte bitset: a one-byte anchor, or one whose second byte is masked, sets its every second byte.
  const bits = new Uint32Array(list.length * 2048);
  for (const e of entries) {
    const i = list.indexOf(e.at);
    buckets[i]![e.bytes[0]!]!.push(e);
    hit[i * 256 + e.bytes[0]!] = 1;
    for (const x of secondBytes(e)) {
      const k = e.bytes[0]! | (x << 8);
      bits[i * 2048 + (k >>> 5)]! |= 1 << (k & 31);
    }
  }
  // The offsets are constants of the carver list: unroll the prefilter into straight-line code.
  const loop = (wide: boolean) => `for (let s = from; s < to; s += 512) {\nconst s2 = s >> 1;\nlet k = 0;\nlet hit = 0;\n${sectorTests(list, entries, wide)}\nif (hit) out.push(s);\n}`;
  const scan = new Function('w', 'b', 'h', 'from', 'to', 'out', `if (h) {\n${loop(true)}\n} else {\n${loop(false)}\n}`) as AnchorTable['scan'];
  return { offsets: Int32Array.from(list), scan, bits, hit, buckets };
}

/** The table's anchors compiled by the addon (built at its first call on each thread), or null:
 * no addon, one built before it had the anchor test, KEYCARVE_NO_NATIVE=1. */
export function nativeHits(t: AnchorTable): NativeHits | null {
  const addon = loadNative();
  const handle = addon && tableHandle(t, addon);
  if (!handle) return null;
  if (t.native !== undefined) return t.native;
  let found = new Int32Array(0);
  t.native = (b, from, to, out) => {
    const cap = Math.ceil((to - from) / 512);
    if (found.length < cap) found = new Int32Array(cap);
    const n = addon.anchorScan(handle, b, from, to, found);
    for (let i = 0; i < n; i++) out.push(found[i]!);
  };
  return t.native;
}

/** The read and the test of a piece in one call to the addon (native/anchors.c anchor_read_scan:
 * no fs.readSync, one call instead of two), or null without it. */
export function nativeReadHits(t: AnchorTable): NativeReadHits | null {
  const addon = loadNative();
  const handle = addon && tableHandle(t, addon);
  if (!handle || typeof addon.anchorReadScan !== 'function') return null;
  if (t.reader) return t.reader;
  const scan = addon.anchorReadScan.bind(addon);
  let found = new Int32Array(0);
  const status = new Float64Array(2);
  return (t.reader = (fd, slot, from, to, have, base, out) => {
    const cap = Math.ceil((to - from) / 512);
    if (found.length < cap) found = new Int32Array(cap);
    const n = scan(handle, fd, slot, from, to, have, base, found, status);
    if (n < 0) return { filled: status[0]!, errno: status[1]! };
    for (let i = 0; i < n; i++) out.push(found[i]!);
    return { filled: status[0]! };
  });
}

/** nativeReadHits on libuv's threads (native/keycarve.c anchorReadScanAsync), or null without it. */
export function nativeReadHitsOffThread(t: AnchorTable): NativeReadHitsOffThread | null {
  if (t.offThread !== undefined) return t.offThread;
  const addon = loadNative();
  const handle = addon && tableHandle(t, addon);
  if (!handle || typeof addon.anchorReadScanAsync !== 'function') return (t.offThread = null);
  const scan = addon.anchorReadScanAsync.bind(addon);
  // One hit array per call in flight (several chunks are read at once), reused rather than a
  // fresh 64 KiB one a chunk for the collector to sweep.
  const spare: { found: Int32Array; status: Float64Array }[] = [];
  return (t.offThread = async (fd, slot, from, to, have, base, piece, out) => {
    const cap = Math.ceil((to - from) / 512);
    let a = spare.pop();
    if (!a || a.found.length < cap) a = { found: new Int32Array(cap), status: new Float64Array(2) };
    try {
      const n = await scan(handle, fd, slot, from, to, have, base, a.found, a.status, piece);
      if (n < 0) return { filled: a.status[0]!, errno: a.status[1]! };
      for (let i = 0; i < n; i++) out.push(a.found[i]!);
      return { filled: a.status[0]! };
    } finally {
      spare.push(a);
    }
  });
}

/** NativeReadKeep (native/anchors.c anchor_read_keep), or null without an addon that has it. */
export function nativeReadKeep(t: AnchorTable): NativeReadKeep | null {
  if (t.keeper !== undefined) return t.keeper;
  const addon = loadNative();
  const handle = addon && tableHandle(t, addon);
  if (!handle || typeof addon.anchorReadKeepAsync !== 'function') return (t.keeper = null);
  const read = addon.anchorReadKeepAsync.bind(addon);
  const spare: { found: Int32Array; status: Float64Array }[] = []; // as nativeReadHitsOffThread's
  return (t.keeper = async (fd, slot, from, to, base, piece, keep, out) => {
    const cap = Math.ceil((to - from) / 512);
    let a = spare.pop();
    if (!a || a.found.length < cap) a = { found: new Int32Array(cap), status: new Float64Array(4) };
    try {
      const n = await read(handle, fd, slot, from, to, base, piece, keep, a.found, a.status);
      for (let i = 0; i < n; i++) out.push(a.found[i]!);
      const [filled, errno, tested, kept] = a.status as unknown as [number, number, number, number];
      return { filled, tested, kept, ...(errno !== 0 ? { errno } : {}) };
    } finally {
      spare.push(a);
    }
  });
}

/** The table's anchors compiled by the addon (at its first use on each thread), or null: one built
 * before it had the anchor test, anchors past its limits. */
function tableHandle(t: AnchorTable, addon: NativeAddon): object | null {
  if (t.handle !== undefined) return t.handle;
  if (typeof addon.anchorTable !== 'function' || typeof addon.anchorScan !== 'function') return (t.handle = null);
  const entries = t.buckets.flat(2);
  // An addon built before masks would compare a masked anchor's free bytes as given.
  if (!addon.anchorMasks && entries.some((e) => e.mask.some((m) => m !== 0xff))) return (t.handle = null);
  let start = 0;
  const starts = Int32Array.from(entries, (e) => (start += e.bytes.length) - e.bytes.length);
  const masks = Uint8Array.from(entries.flatMap((e) => [...e.mask]));
  const windows = entries.map((e) => carveWindow(e.carver));
  t.handle = addon.anchorTable(
    Int32Array.from(entries, (e) => e.at),
    Int32Array.from(entries, (e) => e.bytes.length),
    starts,
    Uint8Array.from(entries.flatMap((e) => [...e.bytes])),
    ...(addon.anchorMasks ? [masks] : []),
    ...(addon.anchorMasks && addon.anchorReadKeepAsync ? [Int32Array.from(windows, (w) => w.back), Int32Array.from(windows, (w) => w.ahead)] : []),
  );
  return t.handle;
}

/**
 * The prefilter's body for one sector: per anchor offset, a byte compare for a one-byte anchor,
 * compares of one 16-bit value for a few two-byte prefixes, and only a crowded offset pays for its
 * bitset (8 KiB, out of L1 when every offset has one: most offsets hold one or two prefixes). The
 * tests are OR-ed without branching (almost every sector fails all of them: one branch a sector
 * instead of one per test, ~45% less time, measured). `wide`: each 16-bit word of the sector is
 * loaded once from `h`, the odd-offset values made from two of them. Bytes past the buffer read as
 * 0 or undefined: a false positive at worst (matchingCarvers checks bounds).
 */
function sectorTests(list: readonly number[], entries: readonly Entry[], wide: boolean): string {
  const lines: string[] = [];
  const loaded = new Set<number>();
  const word = (j: number) => {
    if (!loaded.has(j)) lines.push(`const w${j} = h[s2 + ${j}] | 0;`);
    loaded.add(j);
    return `w${j}`;
  };
  const byteAt = (o: number) => (!wide ? `b[s + ${o}]` : o % 2 === 0 ? `(${word(o >> 1)} & 255)` : `(${word(o >> 1)} >>> 8)`);
  const pairAt = (o: number) =>
    !wide ? `(b[s + ${o}] | 0) | ((b[s + ${o + 1}] | 0) << 8)` : o % 2 === 0 ? word(o >> 1) : `(${word(o >> 1)} >>> 8) | ((${word((o >> 1) + 1)} & 255) << 8)`;
  list.forEach((o, i) => {
    const anchors = entries.filter((e) => e.at === o);
    const singles = [...new Set(anchors.filter((e) => exactPair(e) === null).map((e) => e.bytes[0]!))];
    const pairs = [...new Set(anchors.map(exactPair).filter((k) => k !== null))].filter((k) => !singles.includes(k & 0xff));
    const tests = singles.map((x) => `(${byteAt(o)} === ${x})`);
    if (pairs.length > 0) lines.push(`k = ${pairAt(o)};`);
    if (pairs.length > 4) tests.push(`((w[${i * 2048} + (k >>> 5)] >>> (k & 31)) & 1)`);
    else tests.push(...pairs.map((k) => `(k === ${k})`));
    lines.push(`hit |= ${tests.join(' | ')};`);
  });
  return lines.join('\n');
}

/** Carvers whose anchor matches the sector starting at `s` (each carver at most once). */
export function matchingCarvers(t: AnchorTable, b: Uint8Array, s: number, out: Set<CarverSpec>): void {
  out.clear();
  for (let i = 0; i < t.offsets.length; i++) {
    const at = s + t.offsets[i]!;
    if (at >= b.length) break;
    // Most offsets of a hit hold no anchor's first byte: a byte load instead of an empty bucket's
    // loop (matchingCarvers ~2.5x faster, ~1 µs a hit before; microbenchmark, 2 GiB image).
    if (t.hit[i * 256 + b[at]!] === 0) continue;
    const bucket = t.buckets[i]![b[at]!]!;
    for (const e of bucket) {
      if (out.has(e.carver) || at + e.bytes.length > b.length) continue;
      let k = 1;
      while (k < e.bytes.length && (b[at + k]! & e.mask[k]!) === e.bytes[k]) k++;
      if (k === e.bytes.length) out.add(e.carver);
    }
  }
}

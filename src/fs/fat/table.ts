// The file allocation table: read once, both copies when there are two; chains are followed with
// cycle and range checks, falling back to the second copy when the first gives a broken chain.
import type { FsProblem, MediaReader } from '../types.ts';
import { readPieces, type ClusterRun } from '../fat-common/clusters.ts';
import type { FatBoot } from './boot.ts';
import { sameBytes } from '../../crypto/bytes.ts';

/** Cap on how much FAT we are willing to hold in memory (a 2 TiB FAT32 with 32 KiB clusters). */
const MAX_FAT_BYTES = 512 << 20;

export interface FatTable {
  readonly boot: FatBoot;
  /** Next-cluster value from the preferred copy (masked to 28 bits on FAT32). */
  get(c: number): number;
  /** True when neither usable copy allocates cluster c. */
  isFree(c: number): boolean;
  /** The first cluster from c through `end` that isFree, or end + 1. */
  nextFree(c: number, end: number): number;
  /** The first cluster from c through `end` that is not free, or end + 1. */
  nextUsed(c: number, end: number): number;
  isEnd(v: number): boolean;
  /** The chain from `start` as runs of consecutive clusters (`count` clusters in all), or a reason
   * when it is broken. Bounded by `max`. */
  chain(start: number, max: number): Chain;
}

export interface Chain {
  readonly runs: readonly ClusterRun[];
  readonly count: number;
  readonly error?: string;
}

function decoder(type: FatBoot['type'], fat: Uint8Array): (c: number) => number {
  if (type === 'fat12')
    return (c) => {
      const o = c + (c >> 1);
      const v = (fat[o] ?? 0) | ((fat[o + 1] ?? 0) << 8);
      return c & 1 ? v >> 4 : v & 0xfff;
    };
  if (type === 'fat16') return (c) => (fat[2 * c] ?? 0) | ((fat[2 * c + 1] ?? 0) << 8);
  const bytes = (c: number) => (((fat[4 * c] ?? 0) | ((fat[4 * c + 1] ?? 0) << 8) | ((fat[4 * c + 2] ?? 0) << 16) | ((fat[4 * c + 3] ?? 0) << 24)) >>> 0) & 0x0fffffff;
  // The whole entries as one Uint32Array on a little-endian host: the chain walk reads one entry
  // per cluster, and this read is ~3x cheaper than DataView's before the JIT has warmed up. A
  // big-endian host or an unaligned FAT (neither met here) assembles each entry from its bytes.
  if (!LITTLE_ENDIAN || fat.byteOffset % 4 !== 0) return bytes;
  const u32 = new Uint32Array(fat.buffer, fat.byteOffset, fat.byteLength >> 2);
  return (c) => (c < u32.length ? u32[c]! & 0x0fffffff : bytes(c));
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

const LONGER = 'chain longer than expected';

/** From cluster c, the last cluster (at most `end`) of the run whose entries each name the next
 * cluster. A function of its own: it is the walk's per-cluster work, and V8 optimises this small
 * loop early and keeps it optimised (the walk's whole loop deopted at every exit, ~2x slower). */
function runEnd(get: (c: number) => number, c: number, end: number): number {
  while (c < end && get(c) === c + 1) c++;
  return c;
}

/** runEnd's kind of small loop, for the same reason: the first free (or used) entry from c (end + 1: none). */
function freeFrom(get: (c: number) => number, c: number, end: number): number {
  while (c <= end && get(c) !== 0) c++;
  return c;
}
function usedFrom(get: (c: number) => number, c: number, end: number): number {
  while (c <= end && get(c) === 0) c++;
  return c;
}

/** Marks the clusters after c through e as seen by walk `mark`; one seen before ends the run just
 * before it, so that the step onto it reports the cycle. */
function markRun(marks: Uint32Array, mark: number, c: number, e: number): number {
  const seenAt = e > c ? marks.subarray(c + 1, e + 1).indexOf(mark) : -1;
  const end = seenAt >= 0 ? c + seenAt : e;
  marks.fill(mark, c + 1, end + 1);
  return end;
}


export async function readFatTable(r: MediaReader, boot: FatBoot, problems: FsProblem[]): Promise<FatTable> {
  const bits = boot.type === 'fat12' ? 12 : boot.type === 'fat16' ? 16 : 32;
  const need = Math.ceil(((boot.clusterCount + 2) * bits) / 8);
  const len = Math.min(need, boot.fatSectors * boot.bytesPerSector, MAX_FAT_BYTES);
  if (len < need) problems.push({ at: boot.volumeOffset, what: 'FAT larger than the in-memory bound; tail treated as free' });
  const fatStart = boot.volumeOffset + boot.reservedSectors * boot.bytesPerSector;
  const copies: { get: (c: number) => number; bytes: Uint8Array; bad: number; ok: boolean }[] = [];
  /** Entries the copies hold: past them every entry reads as free. */
  let entries = 0;
  for (let i = 0; i < Math.min(boot.numFats, 2); i++) {
    const at = fatStart + i * boot.fatSectors * boot.bytesPerSector;
    const { bytes, bad } = await readPieces(r, at, Math.max(0, Math.min(len, r.size - at)));
    const get = decoder(boot.type, bytes);
    entries = Math.max(entries, Math.floor((bytes.length * 8) / bits));
    const max = boot.type === 'fat12' ? 0xfff : boot.type === 'fat16' ? 0xffff : 0x0fffffff;
    // Entry 0 carries the media byte in its low 8 bits and all-ones above; entry 1 is an end mark.
    const ok = (get(0) & 0xff) >= 0xf0 && (get(0) | 0xff) === max;
    if (!ok) problems.push({ at, what: `FAT copy ${i + 1} has a bad media/reserved entry` });
    if (bad.length) problems.push({ at, what: `FAT copy ${i + 1}: ${bad.length} unreadable piece(s)` });
    copies.push({ get, bytes, bad: bad.length, ok: ok && bad.length === 0 });
  }
  const primary = copies.find((c) => c.ok) ?? copies[0]!;
  const secondary = copies.find((c) => c !== primary);
  if (primary !== copies[0]) problems.push({ at: fatStart, what: 'first FAT damaged; using the second copy' });
  // Byte-equal copies (the usual case) decode alike: one memcmp instead of an entry-by-entry loop.
  if (secondary && !sameBytes(primary.bytes, secondary.bytes)) {
    let diff = 0;
    for (let c = 2; c <= boot.clusterCount + 1 && diff < 1; c++) if (primary.get(c) !== secondary.get(c)) diff++;
    if (diff) problems.push({ at: fatStart, what: 'FAT copies differ' });
  }
  const endMin = boot.type === 'fat12' ? 0xff8 : boot.type === 'fat16' ? 0xfff8 : 0x0ffffff8;
  const badMark = endMin - 1;
  const isEnd = (v: number) => v >= endMin;
  // Clusters seen by the current walk: seen[c] === its number. One array, sized by the entries
  // read, serves every walk (a Set per chain cost more than the rest of a 2 GiB FAT32's analysis);
  // a cluster past them has a free entry, so its chain ends there and cannot cycle.
  let seen: Uint32Array | null = null;
  let walks = 0;
  const last = boot.clusterCount + 1;
  // Runs, not a number per cluster: the bench's 2 GiB FAT32 has ~500 k clusters in 31 files, whose
  // per-cluster arrays (and the extents made from them) cost ~30 ms of its fs stage with GC.
  // Without `marks` no cycle is looked for: see `chain`.
  const walk = (get: (c: number) => number, start: number, maxLen: number, marks: Uint32Array | null): Chain => {
    const mark = ++walks;
    const runs: ClusterRun[] = [];
    let count = 0;
    let first = start;
    let prev = -1;
    let error: string | undefined;
    for (let c = start; ; ) {
      if (c < 2 || c > last) {
        error = `cluster ${c} out of range`;
        break;
      }
      if (marks && c < marks.length) {
        if (marks[c] === mark) {
          error = `FAT chain cycle at cluster ${c}`;
          break;
        }
        marks[c] = mark;
      }
      if (c !== prev + 1) {
        if (prev >= 0) runs.push({ first, count: prev - first + 1 });
        first = c;
      }
      if (++count > maxLen) {
        prev = c;
        error = LONGER;
        break;
      }
      // The rest of a consecutive run in one tight loop: it takes only the steps that the checks
      // above would pass (in range, within maxLen, unseen when marking): the same chains and errors.
      prev = runEnd(get, c, Math.min(last, c + maxLen - count, marks ? marks.length - 1 : last));
      if (marks) prev = markRun(marks, mark, c, prev);
      count += prev - c;
      c = prev;
      const v = get(c);
      if (v >= endMin) break;
      if (v === 0) {
        error = `chain runs into free cluster after ${c}`;
        break;
      }
      if (v === badMark) {
        error = `chain runs into bad cluster after ${c}`;
        break;
      }
      c = v;
    }
    if (prev >= 0) runs.push({ first, count: prev - first + 1 });
    return error === undefined ? { runs, count } : { runs, count, error };
  };
  // A chain that comes back to a cluster goes round for ever, so only a walk stopped by its bound
  // can have met a cycle; that walk is made again with marks, to tell a cycle (and where) from a
  // chain that is only too long. The others need no marks: on the bench's 2 GiB FAT32, faulting in
  // 2 MiB of them cost ~5 ms. Past clusterCount steps a cluster has repeated, so a hostile cycle
  // costs no more than a chain through the whole volume.
  const checked = (get: (c: number) => number, start: number, maxLen: number): Chain => {
    const w = walk(get, start, Math.min(maxLen, boot.clusterCount), null);
    return w.error === LONGER ? walk(get, start, maxLen, (seen ??= new Uint32Array(Math.min(last + 1, entries)))) : w;
  };
  return {
    boot,
    get: primary.get,
    isEnd,
    isFree: (c) => primary.get(c) === 0,
    nextFree: (c, end) => freeFrom(primary.get, c, end),
    nextUsed: (c, end) => usedFrom(primary.get, c, end),
    chain(start, max) {
      const a = checked(primary.get, start, max);
      if (!a.error || !secondary) return a;
      const b = checked(secondary.get, start, max);
      return b.error ? a : b;
    },
  };
}

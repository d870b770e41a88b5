/**
 * Transaction logs of a dirty hive (docs/registry.md §2.9; msuhanov/regf "New format", "Dirty state
 * of a hive"): a `.LOG1`/`.LOG2` beside the hive whose base block says file type 6 holds `HvLE`
 * entries, each a list of (offset, size) dirty-page references and the pages. Entries are applied
 * in sequence-number order from the primary file's secondary sequence number, LOG1's before LOG2's,
 * each checked by its two Marvin32 hashes; the first bad or missing entry ends the replay. Old-format
 * (DIRT) logs are reported and not applied. The replayed hive keeps a map back to the source: a page
 * from the log is read from the log file's extents.
 */
import { marvin32, REGISTRY_LOG_SEED } from '../../crypto/marvin32.ts';
import { u32 } from '../../layout/le.ts';
import { BASE_BLOCK, baseBlockChecksum } from '../../layout/regf.ts';
import type { ByteRange } from '../../source/types.ts';
import { toSource } from './source-map.ts';

/** Entries applied per hive: more is damage (Windows reconciles long before). */
const MAX_ENTRIES = 100_000;

interface Page {
  /** Offset relative to the hive bins data. */
  readonly rel: number;
  readonly size: number;
  /** Where the page's bytes start in the log file. */
  readonly at: number;
}

interface Entry {
  readonly seq: number;
  readonly binsSize: number;
  readonly pages: readonly Page[];
}

export interface LogFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly extents: readonly ByteRange[];
}

/** The valid entries of a new-format log up to the first bad one, or why there are none to apply. */
export function logEntries(log: Uint8Array): Entry[] | string {
  if (log.length < 512 || Buffer.from(log.subarray(0, 4)).toString('latin1') !== 'regf') return 'no regf base block';
  const type = u32(log, 28);
  if (type === 1 || type === 2) return 'an old-format (DIRT) log: not applied';
  if (type !== 6) return `file type ${type}: no transaction log`;
  const out: Entry[] = [];
  for (let at = 512; at + 40 <= log.length && out.length < MAX_ENTRIES; ) {
    const e = entryAt(log, at);
    if (!e) break;
    out.push(e.entry);
    at += e.size;
  }
  return out;
}

function entryAt(log: Uint8Array, at: number): { entry: Entry; size: number } | null {
  if (Buffer.from(log.subarray(at, at + 4)).toString('latin1') !== 'HvLE') return null;
  const size = u32(log, at + 4);
  const count = u32(log, at + 20);
  if (size < 512 || size % 512 !== 0 || at + size > log.length || 40 + count * 8 > size) return null;
  if (!hashIs(log.subarray(at + 40, at + size), log, at + 24) || !hashIs(log.subarray(at, at + 32), log, at + 32)) return null;
  const pages: Page[] = [];
  let data = at + 40 + count * 8;
  for (let i = 0; i < count; i++) {
    const rel = u32(log, at + 40 + i * 8);
    const len = u32(log, at + 44 + i * 8);
    if (len === 0 || len % 512 !== 0 || rel % 512 !== 0 || data + len > at + size) return null;
    pages.push({ rel, size: len, at: data });
    data += len;
  }
  return { entry: { seq: u32(log, at + 12), binsSize: u32(log, at + 16), pages }, size };
}

function hashIs(data: Uint8Array, log: Uint8Array, at: number): boolean {
  const [p0, p1] = marvin32(data, REGISTRY_LOG_SEED[0], REGISTRY_LOG_SEED[1]);
  return p0 === u32(log, at) && p1 === u32(log, at + 4);
}

/**
 * The hive after its logs' subsequent entries, with its extents spliced so that each page points at
 * the log bytes it came from; `applied` counts entries. A page may extend the hive only at its end
 * (new bins are logged whole): one that would leave a gap stops the replay.
 */
export function replayLogs(hive: Uint8Array, extents: readonly ByteRange[], logs: readonly LogFile[]): { bytes: Uint8Array; extents: ByteRange[]; applied: number; from: string[]; problems: string[] } {
  const problems: string[] = [];
  const byLog = logs.map((l) => ({ l, entries: logEntries(l.bytes) }));
  for (const { l, entries } of byLog) if (typeof entries === 'string') problems.push(`${l.name}: ${entries}`);
  let bytes = hive;
  let map: ByteRange[] = [...extents];
  let expected = u32(hive, 8); // the secondary sequence number: the first entry not yet in the file
  let applied = 0;
  const from = new Set<string>();
  let binsSize = u32(hive, 40);
  for (let guard = 0; guard < MAX_ENTRIES; guard++) {
    const next = byLog.flatMap(({ l, entries }) => (typeof entries === 'string' ? [] : entries.filter((e) => e.seq === expected).map((e) => ({ l, e }))))[0];
    if (!next) break;
    const grown = apply(bytes, map, next.l, next.e);
    if (typeof grown === 'string') {
      problems.push(`${next.l.name}: entry ${next.e.seq} ${grown}; replay stopped there`);
      break;
    }
    ({ bytes, map } = grown);
    binsSize = next.e.binsSize;
    applied++;
    from.add(next.l.name);
    expected++;
  }
  if (applied > 0) {
    bytes = bytes === hive ? bytes.slice() : bytes;
    sealBaseBlock(bytes, expected - 1, binsSize);
  }
  return { bytes, extents: map, applied, from: [...from], problems };
}

function apply(hive: Uint8Array, map: ByteRange[], log: LogFile, e: Entry): { bytes: Uint8Array; map: ByteRange[] } | string {
  let bytes = hive;
  for (const p of e.pages) {
    const at = BASE_BLOCK + p.rel;
    if (at > bytes.length) return `writes a page at ${p.rel}, past the hive's end`;
    if (at + p.size > bytes.length) {
      const grown = new Uint8Array(at + p.size);
      grown.set(bytes);
      bytes = grown;
    } else if (bytes === hive) bytes = hive.slice();
    bytes.set(log.bytes.subarray(p.at, p.at + p.size), at);
    const from = toSource([{ off: p.at, len: p.size }], log.extents);
    map = [...toSource([{ off: 0, len: at }], map), ...from, ...toSource([{ off: at + p.size, len: Math.max(0, total(map) - at - p.size) }], map)];
  }
  return { bytes, map };
}

const total = (rs: readonly ByteRange[]) => rs.reduce((n, r) => n + r.length, 0);

/** A replayed base block: clean (both sequence numbers the last entry's), its bins size, checksum. */
function sealBaseBlock(b: Uint8Array, seq: number, binsSize: number): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  v.setUint32(4, seq, true), v.setUint32(8, seq, true), v.setUint32(40, binsSize, true);
  v.setUint32(508, baseBlockChecksum(b), true);
}

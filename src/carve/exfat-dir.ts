/**
 * exFAT directory sectors found anywhere by the shape of their entry sets: a File entry
 * (0x85, or 0x05 deleted), a Stream Extension (0xC0/0x40), File Name entries (0xC1/0x41), and a
 * set checksum that verifies (with the in-use bits put back). After a quick format these sets still
 * give names, sizes and first clusters; src/fs/exfat/orphans.ts maps them onto a volume.
 *
 * A candidate covers the sets that START in one 512-byte sector: offset = the first set's File
 * entry, bytes = through the end of the last set (which may run into the next sector).
 */
import { ENTRY, parseSetAt } from '../layout/exfat-entry-set.ts';
import type { Candidate, CarverSpec, Chunk } from './types.ts';

const SECTOR = 512;
/** A set starting in the last slot of a sector with 18 secondaries. */
const MAX_LENGTH = SECTOR - ENTRY + 19 * ENTRY;

// (type, second byte) pairs a directory sector may begin with: a File entry and its
// SecondaryCount (2..18), a Stream Extension and its flags (AllocationPossible, NoFatChain), a
// File Name entry (flags 0), the root's bitmap (flags 0/1), up-case (0) and label (length 0..11)
// entries, and the benign GUID / TexFAT / ACT / vendor entries (0 or 1) — live and deleted.
// Two bytes instead of one keep random sectors out of the deep check (7% → 0.03%).
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const FIRST_PAIRS: [number, number[]][] = [
  [0x85, range(2, 18)], [0x05, range(2, 18)],
  [0xc0, range(0, 3)], [0x40, range(0, 3)],
  [0xc1, [0]], [0x41, [0]],
  [0x81, [0, 1]], [0x82, [0]], [0x83, range(0, 11)], [0x03, range(0, 11)],
  ...[0xa0, 0xa1, 0xa2, 0x20, 0x21, 0x22, 0xe0, 0x60].map((t): [number, number[]] => [t, [0, 1]]),
];

function carveExfatDir(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  let first = -1;
  let end = -1;
  const limit = Math.min(start + SECTOR, chunk.page, b.length);
  for (let i = start; i + ENTRY <= limit; ) {
    const t = b[i];
    if (t === 0x85 || t === 0x05) {
      const set = parseSetAt(b, i);
      if (set && set.checksumOk && (set.dataLength === 0 || set.firstCluster >= 2)) {
        if (first < 0) first = i;
        end = i + set.entries * ENTRY;
        i = end;
        continue;
      }
    }
    i += ENTRY;
  }
  if (first < 0) return [];
  return [{ kind: 'exfat-dir', offset: chunk.base + first, bytes: b.slice(first, end), checks: ['anchor', 'dir-shape'] }];
}

export const exfatDirCarver: CarverSpec = Object.freeze({
  kind: 'exfat-dir',
  anchors: FIRST_PAIRS.flatMap(([t, seconds]) => seconds.map((x) => ({ at: 0, bytes: Uint8Array.of(t, x) }))),
  maxLength: MAX_LENGTH,
  carve: carveExfatDir,
});

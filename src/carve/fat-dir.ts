/**
 * FAT directory clusters found by shape anywhere on the medium: a sector opening with the `.` and
 * `..` entries of a subdirectory, or a sector of valid 8.3 entries that lists a *.KEY file. The
 * candidate is that sector and the following ones that still look like directory entries, so a
 * quick-formatted volume's container folders can be read back (src/fs/fat/orphans.ts).
 */
import { entryLooksValid } from '../layout/fat-dir-entry.ts';
import type { Candidate, CarverSpec, Chunk } from './types.ts';

const MAX_DIR = 64 * 1024;
const DOT = Uint8Array.from('.          ', (c) => c.charCodeAt(0));
const KEY = Uint8Array.from('KEY', (c) => c.charCodeAt(0));

/** Sector verdict: 'full' (16 valid entries), 'end' (valid entries then the 0x00 end mark), or null. */
function sectorShape(b: Uint8Array, at: number): 'full' | 'end' | null {
  if (at + 512 > b.length) return null;
  let valid = 0;
  for (let o = at; o < at + 512; o += 32) {
    if (b[o] === 0) return valid > 0 || o > at ? 'end' : null;
    if (!entryLooksValid(b, o)) return null;
    valid++;
  }
  return 'full';
}

function isDotStart(b: Uint8Array, at: number): boolean {
  if (at + 64 > b.length) return false;
  for (let i = 0; i < 11; i++) if (b[at + i] !== DOT[i]) return false;
  if (!((b[at + 11] ?? 0) & 0x10) || b[at + 32] !== 0x2e || b[at + 33] !== 0x2e) return false;
  return entryLooksValid(b, at) && entryLooksValid(b, at + 32);
}

function listsKeyFile(b: Uint8Array, at: number): boolean {
  for (let o = at; o < at + 512; o += 32) {
    if (b[o] === 0) return false;
    if (b[o + 8] === 0x4b && b[o + 9] === 0x45 && b[o + 10] === 0x59 && !((b[o + 11] ?? 0) & 0x18)) return true;
  }
  return false;
}

function carveFatDir(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  const dot = isDotStart(b, start);
  let shape = sectorShape(b, start);
  if (!shape) return [];
  if (!dot) {
    if (!listsKeyFile(b, start)) return [];
    // A later sector of a directory whose `.` sector lies within reach is covered by that one.
    for (let p = start - 512; p >= 0 && start - p < MAX_DIR; p -= 512) {
      if (sectorShape(b, p) !== 'full') break;
      if (isDotStart(b, p)) return [];
    }
  }
  let end = start + 512;
  while (shape === 'full' && end - start < MAX_DIR) {
    const next = sectorShape(b, end);
    if (!next || isDotStart(b, end)) break;
    shape = next;
    end += 512;
  }
  return [{ kind: 'fat-dir', offset: chunk.base + start, bytes: b.slice(start, end), checks: ['anchor', 'dir-shape'] }];
}

export const fatDirCarver: CarverSpec = Object.freeze({
  kind: 'fat-dir',
  anchors: [{ at: 0, bytes: DOT }, ...Array.from({ length: 16 }, (_, k) => ({ at: 32 * k + 8, bytes: KEY }))],
  maxLength: MAX_DIR,
  lookBack: MAX_DIR, // for the `.` sector of the directory a later sector belongs to
  carve: carveFatDir,
});

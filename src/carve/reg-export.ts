/**
 * Registry exports (.reg text, docs/registry.md §7) anywhere on the medium — the fs stage keeps the
 * text no listed file holds, a .reg whose file system is gone: a sector opening with a .reg header
 * line (UTF-16LE with its BOM, or 8-bit, either after a UTF-8 BOM). The candidate is the text from
 * there to the first NUL (a NUL code unit in UTF-16LE) — the file's end in its last cluster's slack,
 * usually — at most REG_CARVE_MAX bytes; the file-system stage reads on from the medium when the
 * text fills the bound, and parses it there.
 */
import { REG_CARVE_MAX, REG_OPENINGS, regHeaderAt, regTextEnd } from '../format/reg-export.ts';
import { carved } from './carved.ts';
import type { Candidate, CarverSpec, Chunk } from './types.ts';

function carveRegExport(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  const header = regHeaderAt(b, start);
  if (!header) return [];
  const limit = start + REG_CARVE_MAX;
  const end = regTextEnd(b, header.encoding, start, limit);
  // No NUL before the chunk's end (a lone odd byte in UTF-16LE), the bound beyond it: text runs on.
  const runsOn = b.length < limit && end >= b.length - (header.encoding === 'utf16le' ? 1 : 0);
  const c = carved(chunk, start, runsOn ? limit - start : end - start, 'reg-export', ['anchor']);
  // Text that fills the bound has no known end: not 'exact-length' (the fs stage reads on).
  return [end === limit ? { ...c, checks: c.checks.filter((x) => x !== 'exact-length') } : c];
}

export const regExportCarver: CarverSpec = Object.freeze({
  kind: 'reg-export',
  anchors: REG_OPENINGS.map((o) => ({ at: 0, bytes: o.bytes.subarray(0, 8) })),
  maxLength: REG_CARVE_MAX,
  carve: carveRegExport,
});

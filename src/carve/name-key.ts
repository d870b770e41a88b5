/**
 * name.key carver (format notes §2.4): 30 LL 16 LL' <name> [extElem1]; the name is ASCII or
 * Windows-1251 bytes under the IA5String tag. Short-form lengths only (names are < 128 bytes).
 */
import { carved } from './carved.ts';
import { identifyName } from '../format/key-file-id.ts';
import type { CarverSpec, Chunk, Candidate } from './types.ts';

function carveName(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  const ll = b[start + 1];
  if (ll === undefined || ll >= 0x80 || ll < 3) return [];
  const id = identifyName(b.subarray(start, Math.min(b.length, start + 2 + ll)));
  return id ? [carved(chunk, start, id.length, 'name', ['anchor', 'der-shape', 'printable'])] : [];
}

export const nameKeyCarver: CarverSpec = Object.freeze({
  kind: 'name',
  // 30 LL 16: the anchor table matches the first byte; the 0x16 at offset 2 is checked in carve.
  anchors: [{ at: 2, bytes: Uint8Array.of(0x16) }],
  maxLength: 130,
  carve: (chunk: Chunk, start: number) => (chunk.bytes[start] === 0x30 ? carveName(chunk, start) : []),
});

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
  // 30 LL 16, LL free: on 0x16 alone one random sector in 256 reached this carver (16 K calls a
  // 2 GiB bench image, ~40 ms of JS hit overhead); with the 0x30 too, the C test drops them.
  anchors: [{ at: 0, bytes: Uint8Array.of(0x30, 0x00, 0x16), mask: Uint8Array.of(0xff, 0x00, 0xff) }],
  maxLength: 130,
  carve: (chunk: Chunk, start: number) => (chunk.bytes[start] === 0x30 ? carveName(chunk, start) : []),
});

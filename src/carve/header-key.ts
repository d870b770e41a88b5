/**
 * header.key carver (format notes §2.1, §6).
 *   30 LL 30 LL' A0 0A 06 08 2A 85 03 02 02 25 02 01  03 02 06 x0 …  04 04 <mac4>
 * The container-algorithm block sits at offset 4 (short lengths), 6 (81/81), 7 (82/81, 81/82…)
 * or 8 (82/82). Assumes the file is exactly its DER length and < HEADER_MAX bytes.
 */
import { carved } from './carved.ts';
import { CONTAINER_OID_BLOCK, HEADER_MAX, identifyHeader } from '../format/key-file-id.ts';
import type { CarverSpec, Chunk, Candidate } from './types.ts';
import { peekDeclared } from '../format/der-peek.ts';

function carveHeader(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes.subarray(start, Math.min(chunk.bytes.length, start + HEADER_MAX));
  const declared = peekDeclared(b, 0);
  if (!declared || declared.tag !== 0x30 || declared.total > HEADER_MAX) return [];
  if (declared.total > b.length) return [carved(chunk, start, declared.total, 'header', ['anchor'])];
  const id = identifyHeader(b);
  if (!id) return [];
  const checks: ('anchor' | 'der-shape' | 'mac-ea' | 'mac-z')[] = ['anchor', 'der-shape'];
  if (id.macOk) checks.push(id.sbox === 'E-A' ? 'mac-ea' : 'mac-z');
  return [carved(chunk, start, id.length, 'header', checks)];
}

export const headerKeyCarver: CarverSpec = Object.freeze({
  kind: 'header',
  anchors: [4, 6, 7, 8].map((at) => ({ at, bytes: CONTAINER_OID_BLOCK })),
  maxLength: HEADER_MAX,
  carve: carveHeader,
});

/**
 * masks.key / masks2.key carver (format notes §2.2): 30 36 04 20 <mask32> 04 0C <salt12> 04 04 <mac4>
 * (56 B) or 30 56 04 40 <mask64> … (88 B). Self-authenticating: MAC keyed by the mask over the salt.
 */
import { carved } from './carved.ts';
import { identifyMasks } from '../format/key-file-id.ts';
import type { CarverSpec, Chunk, Candidate } from './types.ts';

function carveMasks(chunk: Chunk, start: number): readonly Candidate[] {
  const id = identifyMasks(chunk.bytes.subarray(start, Math.min(chunk.bytes.length, start + 88)));
  if (!id) return [];
  const checks: ('anchor' | 'der-shape' | 'mac-ea' | 'mac-z')[] = ['anchor', 'der-shape'];
  if (id.macOk) checks.push(id.sbox === 'E-A' ? 'mac-ea' : 'mac-z');
  return [carved(chunk, start, id.length, 'masks', checks)];
}

export const masksKeyCarver: CarverSpec = Object.freeze({
  kind: 'masks',
  anchors: [Uint8Array.of(0x30, 0x36, 0x04, 0x20), Uint8Array.of(0x30, 0x56, 0x04, 0x40)].map((bytes) => ({ at: 0, bytes })),
  maxLength: 88,
  carve: carveMasks,
});

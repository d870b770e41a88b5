/**
 * primary.key / primary2.key carver (format notes §2.3): 30 22 04 20 <32> (36 B), 30 42 04 40 <64>
 * (68 B), or the two-key form 30 44 04 20 <32> 04 20 <32> (70 B). No redundancy at all: only the
 * shape; pairing with masks and header (src/reassemble) is what confirms one.
 */
import { carved } from './carved.ts';
import { identifyPrimary } from '../format/key-file-id.ts';
import type { CarverSpec, Chunk, Candidate } from './types.ts';

function carvePrimary(chunk: Chunk, start: number): readonly Candidate[] {
  const id = identifyPrimary(chunk.bytes.subarray(start, Math.min(chunk.bytes.length, start + 70)));
  return id ? [carved(chunk, start, id.length, 'primary', ['anchor', 'der-shape', 'size'])] : [];
}

export const primaryKeyCarver: CarverSpec = Object.freeze({
  kind: 'primary',
  anchors: [
    Uint8Array.of(0x30, 0x22, 0x04, 0x20),
    Uint8Array.of(0x30, 0x42, 0x04, 0x40),
    Uint8Array.of(0x30, 0x44, 0x04, 0x20),
  ].map((bytes) => ({ at: 0, bytes })),
  maxLength: 70,
  carve: carvePrimary,
});

/**
 * Boot sectors and partition tables found anywhere (backup boot sectors, volumes whose partition
 * table is gone); what counts as one is src/layout/boot-sector.ts. Classification is advisory:
 * src/fs decides.
 */
import { classifyBoot, GPT_SIGNATURE } from '../layout/boot-sector.ts';
import type { CarverSpec, Chunk, Candidate } from './types.ts';

function carveBoot(chunk: Chunk, start: number): readonly Candidate[] {
  const s = chunk.bytes.subarray(start, start + 512);
  const kind = classifyBoot(s);
  if (!kind) return [];
  return [{ kind: 'boot', offset: chunk.base + start, bytes: s.slice(), checks: ['anchor', 'der-shape'] }];
}

export const bootSectorCarver: CarverSpec = Object.freeze({
  kind: 'boot',
  anchors: [{ at: 510, bytes: Uint8Array.of(0x55, 0xaa) }, { at: 0, bytes: GPT_SIGNATURE }],
  maxLength: 512,
  carve: carveBoot,
});

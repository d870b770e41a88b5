/** Piscina worker: carves one chunk that lives in shared memory (never copied). */
import { CARVERS } from '../carve/index.ts';
import type { Candidate } from '../carve/types.ts';
import { carveChunk, type ChunkResult } from './carve-chunk.ts';

export interface ChunkTask {
  readonly shared: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly length: number;
  readonly base: number;
  readonly page: number;
}

export default function carveTask(t: ChunkTask): ChunkResult {
  const bytes = new Uint8Array(t.shared, t.byteOffset, t.length);
  const r = carveChunk({ base: t.base, bytes, page: t.page }, CARVERS);
  // Candidate bytes are fresh copies (slice), so structured clone sends only small objects back.
  return r;
}

export type { Candidate };

import type { Candidate, CandidateKind, CheckName, Chunk } from './types.ts';

/** Copies [start, start+length) out of the chunk as a candidate; marks it truncated when the
 * declared length runs past the chunk (a file longer than the margin, or the source's end). */
export function carved(chunk: Chunk, start: number, length: number, kind: CandidateKind, checks: CheckName[]): Candidate {
  const avail = Math.min(length, chunk.bytes.length - start);
  const truncated = avail < length;
  const sectorEnd = Math.min(chunk.bytes.length, start + Math.ceil(avail / 512) * 512);
  return {
    kind,
    offset: chunk.base + start,
    bytes: chunk.bytes.slice(start, start + avail),
    checks: truncated ? checks : [...checks, 'exact-length'],
    ...(truncated ? { truncated } : {}),
    ...(sectorEnd > start + avail ? { sectors: chunk.bytes.slice(start, sectorEnd) } : {}),
  };
}

/**
 * Registry hives the file system no longer lists (docs/registry.md §2.10): a `regf` base block at a
 * sector start whose first bin follows it, and lone `hbin` blocks holding a vk named like a container
 * file (a bin is relocatable by its self-offset). Only bins with container values are kept, so the
 * hundreds of thousands of bins in a live SOFTWARE hive cost a look each, not their bytes.
 */
import { BASE_BLOCK, BIN_HEADER, baseBlockProblem, binHeader, binHoldsContainerValue } from '../layout/regf.ts';
import type { Candidate, CarverSpec, Chunk } from './types.ts';

/** The bytes of a bin kept by the pass; a bigger one is read whole by the file-system stage. */
const BIN_KEEP = 64 * 1024;

function carveRegf(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  if (start < 0 || start >= chunk.page || start + BASE_BLOCK + BIN_HEADER > b.length) return [];
  if (baseBlockProblem(b.subarray(start, start + BASE_BLOCK)) !== null) return [];
  const bin = binHeader(b, start + BASE_BLOCK);
  if (typeof bin === 'string' || bin.self !== 0) return [];
  return [{ kind: 'regf', offset: chunk.base + start, bytes: b.slice(start, start + BASE_BLOCK + BIN_HEADER), checks: ['anchor', 'size'] }];
}

function carveBin(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  if (start < 0 || start >= chunk.page) return [];
  const h = binHeader(b, start);
  if (typeof h === 'string') return [];
  const end = Math.min(b.length, start + h.size, start + BIN_KEEP);
  if (!binHoldsContainerValue(b, start, end)) return [];
  const truncated = end < start + h.size;
  return [{ kind: 'hive-bin', offset: chunk.base + start, bytes: b.slice(start, end), checks: ['anchor', 'size'], ...(truncated ? { truncated } : {}) }];
}

export const regfCarver: CarverSpec = Object.freeze({
  kind: 'regf',
  anchors: [{ at: 0, bytes: Uint8Array.of(0x72, 0x65, 0x67, 0x66) }],
  maxLength: BASE_BLOCK + BIN_HEADER,
  carve: carveRegf,
});

export const hiveBinCarver: CarverSpec = Object.freeze({
  kind: 'hive-bin',
  anchors: [{ at: 0, bytes: Uint8Array.of(0x68, 0x62, 0x69, 0x6e) }],
  maxLength: BIN_KEEP,
  carve: carveBin,
});

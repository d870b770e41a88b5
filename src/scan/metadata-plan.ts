/**
 * Decides, while the pass streams by, which byte ranges the file-system stage will need: the
 * partition tables at the start, and for each volume start the region from its boot sector through
 * its allocation tables. This is planning only (authoritative parsing is src/fs); a volume it
 * misses is still analysed later, at the cost of counted re-reads.
 */
import { classifyBoot, isGptHeader } from '../layout/boot-sector.ts';
import { gptEntries, mbrEntries, parseGptHeader } from '../layout/partition-table.ts';
import type { ByteRange } from '../source/types.ts';
import type { RetentionPlan } from './retained.ts';
import { u16, u32 } from '../layout/le.ts';


/** Bytes from a volume's first sector through its metadata tables (capped by the caller). */
export function metadataSpan(boot: Uint8Array): number {
  const kind = classifyBoot(boot);
  if (kind === 'fat') {
    const bps = u16(boot, 11);
    const reserved = u16(boot, 14);
    const fats = boot[16]!;
    const rootEntries = u16(boot, 17);
    const fatSize = u16(boot, 22) || u32(boot, 36);
    // FAT32 keeps its root in the data area; the directory carver retains those clusters.
    return (reserved + fats * fatSize) * bps + rootEntries * 32;
  }
  if (kind === 'exfat') {
    const bps = 2 ** (boot[108]! & 0x1f);
    const spc = 2 ** (boot[109]! & 0x1f);
    const heap = u32(boot, 88);
    // Through the FAT plus the first clusters of the heap (bitmap, up-case table, root directory).
    return heap * bps + 64 * spc * bps;
  }
  if (kind === 'ntfs') return 64 * 1024; // boot + $Boot; MFT records come from the record carver
  return 0;
}

/** Volume starts listed by an MBR (primary entries) or a GPT at the start of the medium, read with
 * the parser src/fs uses (both GPT CRCs checked); a GPT that fails them is left to src/fs. */
export function partitionStarts(first: Uint8Array, sector = 512): number[] {
  if (first.length >= 2 * sector && isGptHeader(first.subarray(sector, 2 * sector))) {
    const h = parseGptHeader(first.subarray(sector, 2 * sector));
    if (!h || typeof h === 'string') return [];
    const at = h.entriesLba * sector;
    const entries = at + h.count * h.size <= first.length ? gptEntries(first.subarray(at), h) : null;
    return (entries ?? []).filter((e) => e.first > 0).map((e) => e.first * sector);
  }
  const kind = classifyBoot(first.subarray(0, 512));
  if (kind === 'mbr') {
    return mbrEntries(first)
      .filter(({ type, start }) => type !== 0 && type !== 0x05 && type !== 0x0f && type !== 0xee && start > 0)
      .map(({ start }) => start * sector);
  }
  return kind ? [0] : [];
}

/** What the observer has learnt so far: volume starts seen and those already planned. */
export interface ObserverState {
  readonly starts: readonly number[];
  readonly planned: readonly number[];
}

export interface MetadataObserver {
  (base: number, bytes: Uint8Array): void;
  state(): ObserverState;
  /** The ranges of [base, base + length) the observer may read when that region comes by, as far
   * as it knows now; null (all of it) until it has seen the medium's start and its partition
   * table. A volume start it knows but has not planned keeps its most: the plan comes later. */
  keep(base: number, length: number): ByteRange[] | null;
}

/** The observer the scan hands to the linear pass; `resume` continues one (its plan restored by the caller). */
export function metadataObserver(plan: RetentionPlan, size: number, capPerVolume = 64 * 1024 * 1024, resume?: ObserverState): MetadataObserver {
  const head = Math.min(size, 1024 * 1024);
  if (!resume) {
    plan.want({ offset: 0, length: head });
    plan.want({ offset: Math.max(0, size - 1024 * 1024), length: Math.min(size, 1024 * 1024) });
  }
  const starts = new Set<number>(resume?.starts);
  const planned = new Set<number>(resume?.planned);
  let seenHead = resume !== undefined;
  const observe = (base: number, bytes: Uint8Array): void => {
    if (base === 0) for (const s of partitionStarts(bytes.subarray(0, head))) starts.add(s);
    if (base === 0) seenHead = true;
    for (const s of starts) {
      if (planned.has(s) || s < base || s + 512 > base + bytes.length) continue;
      planned.add(s);
      const span = metadataSpan(bytes.subarray(s - base, s - base + 512));
      plan.want({ offset: s, length: Math.min(span, capPerVolume) });
    }
    plan.observe(base, bytes);
  };
  const keep = (base: number, length: number): ByteRange[] | null => {
    if (!seenHead) return null;
    const unplanned = [...starts].filter((s) => !planned.has(s)).map((s) => ({ offset: s, length: capPerVolume }));
    return [...plan.wanted(), ...unplanned].filter((r) => r.offset < base + length && base < r.offset + r.length);
  };
  return Object.assign(observe, { state: (): ObserverState => ({ starts: [...starts], planned: [...planned] }), keep });
}

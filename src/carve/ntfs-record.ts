// NTFS FILE records anywhere on the medium: MFT fragments left by a quick format or behind a
// damaged $MFT start. Small key files live inside these records (resident $DATA).

import type { Candidate, CarverSpec, Chunk } from './types.ts';
import { fitU16 as u16, fitU32 as u32 } from '../layout/le.ts';
import { applyFixups, FIXUP_STRIDE, MAX_RECORD } from '../layout/ntfs-record.ts';

const FILE = Uint8Array.of(0x46, 0x49, 0x4c, 0x45);

function carve(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  if (start < 0 || start + 0x30 > b.length || start >= chunk.page) return [];
  if (b[start] !== 0x46 || b[start + 1] !== 0x49 || b[start + 2] !== 0x4c || b[start + 3] !== 0x45) return [];
  const h = b.subarray(start, Math.min(b.length, start + MAX_RECORD));
  const usaOff = u16(h, 4);
  const usaCount = u16(h, 6);
  const firstAttr = u16(h, 0x14);
  const used = u32(h, 0x18);
  const alloc = u32(h, 0x1c);
  // Shape: allocated size a power of two in [512, 4096], one fix-up entry per 512-byte block,
  // the first attribute after the update sequence array, bytes in use within the record.
  if (alloc < FIXUP_STRIDE || alloc > MAX_RECORD || (alloc & (alloc - 1)) !== 0) return [];
  if (usaCount !== alloc / FIXUP_STRIDE + 1 || usaOff < 0x28 || usaOff + usaCount * 2 > firstAttr) return [];
  if (firstAttr % 8 !== 0 || firstAttr >= alloc || used > alloc || used < firstAttr) return [];
  const offset = chunk.base + start;
  if (h.length < alloc) return [{ kind: 'ntfs-record', offset, bytes: h.slice(), checks: ['anchor'], truncated: true }];
  const fixed = applyFixups(h, alloc);
  if (!fixed) return [{ kind: 'ntfs-record', offset, bytes: h.slice(0, alloc), checks: ['anchor'] }];
  return [{ kind: 'ntfs-record', offset, bytes: fixed, checks: ['anchor', 'fixup'] }];
}

export const ntfsRecordCarver: CarverSpec = {
  kind: 'ntfs-record',
  anchors: [{ at: 0, bytes: FILE }],
  maxLength: MAX_RECORD,
  carve,
};

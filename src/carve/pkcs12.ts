/**
 * PKCS#12 key file carver (format notes §9; PhotoRec's file_pfx.c states the same assumptions):
 *   30 82 LL LL  02 01 03  30 ..  06 09 2A 86 48 86 F7 0D 01 07 01|02  …
 *   PFX          version 3 authSafe ContentInfo  id-data | id-signedData
 * Outer length in short, 81, 82 or 83 form, or BER indefinite (30 80) walked to its 00 00.
 * Assumes a key file below PFX_MAX bytes.
 */
import { carved } from './carved.ts';
import { readBer } from '../format/der.ts';
import { bytesAt, peekDeclared } from '../format/der-peek.ts';
import type { CarverSpec, Chunk, Candidate } from './types.ts';

export const PFX_MAX = 64 * 1024;
const VERSION3 = Uint8Array.of(0x02, 0x01, 0x03, 0x30);
const OID_PKCS7 = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07);

function carvePfx(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  if (b[start] !== 0x30) return [];
  const first = b[start + 1];
  if (first === undefined) return [];
  const vAt = first === 0x80 ? start + 2 : first < 0x80 ? start + 2 : start + 2 + (first & 0x7f);
  if (!bytesAt(b, vAt, VERSION3)) return [];
  // authSafe ContentInfo header, then its contentType OID.
  const ci = vAt + 3;
  const ciFirst = b[ci + 1];
  if (ciFirst === undefined) return [];
  const oidAt = ciFirst === 0x80 || ciFirst < 0x80 ? ci + 2 : ci + 2 + (ciFirst & 0x7f);
  if (!bytesAt(b, oidAt, OID_PKCS7) || (b[oidAt + 10] !== 0x01 && b[oidAt + 10] !== 0x02)) return [];
  const limit = Math.min(b.length, start + PFX_MAX);
  if (first === 0x80) {
    // Indefinite length: walked to its 00 00 by the one BER reader, bounded in depth and by `limit`.
    const ber = readBer(b, start, null, limit);
    if (!ber.ok) return limit - start < PFX_MAX ? [carved(chunk, start, PFX_MAX, 'pkcs12', ['anchor'])] : [];
    return [carved(chunk, start, ber.end - start, 'pkcs12', ['anchor', 'pfx-shape'])];
  }
  const d = peekDeclared(b, start);
  if (!d || d.total > PFX_MAX) return [];
  return [carved(chunk, start, d.total, 'pkcs12', ['anchor', 'pfx-shape'])];
}

export const pkcs12Carver: CarverSpec = Object.freeze({
  kind: 'pkcs12',
  // 02 01 03 30 follows the outer header: at 2 (short or 80), 3 (81), 4 (82), 5 (83).
  anchors: [2, 3, 4, 5].map((at) => ({ at, bytes: VERSION3 })),
  maxLength: PFX_MAX,
  carve: carvePfx,
});

/**
 * X.509 v3 certificate carver (DER):
 *   30 82 LL LL  30 82 LL' LL'  A0 03 02 01 02  …tbs…  30 .. sigAlg  03 .. signature
 * The three elements must fill the outer SEQUENCE exactly. Assumes a certificate < X509_MAX bytes
 * (GOST certificates seen are 760–2000 bytes).
 */
import { carved } from './carved.ts';
import { bytesAt, peekDeclared, peekTlv } from '../format/der-peek.ts';
import type { CarverSpec, Chunk, Candidate } from './types.ts';

export const X509_MAX = 16 * 1024;
const V3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);

function carveX509(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  const d = peekDeclared(b, start);
  if (!d || d.tag !== 0x30 || d.total > X509_MAX) return [];
  const tbs = peekDeclared(b, d.content);
  if (!tbs || tbs.tag !== 0x30 || !bytesAt(b, tbs.content, V3)) return [];
  if (start + d.total > b.length) return [carved(chunk, start, d.total, 'x509', ['anchor'])];
  const end = start + d.total;
  const t = peekTlv(b, d.content, end);
  const alg = t && peekTlv(b, t.end, end);
  const sig = alg && peekTlv(b, alg.end, end);
  if (!t || !alg || !sig || alg.tag !== 0x30 || sig.tag !== 0x03 || sig.end !== end) return [];
  return [carved(chunk, start, d.total, 'x509', ['anchor', 'x509-shape'])];
}

export const x509Carver: CarverSpec = Object.freeze({
  kind: 'x509',
  anchors: [
    { at: 8, bytes: V3 }, // 30 82 LL LL 30 82 LL LL
    { at: 7, bytes: V3 }, // 30 82 LL LL 30 81 LL
    { at: 6, bytes: V3 }, // 30 81 LL 30 81 LL
  ],
  maxLength: X509_MAX,
  carve: carveX509,
});

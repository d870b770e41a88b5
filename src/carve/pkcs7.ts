/**
 * PKCS#7 SignedData in DER or BER (.p7b certificate bundles, .p7s/.sig signatures that carry the
 * signer's chain): 30 LL 06 09 2A 86 48 86 F7 0D 01 07 02 A0 … with the outer length short, 81,
 * 82 or indefinite (80). Counts only when certificates can be read out of it. Assumes a bundle
 * below MAX_PKCS7 bytes.
 */
import { carved } from './carved.ts';
import { peekDeclared } from '../format/der-peek.ts';
import { certificatesFromPkcs7, MAX_PKCS7 } from '../format/pkcs7.ts';
import type { Candidate, CarverSpec, Chunk } from './types.ts';

const SIGNED_DATA = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0);

function carvePkcs7(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  if (b[start] !== 0x30) return [];
  const first = b[start + 1] ?? 0;
  const oidAt = first === 0x80 || first < 0x80 ? start + 2 : start + 2 + (first & 0x7f);
  if (!SIGNED_DATA.every((x, i) => b[oidAt + i] === x)) return [];
  const d = first === 0x80 ? null : peekDeclared(b, start);
  if (d && d.total > MAX_PKCS7) return [];
  if (d && start + d.total > b.length) return [carved(chunk, start, d.total, 'pkcs7', ['anchor'])];
  const view = b.subarray(start, Math.min(b.length, start + (d?.total ?? MAX_PKCS7)));
  const p7 = certificatesFromPkcs7(view);
  if (!p7.ok || p7.value.length === 0) return [];
  return [carved(chunk, start, p7.end, 'pkcs7', ['anchor', 'pkcs7-shape'])];
}

export const pkcs7Carver: CarverSpec = Object.freeze({
  kind: 'pkcs7',
  // The OID follows the outer header: at 2 (short or 80), 3 (81), 4 (82).
  anchors: [2, 3, 4].map((at) => ({ at, bytes: SIGNED_DATA })),
  maxLength: MAX_PKCS7,
  carve: carvePkcs7,
});

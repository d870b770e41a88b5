/**
 * Certificates saved as text (.cer/.crt/.pem/.p7b in Base64): a sector opening with `-----BEGIN `
 * (PEM: CERTIFICATE, PKCS7 …) or with `MII` (bare Base64 of a DER SEQUENCE of 256 B–64 KiB, no
 * BEGIN/END lines), either after a UTF-8 BOM. The candidate is the run of Base64 text from there
 * (line ends and trailing blank lines included, so it matches the file the file system lists);
 * it counts only when it decodes to certificates or a PKCS#7 bundle of their exact DER length.
 */
import { certificatesIn } from '../format/certificate.ts';
import { peekDeclared } from '../format/der-peek.ts';
import type { Candidate, CarverSpec, Chunk } from './types.ts';

export const PEM_MAX = 64 * 1024;
const BOM = [0xef, 0xbb, 0xbf];
const BEGIN = Uint8Array.from('-----BEGIN ', (c) => c.charCodeAt(0));
const MII = Uint8Array.from('MII', (c) => c.charCodeAt(0));
const END_MARK = '-----END ';

/** Base64 alphabet, '=', '-', space, tab, CR, LF: what PEM text is made of. */
const TEXT = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=- \t\r\n') TEXT[c.charCodeAt(0)] = 1;

function carvePem(chunk: Chunk, start: number): readonly Candidate[] {
  const b = chunk.bytes;
  const limit = Math.min(b.length, start + PEM_MAX);
  let end = b[start] === BOM[0] && b[start + 1] === BOM[1] && b[start + 2] === BOM[2] ? start + 3 : start;
  while (end < limit && TEXT[b[end]!]) end++;
  let text = new TextDecoder('latin1').decode(b.subarray(start, end));
  if (text.includes('-----BEGIN ')) {
    // Up to the end of the last END line, then the blank lines after it.
    const last = text.lastIndexOf(END_MARK);
    const close = last < 0 ? -1 : text.indexOf('-----', last + END_MARK.length);
    if (close < 0) return [];
    const tail = /^[\r\n \t]*/.exec(text.slice(close + 5))![0];
    text = text.slice(0, close + 5 + tail.length);
  } else if (text.includes('-')) return [];
  const bytes = b.subarray(start, start + text.length); // latin1: one byte per character
  const found = certificatesIn(bytes);
  if (!found || !found.certificates.every(exactDer)) return [];
  return [{ kind: 'pem', offset: chunk.base + start, bytes: bytes.slice(), checks: ['anchor', 'pem-shape', 'exact-length'] }];
}

const exactDer = (der: Uint8Array) => peekDeclared(der, 0)?.total === der.length && der[0] === 0x30;

export const pemCarver: CarverSpec = Object.freeze({
  kind: 'pem',
  anchors: [0, 3].flatMap((at) => [{ at, bytes: BEGIN }, { at, bytes: MII }]),
  maxLength: PEM_MAX,
  carve: (chunk: Chunk, start: number) => {
    const b = chunk.bytes;
    // Anchors at 3 only count behind a BOM.
    if (b[start] !== 0x2d && b[start] !== 0x4d && !(b[start] === BOM[0] && b[start + 1] === BOM[1] && b[start + 2] === BOM[2])) return [];
    return carvePem(chunk, start);
  },
});

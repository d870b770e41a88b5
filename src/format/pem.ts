// Certificates saved as text: PEM blocks (`-----BEGIN CERTIFICATE-----`, `-----BEGIN PKCS7-----` …,
// CRLF or LF, any line width) or the bare Base64 body some portals hand out without BEGIN/END
// lines. Bounded: a body longer than MAX_BASE64 characters is no certificate file and is refused.

/** Base64 characters believed per block (64 KiB ≈ 48 KiB of DER: a long chain, not a disk). */
export const MAX_BASE64 = 64 * 1024;
/** Text looked at: a few blocks' worth. */
const MAX_TEXT = 4 * MAX_BASE64;
/** Shortest bare Base64 taken for a certificate (the smallest real ones are ~500 bytes of DER). */
const MIN_BARE = 256;

export interface TextBlock {
  /** The PEM label ("CERTIFICATE", "PKCS7"), null for bare Base64. */
  readonly label: string | null;
  readonly der: Uint8Array;
}

const ARMOR = /-----BEGIN ([A-Z0-9 ]{1,40})-----([\s\S]*?)-----END \1-----/g;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Every PEM block in the text, or the bare Base64 body when there is none; [] when neither. */
export function decodePemOrBase64(b: Uint8Array): TextBlock[] {
  const text = new TextDecoder('latin1').decode(b.subarray(0, Math.min(b.length, MAX_TEXT)));
  const blocks: TextBlock[] = [];
  for (const m of text.matchAll(ARMOR)) {
    const der = decodeBody(m[2]!);
    if (der) blocks.push({ label: m[1]!, der });
  }
  if (blocks.length > 0 || text.includes('-----BEGIN ')) return blocks;
  const bare = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*([A-Za-z0-9+/=\s]*)/.exec(text)![1]!;
  const der = bare.replace(/\s/g, '').length >= MIN_BARE ? decodeBody(bare) : null;
  return der ? [{ label: null, der }] : [];
}

/** Strict Base64 (whitespace between lines allowed) → bytes; null when malformed or too long. */
function decodeBody(body: string): Uint8Array | null {
  const s = body.replace(/[\r\n\t ]/g, '');
  if (s.length === 0 || s.length > MAX_BASE64 || s.length % 4 !== 0 || !B64.test(s)) return null;
  return new Uint8Array(Buffer.from(s, 'base64'));
}

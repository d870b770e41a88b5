/**
 * Minimal bounded DER header reading for carvers: the hot path needs only "tag, length, where the
 * content starts" at a few fixed places. Full parsing lives in src/format.
 */
export interface TlvHead {
  readonly tag: number;
  readonly len: number;
  /** Index of the first content byte. */
  readonly content: number;
  /** Index one past the last content byte. */
  readonly end: number;
}

/** Why a length could not be read: the first length byte missing; 80 (indefinite) in DER; more
 * than 4 length bytes; fewer length bytes than announced; in DER, a leading zero or the long form
 * for a length below 128. */
export type LengthFault = 'no-length' | 'indefinite' | 'too-many-bytes' | 'truncated' | 'leading-zero' | 'long-form-short';

export type ReadLength =
  | { readonly ok: true; readonly len: number | null; readonly content: number } // len null: BER indefinite
  | { readonly ok: false; readonly fault: LengthFault };

/**
 * The one DER/BER length decoder: the length whose first byte is at `at` (the byte after the tag),
 * never reading at or past `limit`. DER (`ber` false) is strict: definite, minimal, 1–4 length
 * bytes. BER also takes `80` (indefinite) and non-minimal forms. `content` is where the value starts.
 */
export function readLength(b: Uint8Array, at: number, limit: number, ber: boolean): ReadLength {
  const lim = Math.min(limit, b.length);
  if (at >= lim) return { ok: false, fault: 'no-length' };
  const first = b[at]!;
  if (first < 0x80) return { ok: true, len: first, content: at + 1 };
  if (first === 0x80) return ber ? { ok: true, len: null, content: at + 1 } : { ok: false, fault: 'indefinite' };
  const n = first & 0x7f;
  if (n > 4) return { ok: false, fault: 'too-many-bytes' };
  if (at + 1 + n > lim) return { ok: false, fault: 'truncated' };
  let len = 0;
  for (let i = 1; i <= n; i++) len = len * 256 + b[at + i]!;
  if (!ber && b[at + 1] === 0) return { ok: false, fault: 'leading-zero' };
  if (!ber && len < 0x80) return { ok: false, fault: 'long-form-short' };
  return { ok: true, len, content: at + 1 + n };
}

/** Reads a definite-length DER header at `at`; null when absent, indefinite, > 4 length bytes,
 * non-minimal, or past `limit`. `limit` bounds both the header and the end it implies. */
export function peekTlv(b: Uint8Array, at: number, limit: number = b.length): TlvHead | null {
  const lim = Math.min(limit, b.length);
  if (at + 2 > lim) return null;
  // Minimal form only: real key files and certificates are DER.
  const l = readLength(b, at + 1, lim, false);
  if (!l.ok || l.len === null) return null;
  const end = l.content + l.len;
  if (end > lim) return null;
  return { tag: b[at]!, len: l.len, content: l.content, end };
}

/** Like peekTlv but lets the end run past the buffer: gives the declared total length so a
 * carver can tell "truncated by the margin" from "not this object". */
export function peekDeclared(b: Uint8Array, at: number): { tag: number; content: number; total: number } | null {
  if (at + 2 > b.length) return null;
  const l = readLength(b, at + 1, b.length, false);
  if (!l.ok || l.len === null) return null;
  return { tag: b[at]!, content: l.content, total: l.content - at + l.len };
}

export function bytesAt(b: Uint8Array, at: number, pattern: Uint8Array): boolean {
  if (at < 0 || at + pattern.length > b.length) return false;
  for (let i = 0; i < pattern.length; i++) if (b[at + i] !== pattern[i]) return false;
  return true;
}

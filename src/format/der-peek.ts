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

/** Reads a definite-length DER header at `at`; null when absent, indefinite, > 4 length bytes,
 * non-minimal, or past `limit`. `limit` bounds both the header and the end it implies. */
export function peekTlv(b: Uint8Array, at: number, limit: number = b.length): TlvHead | null {
  const lim = Math.min(limit, b.length);
  if (at + 2 > lim) return null;
  const tag = b[at]!;
  const first = b[at + 1]!;
  let len: number;
  let content: number;
  if (first < 0x80) {
    len = first;
    content = at + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || at + 2 + n > lim) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i]!;
    // Minimal form only: real key files and certificates are DER.
    if (len < 0x80 || (n > 1 && b[at + 2]! === 0)) return null;
    content = at + 2 + n;
  }
  const end = content + len;
  if (end > lim) return null;
  return { tag, len, content, end };
}

/** Like peekTlv but lets the end run past the buffer: gives the declared total length so a
 * carver can tell "truncated by the margin" from "not this object". */
export function peekDeclared(b: Uint8Array, at: number): { tag: number; content: number; total: number } | null {
  if (at + 2 > b.length) return null;
  const first = b[at + 1]!;
  if (first < 0x80) return { tag: b[at]!, content: at + 2, total: 2 + first };
  const n = first & 0x7f;
  if (n === 0 || n > 4 || at + 2 + n > b.length) return null;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i]!;
  if (len < 0x80 || (n > 1 && b[at + 2]! === 0)) return null;
  return { tag: b[at]!, content: at + 2 + n, total: 2 + n + len };
}

export function bytesAt(b: Uint8Array, at: number, pattern: Uint8Array): boolean {
  if (at < 0 || at + pattern.length > b.length) return false;
  for (let i = 0; i < pattern.length; i++) if (b[at + i] !== pattern[i]) return false;
  return true;
}

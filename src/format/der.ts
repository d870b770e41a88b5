// Strict DER reader and a small DER writer.
//
// Model: noble-curves der.ts and Go's archive/zip readBuf. Every read goes through a bound
// (`limit`, never past b.length); nothing is allocated from a length field, values are
// subarrays of the input. Only single-byte tags (every tag in CryptoPro files, X.509 and PKCS#12
// is < 0x1F). Lengths: short form, or 81..84 followed by 1..4 bytes. Non-minimal lengths are
// rejected in DER mode (no sample uses them); BER mode (PKCS#12) accepts them and `80`.

import { ok, fail, type Parsed } from './parsed.ts';
import { readLength, type LengthFault } from './der-peek.ts';

/** A read-only cursor; every accessor returns null past its end instead of undefined/0. */
export class Cursor {
  pos: number;
  constructor(
    readonly b: Uint8Array,
    start = 0,
    readonly end = b.length,
  ) {
    this.pos = start;
    if (this.end > b.length) this.end = b.length;
  }
  get remaining(): number {
    return Math.max(0, this.end - this.pos);
  }
  u8(): number | null {
    if (this.pos >= this.end) return null;
    return this.b[this.pos++]!;
  }
  peek(): number | null {
    return this.pos < this.end ? this.b[this.pos]! : null;
  }
  take(n: number): Uint8Array | null {
    if (!Number.isInteger(n) || n < 0 || n > this.remaining) return null;
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly valueStart: number;
  /** Content length (for indefinite BER: up to, not including, the 00 00 terminator). */
  readonly len: number;
  /** Offset just past the whole element (after 00 00 for indefinite BER). */
  readonly end: number;
  /** Content bytes (a view). */
  readonly value: Uint8Array;
  /** The whole element (a view). */
  readonly raw: Uint8Array;
  readonly indefinite: boolean;
}

export interface TlvHeader {
  readonly tag: number;
  readonly headerLen: number;
  /** null = BER indefinite length. */
  readonly len: number | null;
}

/** Maximum nesting the BER walker follows before it gives up (real PKCS#12 needs < 12). */
export const MAX_BER_DEPTH = 32;

/** Reads tag + length at `at`, without looking at the content. */
export function readHeader(b: Uint8Array, at: number, limit: number, ber = false): Parsed<TlvHeader> {
  const end = Math.min(limit, b.length);
  const c = new Cursor(b, at, end);
  const tag = c.u8();
  if (tag === null) return fail(at, 'truncated: no tag');
  if ((tag & 0x1f) === 0x1f) return fail(at, `multi-byte tag 0x${tag.toString(16)} not supported`);
  const l = readLength(b, at + 1, end, ber);
  if (!l.ok) return fail(LENGTH_FAULT_AT[l.fault] + at, lengthFaultText(l.fault, b[at + 1]!));
  if (l.len === null && (tag & 0x20) === 0) return fail(at + 1, 'indefinite length on a primitive element');
  return ok({ tag, headerLen: l.content - at, len: l.len }, l.content);
}

/** Where (after the tag) each fault is reported, and in which words. */
const LENGTH_FAULT_AT: Readonly<Record<LengthFault, number>> = {
  'no-length': 1, indefinite: 1, 'too-many-bytes': 1, truncated: 2, 'leading-zero': 2, 'long-form-short': 2,
};
function lengthFaultText(f: LengthFault, first: number): string {
  if (f === 'no-length') return 'truncated: no length';
  if (f === 'indefinite') return 'indefinite length not allowed in DER';
  if (f === 'too-many-bytes') return `length of ${first & 0x7f} bytes not supported`;
  if (f === 'truncated') return 'truncated length';
  return f === 'leading-zero' ? 'non-minimal length (leading zero)' : 'non-minimal length (long form for < 128)';
}

/**
 * Reads one element at `at`, whose tag must equal `tag` (or anything when tag is null), that
 * must end at or before `limit`. DER only; see readBer for the PKCS#12 form.
 */
export function readTlv(b: Uint8Array, at: number, tag: number | null, limit: number): Parsed<Tlv> {
  const end = Math.min(limit, b.length);
  const h = readHeader(b, at, end);
  if (!h.ok) return h;
  const { tag: t, headerLen, len } = h.value;
  if (tag !== null && t !== tag) return fail(at, `expected tag 0x${hex2(tag)}, found 0x${hex2(t)}`);
  const vs = at + headerLen;
  if (len === null || len > end - vs) return fail(at, `length ${len} runs past the end (${end - vs} left)`);
  return ok(mk(b, t, at, vs, len, vs + len, false), vs + len);
}

/** Like readTlv, but BER: accepts indefinite lengths (walked to the matching 00 00) and non-minimal ones. */
export function readBer(b: Uint8Array, at: number, tag: number | null, limit: number, depth = 0): Parsed<Tlv> {
  if (depth > MAX_BER_DEPTH) return fail(at, 'BER nesting too deep');
  const end = Math.min(limit, b.length);
  const h = readHeader(b, at, end, true);
  if (!h.ok) return h;
  const { tag: t, headerLen, len } = h.value;
  if (tag !== null && t !== tag) return fail(at, `expected tag 0x${hex2(tag)}, found 0x${hex2(t)}`);
  const vs = at + headerLen;
  if (len !== null) {
    if (len > end - vs) return fail(at, `length ${len} runs past the end (${end - vs} left)`);
    return ok(mk(b, t, at, vs, len, vs + len, false), vs + len);
  }
  // Indefinite: children until the end-of-contents marker 00 00. Each child consumes ≥ 2 bytes,
  // so the loop is bounded by the input length.
  let p = vs;
  for (;;) {
    if (end - p < 2) return fail(p, 'indefinite length without end-of-contents');
    if (b[p] === 0 && b[p + 1] === 0) return ok(mk(b, t, at, vs, p - vs, p + 2, true), p + 2);
    const child = readBer(b, p, null, end, depth + 1);
    if (!child.ok) return child;
    p = child.end;
  }
}

function mk(b: Uint8Array, tag: number, start: number, vs: number, len: number, end: number, indefinite: boolean): Tlv {
  return { tag, start, valueStart: vs, len, end, value: b.subarray(vs, vs + len), raw: b.subarray(start, end), indefinite };
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** Reads the children of a constructed DER element's content; fails on any malformed child. */
export function readChildren(b: Uint8Array, parent: Tlv, maxChildren = 64): Parsed<Tlv[]> {
  const out: Tlv[] = [];
  let p = parent.valueStart;
  const end = parent.valueStart + parent.len;
  while (p < end) {
    if (out.length >= maxChildren) return fail(p, 'too many elements');
    const t = readTlv(b, p, null, end);
    if (!t.ok) return t;
    out.push(t.value);
    p = t.end;
  }
  return ok(out, end);
}

// ---------------------------------------------------------------------------------------------
// OIDs

/** Decodes OID content bytes to dotted form; null when malformed (or an arc > 2^53). */
export function decodeOid(v: Uint8Array): string | null {
  if (v.length === 0 || v.length > 64) return null;
  const arcs: number[] = [];
  let n = 0;
  let started = false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!started && x === 0x80) return null; // non-minimal arc
    started = true;
    n = n * 128 + (x & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 128) return null;
    if ((x & 0x80) === 0) {
      arcs.push(n);
      n = 0;
      started = false;
    }
  }
  if (started) return null; // last byte had the continuation bit
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/** Encodes a dotted OID to its content bytes. Throws on a malformed string (callers pass constants). */
export function encodeOid(oid: string): Uint8Array {
  const parts = oid.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new SyntaxError(`bad OID ${oid}`);
    return Number(s);
  });
  if (parts.length < 2) throw new SyntaxError(`bad OID ${oid}`);
  const arcs = [parts[0]! * 40 + parts[1]!, ...parts.slice(2)];
  const out: number[] = [];
  for (const a of arcs) {
    const tmp = [a & 0x7f];
    let v = Math.floor(a / 128);
    while (v > 0) {
      tmp.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...tmp);
  }
  return Uint8Array.from(out);
}

/** Reads an OBJECT IDENTIFIER element. */
export function readOid(b: Uint8Array, at: number, limit: number): Parsed<string> {
  const t = readTlv(b, at, 0x06, limit);
  if (!t.ok) return t;
  const s = decodeOid(t.value.value);
  return s === null ? fail(at, 'malformed OID') : ok(s, t.end);
}

// ---------------------------------------------------------------------------------------------
// Writer

/** Minimal DER length bytes. */
export function encodeLength(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`bad DER length ${n}`);
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One DER element with a minimal length; content parts are concatenated. */
export function tlv(tag: number, ...content: readonly Uint8Array[]): Uint8Array {
  const c = concat(...content);
  return concat(Uint8Array.of(tag), encodeLength(c.length), c);
}

export const oidTlv = (oid: string): Uint8Array => tlv(0x06, encodeOid(oid));

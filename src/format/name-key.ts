// name.key (cryptopro-format.md §2.4):
//
//   30 LL 16 LL <name> [extElem1 ANY]
//
// The IA5String holds ASCII or, for Cyrillic names, Windows-1251 bytes. The raw bytes are kept;
// `text` is for display only.

import { ok, fail, type Parsed } from './parsed.ts';
import { readTlv, tlv } from './der.ts';

export interface NameKey {
  readonly raw: Uint8Array;
  readonly text: string;
  readonly encoding: 'ascii' | 'cp1251';
  /** Raw TLV of the optional extElem1. */
  readonly ext: Uint8Array | null;
  readonly length: number;
}

/** Longest name we believe (CSP limits names to a few hundred characters). */
export const MAX_NAME = 1024;

// Windows-1251 0x80..0xBF (0x98 is unassigned → U+FFFD); 0xC0..0xFF are А..я in order.
const CP1251_HIGH =
  '\u0402\u0403\u201A\u0453\u201E\u2026\u2020\u2021\u20AC\u2030\u0409\u2039\u040A\u040C\u040B\u040F' +
  '\u0452\u2018\u2019\u201C\u201D\u2022\u2013\u2014\uFFFD\u2122\u0459\u203A\u045A\u045C\u045B\u045F' +
  '\u00A0\u040E\u045E\u0408\u00A4\u0490\u00A6\u00A7\u0401\u00A9\u0404\u00AB\u00AC\u00AD\u00AE\u0407' +
  '\u00B0\u00B1\u0406\u0456\u0491\u00B5\u00B6\u00B7\u0451\u2116\u0454\u00BB\u0458\u0405\u0455\u0457';

/** The UTF-16 code unit of each byte value (all of cp1251 lies in the BMP). */
const CP1251_UNITS = Uint16Array.from({ length: 256 }, (_, x) => (x < 0x80 ? x : x < 0xc0 ? CP1251_HIGH.charCodeAt(x - 0x80) : 0x0410 + (x - 0xc0)));

/** Windows-1251 bytes → text, through a code-unit table (a .reg export runs to megabytes). */
export function decodeCp1251(b: Uint8Array): string {
  const le = Buffer.alloc(2 * b.length); // UTF-16LE bytes, whatever the host's byte order
  for (let i = 0; i < b.length; i++) {
    const u = CP1251_UNITS[b[i]!]!;
    le[2 * i] = u & 0xff;
    le[2 * i + 1] = u >> 8;
  }
  return le.toString('utf16le');
}

let reverseTable: Map<number, number> | null = null;

/** String → Windows-1251 bytes; null when a character has no cp1251 form. */
export function encodeCp1251(s: string): Uint8Array | null {
  if (!reverseTable) {
    reverseTable = new Map();
    for (let i = 0; i < 64; i++) {
      const c = CP1251_HIGH.charCodeAt(i);
      if (c !== 0xfffd) reverseTable.set(c, 0x80 + i);
    }
    for (let i = 0; i < 64; i++) reverseTable.set(0x0410 + i, 0xc0 + i);
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 0x80 ? c : reverseTable.get(c);
    if (v === undefined) return null;
    out[i] = v;
  }
  return out;
}

export function parseName(b: Uint8Array): Parsed<NameKey> {
  const root = readTlv(b, 0, 0x30, Math.min(b.length, MAX_NAME + 16));
  if (!root.ok) return root;
  const s = readTlv(b, root.value.valueStart, 0x16, root.end);
  if (!s.ok) return s;
  let ext: Uint8Array | null = null;
  if (s.end < root.end) {
    const e = readTlv(b, s.end, null, root.end);
    if (!e.ok) return e;
    if (e.end !== root.end) return fail(e.end, 'trailing bytes inside name SEQUENCE');
    ext = e.value.raw;
  }
  const raw = s.value.value;
  for (const x of raw) if (x < 0x20 || x === 0x7f) return fail(s.value.valueStart, 'control character in name');
  const ascii = raw.every((x) => x < 0x80);
  return ok({ raw, text: decodeCp1251(raw), encoding: ascii ? 'ascii' : 'cp1251', ext, length: root.end }, root.end);
}

/** name.key for a display name: cp1251 when possible, else UTF-8 bytes (CSP would not do that). */
export function encodeName(name: string): Uint8Array {
  const raw = encodeCp1251(name) ?? new TextEncoder().encode(name);
  return tlv(0x30, tlv(0x16, raw));
}

/**
 * Identify a CryptoPro key file at the start of a byte string (format notes §2, §6).
 *
 *   header.key   30 LL 30 LL' A0 0A 06 08 2A 85 03 02 02 25 02 01 03 02 06 x0 … 04 04 <mac4>
 *                (LL forms: short, 81, 82); self-MAC: zero key over the inner TLV, E-A or Z S-box
 *   masks.key    30 36 04 20 <mask32> 04 0C <salt12> 04 04 <mac4>        (56 B)
 *                30 56 04 40 <mask64> 04 0C <salt12> 04 04 <mac4>        (88 B)
 *                self-MAC: key = mask (last 32 bytes of a 64-byte mask), data = salt
 *   primary.key  30 22 04 20 <32> (36 B) | 30 42 04 40 <64> (68 B) |
 *                30 44 04 20 <A:32> 80 20 <B:32> (70 B, made on a token, §11) | … 04 20 <32> (70 B, [gc])
 *                no redundancy: shape and size only
 *   name.key     30 LL 16 LL' <IA5/cp1251 bytes> [extElem], LL >= LL' + 2
 *
 * Total: never throws, never reads past `bytes`.
 */
import { mac4, SBOX_CRYPTOPRO_A, SBOX_TC26_Z, type SBox } from '../crypto/gost28147.ts';
import { bytesAt, peekTlv } from './der-peek.ts';

export type KeyFileKind = 'header' | 'primary' | 'masks' | 'name';
export type MacSbox = 'E-A' | 'E-Z';

export interface KeyFileId {
  readonly kind: KeyFileKind;
  /** Exact length of the file (its outer DER TLV). */
  readonly length: number;
  /** header/masks: the self-MAC verified; primary/name: always false (they carry none). */
  readonly macOk: boolean;
  /** S-box that verified the MAC: E-A means a GOST 2001 container, E-Z a 2012 one. */
  readonly sbox?: MacSbox;
}

/** Largest header we believe: certificate chains in CSP 5 headers stay well below this. */
export const HEADER_MAX = 32 * 1024;
export const CONTAINER_OID_BLOCK = Uint8Array.of(0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x25, 0x02, 0x01);
const ZERO_KEY = new Uint8Array(32);

function macWith(key: Uint8Array, data: Uint8Array, expect: Uint8Array): MacSbox | null {
  for (const [name, sbox] of [['E-A', SBOX_CRYPTOPRO_A], ['E-Z', SBOX_TC26_Z]] as [MacSbox, SBox][]) {
    const m = mac4(key, data, sbox);
    if (m[0] === expect[0] && m[1] === expect[1] && m[2] === expect[2] && m[3] === expect[3]) return name;
  }
  return null;
}

export function identifyHeader(b: Uint8Array): KeyFileId | null {
  const outer = peekTlv(b, 0, HEADER_MAX);
  if (!outer || outer.tag !== 0x30) return null;
  const inner = peekTlv(b, outer.content, outer.end);
  if (!inner || inner.tag !== 0x30) return null;
  if (!bytesAt(b, inner.content, CONTAINER_OID_BLOCK)) return null;
  const attrs = inner.content + CONTAINER_OID_BLOCK.length;
  // attributes BIT STRING: 03 02 06 x0 as CSP writes it; 03 01 00 when no bit is set.
  if (!(b[attrs] === 0x03 && ((b[attrs + 1] === 0x02 && b[attrs + 2]! < 8) || (b[attrs + 1] === 0x01 && b[attrs + 2] === 0x00)))) return null;
  // The container MAC: OCTET STRING of 4 closing the outer SEQUENCE right after the inner one.
  if (inner.end + 6 !== outer.end || b[inner.end] !== 0x04 || b[inner.end + 1] !== 0x04) return null;
  const sbox = macWith(ZERO_KEY, b.subarray(outer.content, inner.end), b.subarray(inner.end + 2, inner.end + 6));
  return sbox ? { kind: 'header', length: outer.end, macOk: true, sbox } : { kind: 'header', length: outer.end, macOk: false };
}

export function identifyMasks(b: Uint8Array): KeyFileId | null {
  let maskLen: number;
  if (bytesAt(b, 0, Uint8Array.of(0x30, 0x36, 0x04, 0x20))) maskLen = 32;
  else if (bytesAt(b, 0, Uint8Array.of(0x30, 0x56, 0x04, 0x40))) maskLen = 64;
  else return null;
  const s = 4 + maskLen;
  if (b.length < s + 20 || b[s] !== 0x04 || b[s + 1] !== 0x0c || b[s + 14] !== 0x04 || b[s + 15] !== 0x04) return null;
  const key = b.subarray(4 + maskLen - 32, 4 + maskLen);
  const sbox = macWith(key, b.subarray(s + 2, s + 14), b.subarray(s + 16, s + 20));
  const length = s + 20;
  return sbox ? { kind: 'masks', length, macOk: true, sbox } : { kind: 'masks', length, macOk: false };
}

export function identifyPrimary(b: Uint8Array): KeyFileId | null {
  if (bytesAt(b, 0, Uint8Array.of(0x30, 0x22, 0x04, 0x20)) && b.length >= 36) return { kind: 'primary', length: 36, macOk: false };
  if (bytesAt(b, 0, Uint8Array.of(0x30, 0x42, 0x04, 0x40)) && b.length >= 68) return { kind: 'primary', length: 68, macOk: false };
  if (bytesAt(b, 0, Uint8Array.of(0x30, 0x44, 0x04, 0x20)) && b.length >= 70 && (b[36] === 0x80 || b[36] === 0x04) && b[37] === 0x20)
    return { kind: 'primary', length: 70, macOk: false };
  return null;
}

/** Bytes a container name may hold: printable ASCII and cp1251 letters (0xC0–0xFF, Ёё, №). */
function nameByte(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) || c >= 0xc0 || c === 0xa8 || c === 0xb8 || c === 0xb9;
}

export function identifyName(b: Uint8Array): KeyFileId | null {
  const outer = peekTlv(b, 0, 1024);
  if (!outer || outer.tag !== 0x30) return null;
  const str = peekTlv(b, outer.content, outer.end);
  if (!str || str.tag !== 0x16 || str.len === 0) return null;
  for (let i = str.content; i < str.end; i++) if (!nameByte(b[i]!)) return null;
  if (str.end !== outer.end) {
    // extElem1: exactly one more TLV filling the rest.
    const ext = peekTlv(b, str.end, outer.end);
    if (!ext || ext.end !== outer.end) return null;
  }
  return { kind: 'name', length: outer.end, macOk: false };
}

/** Which key file starts at bytes[0], if any. */
export function identifyKeyFile(bytes: Uint8Array): KeyFileId | null {
  if (bytes.length < 4 || bytes[0] !== 0x30) return null;
  try {
    return identifyMasks(bytes) ?? identifyPrimary(bytes) ?? identifyHeader(bytes) ?? identifyName(bytes);
  } catch {
    return null; // defensive: identification must stay total even if a primitive misbehaves
  }
}

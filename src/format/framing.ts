/**
 * Token framing (cryptopro-format.md §11): files read off a token, or exported from one, carry the
 * DER inside a frame. Rutoken pads with FF to the token's fixed file size; old ESMART files start
 * with a service byte 01 and end with zeros; JaCarta files are exactly the DER. Everything that
 * checks or hashes a key file trims it here first, so a framed file and its bare DER are one file.
 */
import { peekTlv } from './der-peek.ts';
import { identifyKeyFile, type KeyFileId } from './key-file-id.ts';

export type Framing = 'none' | 'ff-padded' | 'lead-01';

export interface Unframed {
  /** The DER value (a view into the input), or the whole input when no frame was recognised. */
  readonly der: Uint8Array;
  /** Index of der[0] in the input. */
  readonly at: number;
  readonly framing: Framing;
}

/** Where a key file's DER starts in a sector or file: 0, or 1 after an ESMART service byte. */
export function derStart(b: Uint8Array, at = 0): number {
  return b[at] === 0x01 && b[at + 1] === 0x30 ? at + 1 : at;
}

const all = (b: Uint8Array, x: number): boolean => b.every((v) => v === x);

/**
 * The DER inside a framed file. Only a frame that accounts for every byte counts: FF after the
 * DER, or 01 before it and nothing but zeros after. Anything else comes back whole (framing
 * 'none'), so the parser still reports the stray bytes.
 */
export function unframe(b: Uint8Array): Unframed {
  const at = derStart(b);
  const whole: Unframed = { der: b, at: 0, framing: 'none' };
  const head = peekTlv(b, at);
  if (!head || head.tag !== 0x30 || (at === 0 && head.end === b.length)) return whole;
  const tail = b.subarray(head.end);
  const der = b.subarray(at, head.end);
  if (at === 0) return all(tail, 0xff) ? { der, at, framing: 'ff-padded' } : whole;
  return all(tail, 0x00) ? { der, at, framing: 'lead-01' } : whole;
}

/** The framed form of a key file, for the writer and tests: FF up to `size`, or 01 + DER + zeros up to `size`. */
export function frame(der: Uint8Array, framing: Framing, size = der.length + (framing === 'lead-01' ? 1 : 0)): Uint8Array {
  if (framing === 'none') return der.slice();
  const lead = framing === 'lead-01' ? 1 : 0;
  if (size < der.length + lead) throw new RangeError(`a ${der.length}-byte file does not fit a ${size}-byte token file`);
  const out = new Uint8Array(size).fill(framing === 'ff-padded' ? 0xff : 0x00);
  if (lead) out[0] = 0x01;
  out.set(der, lead);
  return out;
}

/**
 * identifyKeyFile for a whole file as a file system stores it: when a token frame accounts for the
 * bytes around the DER, `length` is the file's length, so the frame confirms the file's extents.
 */
export function identifyFramedFile(b: Uint8Array): KeyFileId | null {
  const u = unframe(b);
  const id = identifyKeyFile(u.der);
  return id && u.framing !== 'none' && id.length === u.der.length ? { ...id, length: b.length } : id;
}

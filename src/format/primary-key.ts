// primary.key / primary2.key (cryptopro-format.md §2.3, §11):
//
//   30 22 04 20 <encrypted masked key 32>     (36 bytes)
//   30 42 04 40 <encrypted masked key 64>     (68 bytes)
//   30 44 04 20 <A:32> 80 20 <B:32>           key generated on a token (70 bytes): the ciphertext is B
//   30 44 04 20 <…> 04 20 <…>                 secondary key form of [gc]'s schema — [S] only
//   third OCTET STRING (hmacKey)              old format — flagged
//
// No redundancy: the shape is all that can be checked without the password. Which of two
// ciphertexts holds the key is decided by unmasking (keyCiphertexts gives the order to try).

import { ok, fail, type Parsed } from './parsed.ts';
import { readTlv, tlv } from './der.ts';

export interface PrimaryKey {
  readonly primaryKey: Uint8Array;
  /** The second element: B of the token form (tag 80), or [gc]'s secondaryKey (tag 04). */
  readonly secondaryKey: Uint8Array | null;
  /** 'token' for `04 20 <A> 80 20 <B>`; 'two-octet' for `04 … 04 …`; else 'single'. */
  readonly form: 'single' | 'token' | 'two-octet';
  /** Present only in the old format that GostCrypto refuses. */
  readonly hmacKey: Uint8Array | null;
  readonly length: number;
}

const KEY_SIZES = [32, 64];

export function parsePrimary(b: Uint8Array): Parsed<PrimaryKey> {
  const root = readTlv(b, 0, 0x30, Math.min(b.length, 2 + 0x7f + 64));
  if (!root.ok) return root;
  const keys: { tag: number; value: Uint8Array }[] = [];
  let p = root.value.valueStart;
  while (p < root.end) {
    if (keys.length === 3) return fail(p, 'more than three elements');
    // The token form's second element is [0] IMPLICIT OCTET STRING.
    const t = readTlv(b, p, keys.length === 1 && b[p] === 0x80 ? 0x80 : 0x04, root.end);
    if (!t.ok) return t;
    keys.push({ tag: t.value.tag, value: t.value.value });
    p = t.end;
  }
  const [k0, k1, k2] = keys;
  if (!k0) return fail(root.value.valueStart, 'no primaryKey');
  if (!KEY_SIZES.includes(k0.value.length)) return fail(root.value.valueStart, `primaryKey is ${k0.value.length} bytes, expected 32 or 64`);
  if (k1 && k1.value.length !== k0.value.length) return fail(root.value.valueStart, `second key is ${k1.value.length} bytes, the first ${k0.value.length}`);
  const form = !k1 ? 'single' : k1.tag === 0x80 ? 'token' : 'two-octet';
  return ok({ primaryKey: k0.value, secondaryKey: k1?.value ?? null, form, hmacKey: k2?.value ?? null, length: root.end }, root.end);
}

/** The ciphertexts that may hold the key, most likely first: B, then A, for the token form (§11). */
export function keyCiphertexts(p: PrimaryKey): readonly Uint8Array[] {
  if (!p.secondaryKey) return [p.primaryKey];
  return p.form === 'token' ? [p.secondaryKey, p.primaryKey] : [p.primaryKey, p.secondaryKey];
}

/** primary.key for an encrypted key; with `tokenFiller`, the token form `04 <filler> 80 <key>`. */
export function encodePrimary(encryptedKey: Uint8Array, tokenFiller?: Uint8Array): Uint8Array {
  if (!tokenFiller) return tlv(0x30, tlv(0x04, encryptedKey));
  if (tokenFiller.length !== encryptedKey.length) throw new RangeError('token filler must be as long as the key');
  return tlv(0x30, tlv(0x04, tokenFiller), tlv(0x80, encryptedKey));
}

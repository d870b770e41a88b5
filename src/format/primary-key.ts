// primary.key / primary2.key (cryptopro-format.md §2.3):
//
//   30 22 04 20 <encrypted masked key 32>     (36 bytes)
//   30 42 04 40 <encrypted masked key 64>     (68 bytes)
//   30 44 04 20 <…> 04 20 <…>                 secondary key form — [S] only, flagged
//   third OCTET STRING (hmacKey)              old format — flagged
//
// No redundancy: the shape is all that can be checked without the password.

import { ok, fail, type Parsed } from './parsed.ts';
import { readTlv, tlv } from './der.ts';

export interface PrimaryKey {
  readonly primaryKey: Uint8Array;
  readonly secondaryKey: Uint8Array | null;
  /** Present only in the old format that GostCrypto refuses. */
  readonly hmacKey: Uint8Array | null;
  readonly length: number;
}

export function parsePrimary(b: Uint8Array): Parsed<PrimaryKey> {
  const root = readTlv(b, 0, 0x30, Math.min(b.length, 2 + 0x7f + 64));
  if (!root.ok) return root;
  const keys: Uint8Array[] = [];
  let p = root.value.valueStart;
  while (p < root.end) {
    if (keys.length === 3) return fail(p, 'more than three elements');
    const t = readTlv(b, p, 0x04, root.end);
    if (!t.ok) return t;
    keys.push(t.value.value);
    p = t.end;
  }
  const [k0, k1, k2] = keys;
  if (!k0) return fail(root.value.valueStart, 'no primaryKey');
  if (k0.length !== 32 && k0.length !== 64) return fail(root.value.valueStart, `primaryKey is ${k0.length} bytes, expected 32 or 64`);
  if (k1 && k1.length !== 32 && k1.length !== 64) return fail(root.value.valueStart, `secondaryKey is ${k1.length} bytes`);
  return ok({ primaryKey: k0, secondaryKey: k1 ?? null, hmacKey: k2 ?? null, length: root.end }, root.end);
}

export function encodePrimary(encryptedKey: Uint8Array): Uint8Array {
  return tlv(0x30, tlv(0x04, encryptedKey));
}

// masks.key / masks2.key (cryptopro-format.md §2.2):
//
//   30 36 04 20 <mask 32> 04 0C <salt 12> 04 04 <mac 4>     (256-bit, 56 bytes)
//   30 56 04 40 <mask 64> 04 0C <salt 12> 04 04 <mac 4>     (512-bit, 88 bytes)
//
// The MAC is keyed by the mask itself (the last 32 bytes of a 64-byte mask) over the salt, so the
// file authenticates itself without a password (§3.4).

import type { SBox } from '../crypto/gost28147.ts';
import { ok, fail, type Parsed } from './parsed.ts';
import { readTlv, tlv } from './der.ts';
import { macWithBothSboxes, type MacCheck } from './header-key.ts';

export interface MasksKey {
  readonly mask: Uint8Array;
  /** Full salt field; the KDF uses its first 12 bytes ([gc] accepts longer ones). */
  readonly salt: Uint8Array;
  readonly hmac: Uint8Array;
  readonly length: number;
}

/** Salt longer than this is not believed (samples: always 12). */
const MAX_SALT = 64;

export function parseMasks(b: Uint8Array): Parsed<MasksKey> {
  const root = readTlv(b, 0, 0x30, Math.min(b.length, 2 + 0x7f + 64));
  if (!root.ok) return root;
  const mask = readTlv(b, root.value.valueStart, 0x04, root.end);
  if (!mask.ok) return mask;
  if (mask.value.len !== 32 && mask.value.len !== 64) return fail(mask.value.start, `mask is ${mask.value.len} bytes, expected 32 or 64`);
  const salt = readTlv(b, mask.end, 0x04, root.end);
  if (!salt.ok) return salt;
  if (salt.value.len < 12 || salt.value.len > MAX_SALT) return fail(salt.value.start, `salt is ${salt.value.len} bytes, expected 12`);
  const mac = readTlv(b, salt.end, 0x04, root.end);
  if (!mac.ok) return mac;
  if (mac.value.len !== 4) return fail(mac.value.start, `MAC is ${mac.value.len} bytes, expected 4`);
  if (mac.end !== root.end) return fail(mac.end, 'trailing bytes inside masks SEQUENCE');
  return ok({ mask: mask.value.value, salt: salt.value.value, hmac: mac.value.value, length: root.end }, root.end);
}

/** The MAC key: the mask, or the last 32 bytes of a 64-byte mask. */
export function masksMacKey(mask: Uint8Array): Uint8Array {
  return mask.subarray(mask.length - 32);
}

/** Tries the given S-box first, then the other; reports which matched. */
export function checkMasksMac(m: MasksKey, want: SBox): MacCheck {
  return macWithBothSboxes(masksMacKey(m.mask), m.salt, m.hmac, want);
}

export function encodeMasks(mask: Uint8Array, salt: Uint8Array, hmac: Uint8Array): Uint8Array {
  return tlv(0x30, tlv(0x04, mask), tlv(0x04, salt), tlv(0x04, hmac));
}

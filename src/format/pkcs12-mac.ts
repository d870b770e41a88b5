// The PKCS#12 password check: its MacData (RFC 7292 §5 and appendix B). The MAC key is derived
// from the password (BMPString, UTF-16BE with a 00 00 terminator) with the PKCS#12 KDF (ID 3),
// then HMAC over the authSafe content must give the stored digest.

import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import { equalBytes } from '../crypto/bytes.ts';
import type { Pkcs12Info } from './pkcs12.ts';

type Hash = CHash;

const DIGESTS: Record<string, Hash> = {
  '1.3.14.3.2.26': sha1,
  '2.16.840.1.101.3.4.2.1': sha256,
  '2.16.840.1.101.3.4.2.2': sha384,
  '2.16.840.1.101.3.4.2.3': sha512,
  '2.16.840.1.101.3.4.2.4': sha224,
};

/** Beyond this the file is not a real PFX (openssl writes 2048; NCA files 1024). */
const MAX_ITERATIONS = 1 << 20;

/** Why a PFX's MAC cannot be used to test passwords, or null when it can. */
export function pkcs12MacProblem(info: Pkcs12Info): string | null {
  const m = info.mac;
  if (!m) return 'the PFX has no MacData (no password MAC to test against)';
  if (!DIGESTS[m.digestOid]) return `the PFX MAC uses digest ${m.digestOid}, which this tool cannot compute`;
  if (m.iterations === null || m.iterations < 1 || m.iterations > MAX_ITERATIONS) return 'the PFX MAC iteration count is out of range';
  if (!m.macInput) return 'the PFX authSafe is not id-data (no password MAC)';
  return null;
}

/** BMPString forms: the terminated one, and for the empty password also no bytes at all (both are in use). */
function bmpForms(pw: string): Uint8Array[] {
  const b = new Uint8Array(2 * pw.length + 2);
  for (let i = 0; i < pw.length; i++) {
    const c = pw.charCodeAt(i);
    b[2 * i] = c >>> 8;
    b[2 * i + 1] = c & 0xff;
  }
  return pw === '' ? [b, new Uint8Array(0)] : [b];
}

const repeatTo = (src: Uint8Array, v: number): Uint8Array => {
  const out = new Uint8Array(src.length === 0 ? 0 : v * Math.ceil(src.length / v));
  for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
  return out;
};

/** RFC 7292 B.2 with ID 3 (MAC key), n = the hash's output length (one block A is enough). */
export function pkcs12MacKey(H: Hash, password: Uint8Array, salt: Uint8Array, iterations: number): Uint8Array {
  const v = H.blockLen;
  const I = new Uint8Array([...repeatTo(salt, v), ...repeatTo(password, v)]);
  let a = H(new Uint8Array([...new Uint8Array(v).fill(3), ...I]));
  for (let r = 1; r < iterations; r++) a = H(a);
  return a.subarray(0, H.outputLen);
}

/** True when `pw` opens the PFX's MAC (call only when pkcs12MacProblem is null). */
export function pkcs12PasswordMatches(info: Pkcs12Info, pw: string): boolean {
  const m = info.mac!;
  const H = DIGESTS[m.digestOid]!;
  return bmpForms(pw).some((p) => equalBytes(hmac(H, pkcs12MacKey(H, p, m.salt, m.iterations!), m.macInput!), m.digest));
}

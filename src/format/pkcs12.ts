// PKCS#12 (PFX) without the password (cryptopro-format.md §9):
//
//   30 82 LL LL | 30 80          PFX (NCA RK files: definite outer, BER-indefinite inside)
//     02 01 03                   version 3
//     30 ..  06 09 …07 01|07 02  authSafe ContentInfo: id-data | id-signedData
//            A0 .. 04 .. <AuthenticatedSafe: SEQUENCE OF ContentInfo, often 30 80 …>
//     30 3D …                    MacData (optional): digest alg, digest, salt, iterations
//
// Everything is walked in BER mode with bounded depth; plain id-data SafeContents are listed
// (bag types, localKeyID, friendlyName); encrypted parts are only counted — opening them needs
// the password, which this module never has.

import { ok, fail, type Parsed } from './parsed.ts';
import { readBer, decodeOid, type Tlv } from './der.ts';

/** Largest PFX believed. */
export const MAX_PKCS12_SIZE = 4 * 1024 * 1024;

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const OID_ENVELOPED_DATA = '1.2.840.113549.1.7.3';
const OID_FRIENDLY_NAME = '1.2.840.113549.1.9.20';
const OID_LOCAL_KEY_ID = '1.2.840.113549.1.9.21';

const BAG_NAMES: Record<string, string> = {
  '1.2.840.113549.1.12.10.1.1': 'keyBag',
  '1.2.840.113549.1.12.10.1.2': 'pkcs8ShroudedKeyBag',
  '1.2.840.113549.1.12.10.1.3': 'certBag',
  '1.2.840.113549.1.12.10.1.4': 'crlBag',
  '1.2.840.113549.1.12.10.1.5': 'secretBag',
  '1.2.840.113549.1.12.10.1.6': 'safeContentsBag',
};

export interface SafeBagInfo {
  readonly type: string;
  readonly oid: string;
  readonly localKeyId: Uint8Array | null;
  readonly friendlyName: string | null;
}

export interface Pkcs12Info {
  /** Exact length of the PFX (for `30 80`, up to and including the matching 00 00). */
  readonly length: number;
  readonly outerIndefinite: boolean;
  readonly version: number;
  readonly authSafeType: 'data' | 'signedData';
  readonly mac: {
    readonly digestOid: string;
    readonly iterations: number | null;
    /** What a password check needs (pkcs12-mac.ts): the stored digest, salt and the MACed authSafe bytes. */
    readonly digest: Uint8Array;
    readonly salt: Uint8Array;
    readonly macInput: Uint8Array | null;
  } | null;
  /** Bags readable without the password (from plain id-data SafeContents). */
  readonly bags: readonly SafeBagInfo[];
  /** ContentInfos that need the password (encryptedData / envelopedData). */
  readonly encryptedParts: number;
  /** Always: what could not be checked without the password. */
  readonly note: string;
}

export function parsePkcs12(b: Uint8Array): Parsed<Pkcs12Info> {
  const limit = Math.min(b.length, MAX_PKCS12_SIZE);
  const pfx = readBer(b, 0, 0x30, limit);
  if (!pfx.ok) return pfx;
  const P = pfx.value;
  const cEnd = P.valueStart + P.len;
  const ver = readBer(b, P.valueStart, 0x02, cEnd);
  if (!ver.ok) return ver;
  if (ver.value.len !== 1 || ver.value.value[0] !== 3) return fail(ver.value.start, 'PFX version is not 3');
  const auth = readBer(b, ver.end, 0x30, cEnd);
  if (!auth.ok) return auth;
  const ct = contentInfo(b, auth.value);
  if (!ct.ok) return ct;
  let authSafeType: 'data' | 'signedData';
  let bags: SafeBagInfo[] = [];
  let encryptedParts = 0;
  let macInput: Uint8Array | null = null;
  if (ct.value.oid === OID_DATA) {
    authSafeType = 'data';
    if (ct.value.content === null) return fail(auth.value.start, 'authSafe has no content');
    const data = octets(b, ct.value.content);
    if (!data.ok) return data;
    macInput = data.value;
    const inner = authenticatedSafe(data.value);
    if (!inner.ok) return fail(auth.value.start, `AuthenticatedSafe: ${inner.why}`);
    bags = inner.value.bags;
    encryptedParts = inner.value.encrypted;
  } else if (ct.value.oid === OID_SIGNED_DATA) {
    authSafeType = 'signedData'; // public-key integrity mode: contents not walked
  } else return fail(auth.value.start, `authSafe content type ${ct.value.oid}`);

  let mac: Pkcs12Info['mac'] = null;
  if (auth.end < cEnd) {
    const m = readBer(b, auth.end, 0x30, cEnd);
    if (!m.ok) return m;
    const digestInfo = readBer(b, m.value.valueStart, 0x30, m.end);
    if (!digestInfo.ok) return digestInfo;
    const alg = readBer(b, digestInfo.value.valueStart, 0x30, digestInfo.end);
    if (!alg.ok) return alg;
    const oidT = readBer(b, alg.value.valueStart, 0x06, alg.end);
    if (!oidT.ok) return oidT;
    const digestOid = decodeOid(oidT.value.value);
    if (digestOid === null) return fail(oidT.value.start, 'malformed MAC digest OID');
    const digest = readBer(b, alg.end, 0x04, digestInfo.end);
    if (!digest.ok) return digest;
    const salt = readBer(b, digestInfo.end, 0x04, m.end);
    if (!salt.ok) return salt;
    let iterations: number | null = 1;
    if (salt.end < m.end) {
      const it = readBer(b, salt.end, 0x02, m.end);
      if (!it.ok) return it;
      iterations = it.value.len <= 4 ? it.value.value.reduce((a, x) => a * 256 + x, 0) : null;
    }
    mac = { digestOid, iterations, digest: digest.value.value, salt: salt.value.value, macInput };
    if (m.end !== cEnd) return fail(m.end, 'trailing data after MacData');
  }
  return ok(
    {
      length: P.end,
      outerIndefinite: P.indefinite,
      version: 3,
      authSafeType,
      mac,
      bags,
      encryptedParts,
      note: 'bag contents and the PKCS#12 MAC need the password; structure and key id checked only',
    },
    P.end,
  );
}

function contentInfo(b: Uint8Array, ci: Tlv): Parsed<{ oid: string; content: Tlv | null }> {
  const cEnd = ci.valueStart + ci.len;
  const oidT = readBer(b, ci.valueStart, 0x06, cEnd);
  if (!oidT.ok) return oidT;
  const oid = decodeOid(oidT.value.value);
  if (oid === null) return fail(oidT.value.start, 'malformed content type');
  if (oidT.end >= cEnd) return ok({ oid, content: null }, ci.end);
  const wrap = readBer(b, oidT.end, 0xa0, cEnd);
  if (!wrap.ok) return wrap;
  const content = readBer(b, wrap.value.valueStart, null, wrap.value.valueStart + wrap.value.len);
  if (!content.ok) return content;
  return ok({ oid, content: content.value }, ci.end);
}

/** OCTET STRING content; a BER constructed one (24 …) is concatenated (bounded by the input). */
function octets(b: Uint8Array, t: Tlv, depth = 0): Parsed<Uint8Array> {
  if (t.tag === 0x04) return ok(t.value, t.end);
  if (t.tag !== 0x24 || depth > 4) return fail(t.start, `expected OCTET STRING, found 0x${t.tag.toString(16)}`);
  const parts: Uint8Array[] = [];
  let p = t.valueStart;
  const end = t.valueStart + t.len;
  while (p < end) {
    const c = readBer(b, p, null, end);
    if (!c.ok) return c;
    const inner = octets(b, c.value, depth + 1);
    if (!inner.ok) return inner;
    parts.push(inner.value);
    p = c.end;
  }
  const out = new Uint8Array(parts.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return ok(out, t.end);
}

function authenticatedSafe(d: Uint8Array): Parsed<{ bags: SafeBagInfo[]; encrypted: number }> {
  const seq = readBer(d, 0, 0x30, d.length);
  if (!seq.ok) return seq;
  // NCA writers pad the OCTET STRING with zero bytes after the BER value.
  for (let i = seq.end; i < d.length; i++) if (d[i] !== 0) return fail(i, 'trailing data after AuthenticatedSafe');
  const bags: SafeBagInfo[] = [];
  let encrypted = 0;
  let p = seq.value.valueStart;
  const end = seq.value.valueStart + seq.value.len;
  while (p < end) {
    const ci = readBer(d, p, 0x30, end);
    if (!ci.ok) return ci;
    const c = contentInfo(d, ci.value);
    if (!c.ok) return c;
    if (c.value.oid === OID_DATA && c.value.content) {
      const data = octets(d, c.value.content);
      if (!data.ok) return data;
      const sb = safeContents(data.value);
      if (!sb.ok) return sb;
      bags.push(...sb.value);
    } else if (c.value.oid === OID_ENCRYPTED_DATA || c.value.oid === OID_ENVELOPED_DATA) encrypted++;
    else return fail(ci.value.start, `unexpected ContentInfo ${c.value.oid}`);
    p = ci.end;
  }
  return ok({ bags, encrypted }, seq.end);
}

function safeContents(d: Uint8Array): Parsed<SafeBagInfo[]> {
  const seq = readBer(d, 0, 0x30, d.length);
  if (!seq.ok) return seq;
  const out: SafeBagInfo[] = [];
  let p = seq.value.valueStart;
  const end = seq.value.valueStart + seq.value.len;
  while (p < end) {
    const bag = readBer(d, p, 0x30, end);
    if (!bag.ok) return bag;
    const bEnd = bag.value.valueStart + bag.value.len;
    const oidT = readBer(d, bag.value.valueStart, 0x06, bEnd);
    if (!oidT.ok) return oidT;
    const oid = decodeOid(oidT.value.value);
    if (oid === null) return fail(oidT.value.start, 'malformed bag type');
    const val = readBer(d, oidT.end, 0xa0, bEnd);
    if (!val.ok) return val;
    let localKeyId: Uint8Array | null = null;
    let friendlyName: string | null = null;
    if (val.end < bEnd) {
      const attrs = readBer(d, val.end, 0x31, bEnd);
      if (!attrs.ok) return attrs;
      let q = attrs.value.valueStart;
      const aEnd = attrs.value.valueStart + attrs.value.len;
      while (q < aEnd) {
        const a = readBer(d, q, 0x30, aEnd);
        if (!a.ok) return a;
        const aoT = readBer(d, a.value.valueStart, 0x06, a.value.valueStart + a.value.len);
        if (!aoT.ok) return aoT;
        const set = readBer(d, aoT.end, 0x31, a.value.valueStart + a.value.len);
        if (!set.ok) return set;
        const v = set.value.len > 0 ? readBer(d, set.value.valueStart, null, set.value.valueStart + set.value.len) : null;
        const aoid = decodeOid(aoT.value.value);
        if (v?.ok && aoid === OID_LOCAL_KEY_ID && v.value.tag === 0x04) localKeyId = v.value.value.slice();
        if (v?.ok && aoid === OID_FRIENDLY_NAME && v.value.tag === 0x1e) friendlyName = bmp(v.value.value);
        q = a.end;
      }
    }
    out.push({ type: BAG_NAMES[oid] ?? oid, oid, localKeyId, friendlyName });
    p = bag.end;
  }
  return ok(out, seq.end);
}

function bmp(v: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < v.length; i += 2) {
    const c = (v[i]! << 8) | v[i + 1]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** NCA RK file names: `(AUTH_RSA256|RSA256|GOSTKNCA|GOST512)_<hex40>.p12` → kind and key id. */
export function ncaKeyIdFromName(fileName: string): { kind: string; keyId: string } | null {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const m = /^(AUTH_RSA256|RSA256|GOSTKNCA|GOST512)_([0-9a-fA-F]{40})\.p12$/.exec(base);
  return m ? { kind: m[1]!, keyId: m[2]!.toLowerCase() } : null;
}

export interface Pkcs12Check {
  readonly name: 'structure' | 'file-name-key-id' | 'certificate-key-id';
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * What can be checked on a PFX without its password: structure, the key id in an NCA file name
 * against the bag's localKeyID, and against a certificate's Subject Key Identifier.
 */
export function checkPkcs12(b: Uint8Array, fileName?: string, certSubjectKeyId?: Uint8Array | null): { info: Pkcs12Info | null; checks: Pkcs12Check[] } {
  const checks: Pkcs12Check[] = [];
  const r = parsePkcs12(b);
  if (!r.ok) return { info: null, checks: [{ name: 'structure', ok: false, detail: `malformed at byte ${r.at}: ${r.why}` }] };
  const info = r.value;
  checks.push({
    name: 'structure',
    ok: info.length === b.length,
    detail: info.length === b.length ? `PFX v3, ${info.authSafeType}, ${info.mac ? 'with' : 'without'} MacData` : `${b.length - info.length} bytes after the PFX`,
  });
  const keyIds = info.bags.map((x) => x.localKeyId).filter((x): x is Uint8Array => x !== null).map(hexOf);
  const fromName = fileName ? ncaKeyIdFromName(fileName) : null;
  if (fromName) {
    const ok = keyIds.includes(fromName.keyId) || (keyIds.length === 0 && info.bags.some((x) => x.friendlyName === fromName.keyId));
    checks.push({ name: 'file-name-key-id', ok, detail: ok ? `file name key id ${fromName.keyId} = bag localKeyID` : `file name key id ${fromName.keyId} not among ${keyIds.join(', ') || 'no readable key ids'}` });
  }
  if (certSubjectKeyId) {
    const ski = hexOf(certSubjectKeyId);
    const ref = keyIds.length ? keyIds : fromName ? [fromName.keyId] : [];
    const ok = ref.includes(ski);
    checks.push({ name: 'certificate-key-id', ok, detail: ok ? `certificate Subject Key Identifier ${ski} matches` : `certificate SKI ${ski} ≠ ${ref.join(', ') || 'no key id'}` });
  }
  return { info, checks };
}

const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

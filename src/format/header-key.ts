// header.key (cryptopro-format.md §2.1):
//
//   30 LL                                  SEQUENCE
//     30 LL  keyContainerContent           <- MAC'ed with a zero key, kept raw
//       A0 0A 06 08 2A85030202250201       [0] containerAlgoritmIdentifier
//       16 ..                              containerName (optional, unseen)
//       03 02 06 C0                        attributes (named bits)
//       30 LL 03 02 05 A0  A0 LL …         primaryPrivateKeyParameters: key attributes + algorithm block
//       82 04 ….                           [2] hmacPassword (optional)
//       A3 ..                              [3] secondary encrypted key (tolerated, unseen)
//       A4 LL 03 02 05 xx A0 LL …          [4] secondaryPrivateKeyParameters (two-key container)
//       85 82 LL LL 30 82 …                [5] primaryCertificate (optional)
//       86 87 A8 A9                        [6]..[9] (tolerated, unseen)
//       8A 08 ….                           [10] primaryFP
//       8B 08 ….                           [11] secondaryFP: the second (signature) key (§11)
//       06 02                              passwordPolicy, securityLevel (tolerated)
//       AC LL 30 LL 06 .. 04 ..            [12] extensions (keyValidity)
//       8D ..                              [13]
//     04 04 ….                             hmacKeyContainerContent
//
// Fields must appear in this order, each at most once; anything else is a format error.

import { mac4, SBOX_CRYPTOPRO_A, SBOX_TC26_Z, type SBox } from '../crypto/gost28147.ts';
import { cpkdf, type PasswordUnits } from '../crypto/cpkdf.ts';
import { equalBytes, hex } from '../crypto/bytes.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { ok, fail, type Parsed } from './parsed.ts';
import { readTlv, decodeOid, tlv, oidTlv, concat, type Tlv } from './der.ts';
import { bitsOf, encodeBits } from './bits.ts';
import { parseAlgorithmBlock, encodeAlgorithmBlock, type AlgorithmBlock, type Generation } from './algorithms.ts';

/** Largest header.key we believe: a certificate of up to ~60 KiB plus the fixed fields. */
export const MAX_HEADER_SIZE = 65536;

export const OID_CONTAINER_V2 = '1.2.643.2.2.37.2.1';
export const OID_KEY_VALIDITY = '1.2.643.2.2.37.3.10';

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** Content of the extnValue OCTET STRING. */
  readonly value: Uint8Array;
}

/** What encodeHeader needs; HeaderKey (the parse result) is a superset. */
export interface HeaderFields {
  readonly containerAlgorithmOid: string;
  /** Bytes after the OID inside [0] (AlgorithmIdentifier parameters); none in any sample. */
  readonly containerAlgorithmParams?: Uint8Array | undefined;
  readonly containerName?: Uint8Array | undefined;
  /** BIT STRING content (unused-bit count first), e.g. 06 C0. */
  readonly attributesRaw: Uint8Array;
  readonly keyAttributesRaw: Uint8Array;
  readonly algorithm: Pick<AlgorithmBlock, 'algorithmOid' | 'curveOid' | 'digestOid'> & { readonly generation?: Generation };
  readonly hmacPassword?: Uint8Array | undefined;
  /** Raw TLVs of tolerated fields we do not interpret ([3],[4],[6]..[9],[11],06,02,[13]), by tag. */
  readonly other?: ReadonlyMap<number, Uint8Array> | undefined;
  readonly primaryCertificate?: Uint8Array | undefined;
  readonly primaryFP: Uint8Array;
  readonly extensions?: readonly Extension[] | undefined;
}

export interface HeaderKey extends HeaderFields {
  readonly algorithm: AlgorithmBlock;
  readonly softPassword: boolean;
  readonly reservePrimary: boolean;
  readonly primaryKeyAbsent: boolean;
  readonly exportable: boolean;
  readonly exchange: boolean;
  /** keyValidity notAfter, GeneralizedTime text as stored (e.g. 20200701145710Z). */
  readonly keyNotAfter: string | null;
  readonly keyNotBefore: string | null;
  readonly other: ReadonlyMap<number, Uint8Array>;
  readonly extensions: readonly Extension[];
  /** [11]: the second key's fingerprint; set in a two-key container, whose primary2/masks2 hold that key. */
  readonly secondaryFP: Uint8Array | null;
  /** [4] when it parses; the second key's algorithm (null: take the primary's). */
  readonly secondaryAlgorithm: AlgorithmBlock | null;
  /** pkaExchange of [4]: null without [4]. */
  readonly secondaryExchange: boolean | null;
  /** The whole keyContainerContent TLV (what the container MAC covers). */
  readonly contentTlv: Uint8Array;
  readonly hmac: Uint8Array;
  /** DER length of the file; bytes beyond it are not part of the header. */
  readonly length: number;
}

// Encoding order: tag → field. Index in this list = required relative position.
const ORDER = [0xa0, 0x16, 0x03, 0x30, 0x82, 0xa3, 0xa4, 0x85, 0x86, 0x87, 0xa8, 0xa9, 0x8a, 0x8b, 0x06, 0x02, 0xac, 0x8d] as const;
const OTHER_TAGS = new Set([0xa3, 0xa4, 0x86, 0x87, 0xa8, 0xa9, 0x8b, 0x06, 0x02, 0x8d]);

export function parseHeader(b: Uint8Array): Parsed<HeaderKey> {
  const limit = Math.min(b.length, MAX_HEADER_SIZE + 8);
  const root = readTlv(b, 0, 0x30, limit);
  if (!root.ok) return root;
  const rEnd = root.end;
  const content = readTlv(b, root.value.valueStart, 0x30, rEnd);
  if (!content.ok) return content;
  const mac = readTlv(b, content.end, 0x04, rEnd);
  if (!mac.ok) return mac;
  if (mac.value.len !== 4) return fail(mac.value.start, `container MAC is ${mac.value.len} bytes, expected 4`);
  if (mac.end !== rEnd) return fail(mac.end, 'trailing bytes inside header SEQUENCE');

  const fields = new Map<number, Tlv>();
  let p = content.value.valueStart;
  const cEnd = content.end;
  let lastIdx = -1;
  while (p < cEnd) {
    const t = readTlv(b, p, null, cEnd);
    if (!t.ok) return t;
    const idx = ORDER.indexOf(t.value.tag as (typeof ORDER)[number]);
    if (idx < 0) return fail(p, `unexpected field tag 0x${t.value.tag.toString(16)}`);
    if (idx <= lastIdx) return fail(p, `field tag 0x${t.value.tag.toString(16)} out of order or repeated`);
    lastIdx = idx;
    fields.set(t.value.tag, t.value);
    p = t.end;
  }

  const algId = fields.get(0xa0);
  if (!algId) return fail(content.value.valueStart, 'containerAlgoritmIdentifier [0] missing');
  const algOidT = readTlv(b, algId.valueStart, 0x06, algId.end);
  if (!algOidT.ok) return algOidT;
  const containerAlgorithmOid = decodeOid(algOidT.value.value);
  if (containerAlgorithmOid === null) return fail(algOidT.value.start, 'malformed container OID');
  const containerAlgorithmParams = algOidT.end < algId.end ? b.subarray(algOidT.end, algId.end) : undefined;

  const attrs = fields.get(0x03);
  if (!attrs) return fail(algId.end, 'attributes BIT STRING missing');
  if (!validBits(attrs.value)) return fail(attrs.start, 'malformed attributes BIT STRING');

  const kp = fields.get(0x30);
  if (!kp) return fail(attrs.end, 'primaryPrivateKeyParameters missing');
  const kAttrs = readTlv(b, kp.valueStart, 0x03, kp.end);
  if (!kAttrs.ok) return kAttrs;
  if (!validBits(kAttrs.value.value)) return fail(kAttrs.value.start, 'malformed key attributes BIT STRING');
  const algorithm = parseAlgorithmBlock(b, kAttrs.end, kp.end);
  if (!algorithm.ok) return algorithm;
  if (algorithm.end !== kp.end) return fail(algorithm.end, 'trailing bytes in primaryPrivateKeyParameters');

  const hp = fields.get(0x82);
  if (hp && hp.len !== 4) return fail(hp.start, `hmacPassword is ${hp.len} bytes, expected 4`);
  const fp = fields.get(0x8a);
  if (!fp) return fail(cEnd, 'primaryFP [10] missing');
  if (fp.len !== 8) return fail(fp.start, `primaryFP is ${fp.len} bytes, expected 8`);

  let extensions: Extension[] = [];
  let keyNotAfter: string | null = null;
  let keyNotBefore: string | null = null;
  const ext = fields.get(0xac);
  if (ext) {
    const e = parseExtensions(b, ext);
    if (!e.ok) return e;
    extensions = e.value;
    const kv = extensions.find((x) => x.oid === OID_KEY_VALIDITY);
    if (kv) {
      const v = parseKeyValidity(kv.value);
      if (!v.ok) return fail(ext.start, `keyValidity: ${v.why}`);
      keyNotBefore = v.value.notBefore;
      keyNotAfter = v.value.notAfter;
    }
  }

  const other = new Map<number, Uint8Array>();
  for (const [tag, t] of fields) if (OTHER_TAGS.has(tag)) other.set(tag, t.raw);
  const fp2 = fields.get(0x8b);
  if (fp2 && fp2.len !== 8) return fail(fp2.start, `secondaryFP is ${fp2.len} bytes, expected 8`);
  const second = fields.get(0xa4) ? parseKeyParameters(b, fields.get(0xa4)!) : null;

  const aBits = bitsOf(attrs.value);
  const kBits = bitsOf(kAttrs.value.value);
  return ok(
    {
      containerAlgorithmOid,
      containerAlgorithmParams,
      containerName: fields.get(0x16)?.value,
      attributesRaw: attrs.value,
      keyAttributesRaw: kAttrs.value.value,
      algorithm: algorithm.value,
      hmacPassword: hp?.value,
      other,
      primaryCertificate: fields.get(0x85)?.value,
      primaryFP: fp.value,
      extensions,
      softPassword: aBits.has(0),
      reservePrimary: aBits.has(1),
      primaryKeyAbsent: aBits.has(2),
      exportable: kBits.has(0),
      exchange: kBits.has(2),
      keyNotAfter,
      keyNotBefore,
      secondaryFP: fp2?.value ?? null,
      secondaryAlgorithm: second?.ok ? second.value.algorithm : null,
      secondaryExchange: second?.ok ? second.value.exchange : null,
      contentTlv: content.value.raw,
      hmac: mac.value.value,
      length: rEnd,
    },
    rEnd,
  );
}

/** [4] has primaryPrivateKeyParameters' shape: key attributes, then the algorithm block. */
function parseKeyParameters(b: Uint8Array, t: Tlv): Parsed<{ algorithm: AlgorithmBlock; exchange: boolean }> {
  const attrs = readTlv(b, t.valueStart, 0x03, t.end);
  if (!attrs.ok) return attrs;
  if (!validBits(attrs.value.value)) return fail(attrs.value.start, 'malformed key attributes BIT STRING');
  const algorithm = parseAlgorithmBlock(b, attrs.end, t.end);
  if (!algorithm.ok) return algorithm;
  return ok({ algorithm: algorithm.value, exchange: bitsOf(attrs.value.value).has(2) }, t.end);
}

function validBits(v: Uint8Array): boolean {
  if (v.length === 0 || v[0]! > 7) return false;
  return !(v.length === 1 && v[0] !== 0);
}

function parseExtensions(b: Uint8Array, ext: Tlv): Parsed<Extension[]> {
  const out: Extension[] = [];
  let p = ext.valueStart;
  while (p < ext.end) {
    if (out.length >= 32) return fail(p, 'too many extensions');
    const seq = readTlv(b, p, 0x30, ext.end);
    if (!seq.ok) return seq;
    const oidT = readTlv(b, seq.value.valueStart, 0x06, seq.end);
    if (!oidT.ok) return oidT;
    const oid = decodeOid(oidT.value.value);
    if (oid === null) return fail(oidT.value.start, 'malformed extension OID');
    let q = oidT.end;
    let critical = false;
    if (q < seq.end && b[q] === 0x01) {
      const bool = readTlv(b, q, 0x01, seq.end);
      if (!bool.ok) return bool;
      if (bool.value.len !== 1) return fail(q, 'bad BOOLEAN');
      critical = bool.value.value[0] !== 0;
      q = bool.end;
    }
    const val = readTlv(b, q, 0x04, seq.end);
    if (!val.ok) return val;
    if (val.end !== seq.end) return fail(val.end, 'trailing bytes in extension');
    out.push({ oid, critical, value: val.value.value });
    p = seq.end;
  }
  return ok(out, ext.end);
}

/** keyValidity value: SEQUENCE { notBefore [0] GeneralizedTime OPTIONAL, notAfter [1] … OPTIONAL }. */
export function parseKeyValidity(v: Uint8Array): Parsed<{ notBefore: string | null; notAfter: string | null }> {
  const seq = readTlv(v, 0, 0x30, v.length);
  if (!seq.ok) return seq;
  if (seq.end !== v.length) return fail(seq.end, 'trailing bytes');
  let notBefore: string | null = null;
  let notAfter: string | null = null;
  let p = seq.value.valueStart;
  while (p < seq.end) {
    const t = readTlv(v, p, null, seq.end);
    if (!t.ok) return t;
    const s = asciiTime(t.value.value);
    if (s === null) return fail(p, 'bad GeneralizedTime');
    if (t.value.tag === 0x80 && notBefore === null && notAfter === null) notBefore = s;
    else if (t.value.tag === 0x81 && notAfter === null) notAfter = s;
    else return fail(p, `unexpected tag 0x${t.value.tag.toString(16)}`);
    p = t.end;
  }
  return ok({ notBefore, notAfter }, seq.end);
}

function asciiTime(v: Uint8Array): string | null {
  if (v.length < 13 || v.length > 24) return null;
  let s = '';
  for (const x of v) {
    if (x < 0x20 || x > 0x7e) return null;
    s += String.fromCharCode(x);
  }
  return /^\d{12,14}(\.\d+)?(Z|[+-]\d{4})?$/.test(s) ? s : null;
}

export function encodeKeyValidity(notAfter: string, notBefore?: string): Uint8Array {
  const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0x7f);
  return tlv(0x30, ...(notBefore ? [tlv(0x80, enc(notBefore))] : []), tlv(0x81, enc(notAfter)));
}

/** keyContainerContent TLV for these fields (what the MAC covers). */
export function encodeHeaderContent(f: HeaderFields): Uint8Array {
  const other = f.other ?? new Map<number, Uint8Array>();
  const parts: Uint8Array[] = [];
  for (const tag of ORDER) {
    switch (tag) {
      case 0xa0:
        parts.push(tlv(0xa0, oidTlv(f.containerAlgorithmOid), ...(f.containerAlgorithmParams ? [f.containerAlgorithmParams] : [])));
        break;
      case 0x16:
        if (f.containerName) parts.push(tlv(0x16, f.containerName));
        break;
      case 0x03:
        parts.push(tlv(0x03, f.attributesRaw));
        break;
      case 0x30:
        parts.push(tlv(0x30, tlv(0x03, f.keyAttributesRaw), encodeAlgorithmBlock(f.algorithm)));
        break;
      case 0x82:
        if (f.hmacPassword) parts.push(tlv(0x82, f.hmacPassword));
        break;
      case 0x85:
        if (f.primaryCertificate) parts.push(tlv(0x85, f.primaryCertificate));
        break;
      case 0x8a:
        parts.push(tlv(0x8a, f.primaryFP));
        break;
      case 0xac:
        if (f.extensions && f.extensions.length > 0)
          parts.push(
            tlv(
              0xac,
              ...f.extensions.map((e) => tlv(0x30, oidTlv(e.oid), ...(e.critical ? [Uint8Array.of(1, 1, 0xff)] : []), tlv(0x04, e.value))),
            ),
          );
        break;
      default: {
        const raw = other.get(tag);
        if (raw) parts.push(raw);
      }
    }
  }
  return tlv(0x30, ...parts);
}

/** Whole header.key; the container MAC is computed with the given S-box (zero key, §3.4). */
export function encodeHeader(f: HeaderFields, sbox: SBox): Uint8Array {
  const content = encodeHeaderContent(f);
  return tlv(0x30, content, tlv(0x04, mac4(new Uint8Array(32), content, sbox)));
}

export interface MacCheck {
  readonly ok: boolean;
  /** S-box that matched ('E-A' 2001, 'E-Z' 2012), null when none. */
  readonly sbox: 'E-A' | 'E-Z' | null;
  /** True when the matching S-box is the one the header's generation calls for. */
  readonly sboxMatchesGeneration: boolean;
}

export function macWithBothSboxes(key: Uint8Array, data: Uint8Array, expected: Uint8Array, want: SBox): MacCheck {
  for (const s of [want, want === SBOX_CRYPTOPRO_A ? SBOX_TC26_Z : SBOX_CRYPTOPRO_A]) {
    if (equalBytes(mac4(key, data, s), expected)) return { ok: true, sbox: s.name as 'E-A' | 'E-Z', sboxMatchesGeneration: s === want };
  }
  return { ok: false, sbox: null, sboxMatchesGeneration: false };
}

/** Container MAC: zero key over keyContainerContent; tries the generation's S-box, then the other. */
export function checkHeaderMac(h: HeaderKey): MacCheck {
  return macWithBothSboxes(new Uint8Array(32), h.contentTlv, h.hmac, h.algorithm.info.sbox);
}

/** True when the header demands a password check: [2] present and not all zero. */
export function hasPasswordMac(h: HeaderFields): boolean {
  return !!h.hmacPassword && h.hmacPassword.some((x) => x !== 0);
}

/**
 * Recent [2] values by a digest of (hash, S-box, FP, password): a scan checks one header with the
 * same passwords in several stages (pairing, verification, header rebuild), and each check is a
 * 2000-round KDF. Bounded; the digest, not the password, is the key.
 */
const recentMacs = new Map<string, Uint8Array>();
const RECENT_MACS = 4096;

function macMemoKey(pw: PasswordUnits, fp: Uint8Array, g: AlgorithmBlock['info']): string {
  const units = pw instanceof Uint16Array ? new Uint8Array(pw.buffer, pw.byteOffset, pw.byteLength) : pw;
  return hex(sha256(concat(new TextEncoder().encode(`${g.kdfHash}|${g.sbox === SBOX_TC26_Z ? 'Z' : 'A'}|${pw instanceof Uint16Array ? 16 : 8}|`), fp, units)));
}

/** The [2] value for a password: mac4(CPKDF(password, FP), 16 zero bytes). */
export function passwordMac(pw: PasswordUnits, fp: Uint8Array, g: AlgorithmBlock['info']): Uint8Array {
  const memo = macMemoKey(pw, fp, g);
  const seen = recentMacs.get(memo);
  if (seen) return seen.slice();
  const key = cpkdf(pw, fp, g.kdfHash);
  const m = mac4(key, new Uint8Array(16), g.sbox);
  key.fill(0);
  if (recentMacs.size >= RECENT_MACS) recentMacs.delete(recentMacs.keys().next().value!);
  recentMacs.set(memo, m.slice());
  return m;
}

/**
 * Password check against header [2]. `required: false` when [2] is absent or all zero (no
 * password); then `ok` says whether the given password is empty.
 */
export function checkPasswordMac(h: HeaderKey, pw: PasswordUnits): { required: boolean; ok: boolean } {
  if (!hasPasswordMac(h)) return { required: false, ok: pw.length === 0 };
  return { required: true, ok: equalBytes(passwordMac(pw, h.primaryFP, h.algorithm.info), h.hmacPassword!) };
}

/** Attribute BIT STRING contents for a new container. */
export function containerAttributes(opts: { password: boolean; reserve: boolean }): Uint8Array {
  const bits: number[] = [];
  if (opts.password) bits.push(0);
  if (opts.reserve) bits.push(1);
  return encodeBits(bits);
}

export function keyAttributes(opts: { exportable: boolean; exchange: boolean }): Uint8Array {
  const bits: number[] = [];
  if (opts.exportable) bits.push(0);
  if (opts.exchange) bits.push(2);
  return encodeBits(bits);
}

export { concat };

// X.509 certificates (DER, PEM, Base64 or inside PKCS#7), parsed structurally with pkijs. pkijs throws on malformed
// input and has no size bound, so the outer DER element is checked here first and every pkijs
// call sits in one try/catch: any bytes give a result or a typed error.
//
// For GOST keys the subjectPublicKey BIT STRING holds an OCTET STRING with LE x ‖ LE y; its first
// 8 bytes are the header.key fingerprint [10] (cryptopro-format.md §4).

import { createRequire } from 'node:module';
import type * as Pkijs from 'pkijs';
import type * as Asn1js from 'asn1js';
import { ok, fail, type Parsed } from './parsed.ts';
import { readTlv } from './der.ts';
import { generationOfOid, type Generation } from './algorithms.ts';
import { decodePemOrBase64 } from './pem.ts';
import { certificatesFromPkcs7 } from './pkcs7.ts';

// pkijs and asn1js are large CommonJS bundles (~0.1 s to load): required on the first certificate,
// not at start-up (most scans of small media meet none).
const require = createRequire(import.meta.url);
let libs: { pkijs: typeof Pkijs; asn1js: typeof Asn1js } | undefined;
const load = () => (libs ??= { pkijs: require('pkijs') as typeof Pkijs, asn1js: require('asn1js') as typeof Asn1js });

/** Largest certificate believed (real ones: < 4 KiB; with big extensions still far below). */
export const MAX_CERT_SIZE = 65536;

export interface CertificateInfo {
  /** Exact DER bytes. */
  readonly der: Uint8Array;
  /** e.g. "CN=Иванов, SN=Иван, C=RU". */
  readonly subject: string;
  readonly issuer: string;
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly signatureAlgorithmOid: string;
  readonly publicKeyAlgorithmOid: string;
  /** GOST public-key parameter set (curve OID), null for non-GOST keys. */
  readonly curveOid: string | null;
  readonly digestOid: string | null;
  /** GOST generation of the key algorithm, null for others (RSA, Kazakh GOST …). */
  readonly generation: Generation | null;
  /** GOST: LE x ‖ LE y (the OCTET STRING content); others: the BIT STRING content. */
  readonly publicKey: Uint8Array;
  /** First 8 bytes of a GOST public key = header.key primaryFP; null for non-GOST. */
  readonly fingerprint: Uint8Array | null;
  /** Subject Key Identifier extension value, when present. */
  readonly subjectKeyId: Uint8Array | null;
}

const NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'G',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'S',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '1.2.840.113549.1.9.1': 'E',
  '1.2.643.100.1': 'OGRN',
  '1.2.643.100.3': 'SNILS',
  '1.2.643.100.4': 'INNLE',
  '1.2.643.100.5': 'OGRNIP',
  '1.2.643.3.131.1.1': 'INN',
  '2.5.4.5': 'SERIALNUMBER',
};

/** How a certificate file was saved. */
export type CertificateFormat = 'der' | 'pem' | 'base64' | 'pkcs7' | 'pkcs7-pem';

/**
 * Every certificate a file holds, whichever way it was saved: DER, PEM (one or more blocks), bare
 * Base64 without BEGIN/END lines, or a PKCS#7 bundle (DER or PEM). Each entry is DER still to be
 * parsed; null when the bytes are none of these.
 */
export function certificatesIn(b: Uint8Array): { format: CertificateFormat; certificates: Uint8Array[] } | null {
  if (b[0] === 0x30) {
    const p7 = certificatesFromPkcs7(b);
    return p7.ok ? { format: 'pkcs7', certificates: p7.value } : { format: 'der', certificates: [b] };
  }
  const blocks = decodePemOrBase64(b);
  const certificates: Uint8Array[] = [];
  let bundle = false;
  for (const { der } of blocks) {
    const p7 = certificatesFromPkcs7(der);
    if (p7.ok) bundle = true;
    certificates.push(...(p7.ok ? p7.value : [der]));
  }
  if (certificates.length === 0) return null;
  return { format: bundle ? 'pkcs7-pem' : blocks[0]!.label === null ? 'base64' : 'pem', certificates };
}

/** DER, PEM or Base64 → DER bytes of the first certificate (null when none). */
export function certificateDer(b: Uint8Array): Uint8Array | null {
  return certificatesIn(b)?.certificates[0] ?? null;
}

export function parseCertificate(input: Uint8Array): Parsed<CertificateInfo> {
  const b = certificateDer(input);
  if (b === null) return fail(0, 'neither DER nor PEM certificate');
  const outer = readTlv(b, 0, 0x30, Math.min(b.length, MAX_CERT_SIZE));
  if (!outer.ok) return outer;
  const der = b.subarray(0, outer.end);
  try {
    const { pkijs, asn1js } = load();
    const asn = asn1js.fromBER(copyBuffer(der));
    if (asn.offset === -1 || asn.result.error) return fail(0, `ASN.1: ${asn.result.error || 'parse error'}`);
    const cert = new pkijs.Certificate({ schema: asn.result });
    const spki = cert.subjectPublicKeyInfo;
    const publicKeyAlgorithmOid = spki.algorithm.algorithmId;
    let curveOid: string | null = null;
    let digestOid: string | null = null;
    const params = spki.algorithm.algorithmParams as unknown;
    if (params instanceof asn1js.Sequence) {
      const [c, d] = params.valueBlock.value;
      if (c instanceof asn1js.ObjectIdentifier) curveOid = c.valueBlock.toString();
      if (d instanceof asn1js.ObjectIdentifier) digestOid = d.valueBlock.toString();
    }
    const generation = generationOfOid(publicKeyAlgorithmOid);
    const bits = new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView);
    let publicKey = bits;
    let fingerprint: Uint8Array | null = null;
    if (generation !== null) {
      const os = readTlv(bits, 0, 0x04, bits.length);
      if (!os.ok || os.end !== bits.length) return fail(0, 'GOST public key is not an OCTET STRING');
      const want = generation === 'gost2012-512' ? 128 : 64;
      if (os.value.len !== want) return fail(0, `GOST public key is ${os.value.len} bytes, expected ${want}`);
      publicKey = os.value.value.slice();
      fingerprint = publicKey.slice(0, 8);
    }
    let subjectKeyId: Uint8Array | null = null;
    for (const e of cert.extensions ?? []) {
      if (e.extnID !== '2.5.29.14') continue;
      const v = new Uint8Array(e.extnValue.valueBlock.valueHexView);
      const t = readTlv(v, 0, 0x04, v.length);
      if (t.ok) subjectKeyId = t.value.value.slice();
    }
    return ok(
      {
        der: der.slice(),
        subject: nameString(cert.subject),
        issuer: nameString(cert.issuer),
        serialHex: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
        notBefore: cert.notBefore.value,
        notAfter: cert.notAfter.value,
        signatureAlgorithmOid: cert.signatureAlgorithm.algorithmId,
        publicKeyAlgorithmOid,
        curveOid,
        digestOid,
        generation,
        publicKey,
        fingerprint,
        subjectKeyId,
      },
      outer.end,
    );
  } catch (e) {
    return fail(0, `certificate: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function copyBuffer(b: Uint8Array): ArrayBuffer {
  const ab = new ArrayBuffer(b.length);
  new Uint8Array(ab).set(b);
  return ab;
}

function nameString(n: Pkijs.RelativeDistinguishedNames): string {
  const parts: string[] = [];
  for (const tv of n.typesAndValues) {
    const key = NAMES[tv.type] ?? tv.type;
    const v = tv.value as unknown as { valueBlock?: { value?: unknown; valueHexView?: Uint8Array } };
    let s: string;
    if (typeof v.valueBlock?.value === 'string') s = v.valueBlock.value;
    else s = Buffer.from(v.valueBlock?.valueHexView ?? new Uint8Array()).toString('hex');
    parts.push(`${key}=${s}`);
  }
  // Most specific first, the way Windows and CSP show a subject.
  return parts.reverse().join(', ');
}

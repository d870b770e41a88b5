// PKCS#7 / CMS SignedData (RFC 5652 §5) as `.p7b` bundles and detached signatures carry it: the
// user's certificate with its chain in `certificates [0] IMPLICIT`. Only that field is read; BER
// (indefinite lengths) is accepted as some exporters write it, bounded like every reader here.
import { fail, ok, type Parsed } from './parsed.ts';
import { readBer, readOid, type Tlv } from './der.ts';

export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
/** Largest bundle believed (a chain of a few certificates is < 16 KiB). */
export const MAX_PKCS7 = 64 * 1024;
const MAX_CERTS = 32;

/** ContentInfo{ signedData, [0]{ SignedData } } → the DER of every certificate it carries. */
export function certificatesFromPkcs7(b: Uint8Array): Parsed<Uint8Array[]> {
  const limit = Math.min(b.length, MAX_PKCS7);
  const ci = readBer(b, 0, 0x30, limit);
  if (!ci.ok) return ci;
  const [oid, explicit] = children(b, ci.value, 2);
  const type = oid ? readOid(b, oid.start, ci.value.end) : null;
  if (!type?.ok || type.value !== OID_SIGNED_DATA) return fail(0, 'not a PKCS#7 SignedData');
  if (!explicit || explicit.tag !== 0xa0) return fail(0, 'SignedData content missing');
  const [sd] = children(b, explicit, 1);
  if (!sd || sd.tag !== 0x30) return fail(explicit.valueStart, 'SignedData is not a SEQUENCE');
  // version, digestAlgorithms, encapContentInfo, then [0] certificates when present.
  const certSet = children(b, sd, 4)[3];
  if (!certSet || certSet.tag !== 0xa0) return ok([], ci.value.end);
  const certs = children(b, certSet, MAX_CERTS).filter((c) => c.tag === 0x30 && !c.indefinite);
  return ok(certs.map((c) => c.raw.slice()), ci.value.end);
}

/** Up to `max` children of a constructed element; stops quietly at the first malformed one. */
function children(b: Uint8Array, parent: Tlv, max: number): Tlv[] {
  const out: Tlv[] = [];
  const end = parent.valueStart + parent.len;
  for (let p = parent.valueStart; p < end && out.length < max; ) {
    const t = readBer(b, p, null, end);
    if (!t.ok) break;
    out.push(t.value);
    p = t.end;
  }
  return out;
}

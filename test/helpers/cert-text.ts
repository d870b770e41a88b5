/** Certificates saved the ways users' drives hold them: PEM (any width, CRLF/LF, with or without
 * BEGIN/END lines) and PKCS#7 bundles (built here in DER, as `openssl crl2pkcs7 -nocrl` does). */
import { concat, oidTlv, tlv } from '../../src/format/der.ts';

export function pem(der: Uint8Array, opts: { label?: string; width?: number; eol?: string; armor?: boolean } = {}): Uint8Array {
  const { label = 'CERTIFICATE', width = 64, eol = '\r\n', armor = true } = opts;
  const body = Buffer.from(der).toString('base64').match(new RegExp(`.{1,${width}}`, 'g'))!;
  const lines = armor ? [`-----BEGIN ${label}-----`, ...body, `-----END ${label}-----`] : body;
  return new TextEncoder().encode(lines.join(eol) + eol);
}

/** ContentInfo{ signedData, [0]{ SignedData v1, {}, { data }, [0] certs, [1] {}, {} } }. */
export function pkcs7(...certs: Uint8Array[]): Uint8Array {
  const signedData = tlv(
    0x30,
    tlv(0x02, Uint8Array.of(1)),
    tlv(0x31),
    tlv(0x30, oidTlv('1.2.840.113549.1.7.1')),
    tlv(0xa0, concat(...certs)),
    tlv(0xa1),
    tlv(0x31),
  );
  return tlv(0x30, oidTlv('1.2.840.113549.1.7.2'), tlv(0xa0, signedData));
}

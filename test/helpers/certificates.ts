/**
 * Test certificates for fixtures: a structurally real X.509 v3 GOST certificate carrying the
 * public key of a given private key (what CryptoPro puts into header.key [5]). The signature is
 * random bytes of the right size: keycarve never verifies CA signatures, only the key binding.
 */
import { bigIntToLe } from '../../src/crypto/bytes.ts';
import { curveByOid, publicKey } from '../../src/crypto/curves.ts';
import { GENERATIONS, type Generation } from '../../src/format/algorithms.ts';
import { concat, oidTlv, tlv } from '../../src/format/der.ts';
import { seededRandom } from './containers.ts';

const SIG_OID: Record<Generation, string> = {
  gost2001: '1.2.643.2.2.3',
  'gost2012-256': '1.2.643.7.1.1.3.2',
  'gost2012-512': '1.2.643.7.1.1.3.3',
};

const utf8 = (s: string) => new TextEncoder().encode(s);
const name = (cn: string) => tlv(0x30, tlv(0x31, tlv(0x30, oidTlv('2.5.4.6'), tlv(0x13, utf8('RU')))), tlv(0x31, tlv(0x30, oidTlv('2.5.4.3'), tlv(0x0c, utf8(cn)))));
const utcTime = (d: Date) => tlv(0x17, utf8(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));

export function makeCertificate(opts: {
  generation: Generation;
  curveOid?: string;
  privateKey: bigint;
  subject: string;
  issuer?: string;
  notBefore?: Date;
  notAfter?: Date;
  seed?: number;
  /** Adds a subjectSignTool extension of this many characters, to reach real certificate sizes (~1–2 KiB). */
  padding?: number;
}): Uint8Array {
  const info = GENERATIONS[opts.generation];
  const curveOid = opts.curveOid ?? info.defaultCurveOid;
  const curve = curveByOid(curveOid)!;
  const Q = publicKey(curve, opts.privateKey);
  const pub = concat(bigIntToLe(Q.x, curve.size), bigIntToLe(Q.y, curve.size));
  const random = seededRandom(opts.seed ?? 7);
  const spki = tlv(
    0x30,
    tlv(0x30, oidTlv(info.signatureOid), tlv(0x30, oidTlv(curveOid), oidTlv(info.digestOid))),
    tlv(0x03, Uint8Array.of(0), tlv(0x04, pub)),
  );
  const sigAlg = tlv(0x30, oidTlv(SIG_OID[opts.generation]));
  const tbs = tlv(
    0x30,
    tlv(0xa0, tlv(0x02, Uint8Array.of(2))),
    tlv(0x02, concat(Uint8Array.of(0x01), random(15))),
    sigAlg,
    name(opts.issuer ?? 'keycarve test CA'),
    tlv(0x30, utcTime(opts.notBefore ?? new Date('2025-01-01T00:00:00Z')), utcTime(opts.notAfter ?? new Date('2026-04-01T00:00:00Z'))),
    name(opts.subject),
    spki,
    ...(opts.padding
      ? [tlv(0xa3, tlv(0x30, tlv(0x30, oidTlv('1.2.643.100.111'), tlv(0x04, tlv(0x0c, utf8('СКЗИ "КриптоПро CSP" '.padEnd(opts.padding, '.')))))))]
      : []),
  );
  return tlv(0x30, tbs, sigAlg, tlv(0x03, Uint8Array.of(0), random(2 * curve.size)));
}

import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePkcs12, checkPkcs12, ncaKeyIdFromName } from '../../src/format/pkcs12.ts';
import { parseCertificate } from '../../src/format/certificate.ts';
import { tlv, oidTlv, concat } from '../../src/format/der.ts';
import { eachSample, HAVE_SAMPLES, needSamples, SAMPLES_DIR } from '../helpers/samples-dir.ts';

const DIR = SAMPLES_DIR + '/danikarik_ncanode-go';
const files = HAVE_SAMPLES && existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.p12')) : [];

needSamples.describe('NCA RK PKCS#12 samples', () => {
  it('has the two files', () => expect(files.length).toBe(2));
  eachSample(files, 'each NCA .p12 sample: structure, MAC, key ids, trailing bytes', (f) =>
    it(f, () => {
      const b = new Uint8Array(readFileSync(join(DIR, f)));
      const r = parsePkcs12(b);
      if (!r.ok) throw new Error(r.why);
      expect(r.value.length).toBe(b.length);
      expect(r.value.authSafeType).toBe('data');
      expect(r.value.mac).toMatchObject({ digestOid: '1.3.14.3.2.26', iterations: 1024 });
      expect([r.value.mac?.digest.length, r.value.mac?.salt.length]).toEqual([20, 20]);
      expect(r.value.bags.map((x) => x.type)).toEqual(['pkcs8ShroudedKeyBag']);
      expect(r.value.encryptedParts).toBe(1);
      expect(r.value.note).toMatch(/password/);
      const cert = parseCertificate(new Uint8Array(readFileSync(join(DIR, f.replace(/\.p12$/, '.cer')))));
      if (!cert.ok) throw new Error(cert.why);
      const c = checkPkcs12(b, f, cert.value.subjectKeyId);
      expect(c.checks.map((x) => [x.name, x.ok])).toEqual([
        ['structure', true],
        ['file-name-key-id', true],
        ['certificate-key-id', true],
      ]);
      // a different certificate's SKI and a renamed file are caught
      const wrong = checkPkcs12(b, f.replace(/_[0-9a-f]{4}/, '_0000'), new Uint8Array(20));
      expect(wrong.checks.filter((x) => !x.ok).map((x) => x.name)).toEqual(['file-name-key-id', 'certificate-key-id']);
      // trailing bytes (a carved file that ran on) are reported, the PFX end found exactly
      const longer = concat(b, new Uint8Array(100).fill(0xaa));
      expect(checkPkcs12(longer).checks[0]).toMatchObject({ ok: false });
      expect(parsePkcs12(longer)).toMatchObject({ ok: true, end: b.length });
    }),
  );
});

describe('PKCS#12 shapes', () => {
  it('file names', () => {
    expect(ncaKeyIdFromName('/x/GOST512_' + 'AB'.repeat(20) + '.p12')).toEqual({ kind: 'GOST512', keyId: 'ab'.repeat(20) });
    expect(ncaKeyIdFromName('RSA_' + 'ab'.repeat(20) + '.p12')).toBeNull();
    expect(ncaKeyIdFromName('RSA256_' + 'ab'.repeat(19) + '.p12')).toBeNull();
  });

  const bagSeq = tlv(0x30, tlv(0x30, oidTlv('1.2.840.113549.1.12.10.1.2'), tlv(0xa0, tlv(0x30)), tlv(0x31, tlv(0x30, oidTlv('1.2.840.113549.1.9.21'), tlv(0x31, tlv(0x04, Uint8Array.of(1, 2, 3)))))));
  const data = (inner: Uint8Array): Uint8Array => tlv(0x30, oidTlv('1.2.840.113549.1.7.1'), tlv(0xa0, tlv(0x04, inner)));

  it('a fully indefinite PFX (30 80) is walked to its matching 00 00', () => {
    const auth = tlv(0x30, data(bagSeq));
    const pfxBody = concat(Uint8Array.of(2, 1, 3), data(auth));
    const pfx = concat(Uint8Array.of(0x30, 0x80), pfxBody, Uint8Array.of(0, 0));
    const r = parsePkcs12(concat(pfx, Uint8Array.of(0xff, 0xff)));
    expect(r).toMatchObject({ ok: true, end: pfx.length });
    if (r.ok) {
      expect(r.value.outerIndefinite).toBe(true);
      expect(r.value.mac).toBeNull();
      expect(Array.from(r.value.bags[0]!.localKeyId!)).toEqual([1, 2, 3]);
    }
    // every truncation fails cleanly
    for (let n = 0; n < pfx.length; n++) expect(parsePkcs12(pfx.subarray(0, n)).ok).toBe(false);
  });

  it('rejects version ≠ 3 and deep nesting without throwing', () => {
    const bad = tlv(0x30, Uint8Array.of(2, 1, 2), data(tlv(0x30)));
    expect(parsePkcs12(bad)).toMatchObject({ ok: false });
    const deep = new Uint8Array(2000);
    for (let i = 0; i < 1000; i++) deep.set([0x30, 0x80], 2 * i);
    expect(parsePkcs12(deep).ok).toBe(false);
  });
});

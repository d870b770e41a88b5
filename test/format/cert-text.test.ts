/** Issue 14.1: certificates saved as text and in PKCS#7 bundles decode to the same DER. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatesIn, parseCertificate } from '../../src/format/certificate.ts';
import { decodePemOrBase64, MAX_BASE64 } from '../../src/format/pem.ts';
import { certificatesFromPkcs7 } from '../../src/format/pkcs7.ts';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer } from '../helpers/containers.ts';
import { pem, pkcs7 } from '../helpers/cert-text.ts';
import { requireTools } from '../helpers/tools.ts';
import { tempDir } from '../e2e/helpers.ts';

const leaf = makeCertificate({ generation: 'gost2012-256', privateKey: makeContainer({ seed: 'leaf' }).privateKey, subject: 'Иванов Иван', padding: 700 });
const ca = makeCertificate({ generation: 'gost2012-256', privateKey: makeContainer({ seed: 'ca' }).privateKey, subject: 'УЦ Тест', seed: 9 });
const same = (a: Uint8Array | undefined, b: Uint8Array) => expect(Buffer.from(a ?? []).equals(Buffer.from(b))).toBe(true);

describe('certificatesIn', () => {
  it.each([
    ['PEM, 64 columns, CRLF', pem(leaf), 'pem'],
    ['PEM, 76 columns, LF', pem(leaf, { width: 76, eol: '\n' }), 'pem'],
    ['PEM, X509 CERTIFICATE label', pem(leaf, { label: 'X509 CERTIFICATE', eol: '\n' }), 'pem'],
    ['Base64 without BEGIN/END, CRLF', pem(leaf, { armor: false }), 'base64'],
    ['Base64 without BEGIN/END, 76 columns, LF', pem(leaf, { armor: false, width: 76, eol: '\n' }), 'base64'],
    ['Base64 on one line behind a BOM', Uint8Array.from([0xef, 0xbb, 0xbf, ...pem(leaf, { armor: false, width: 1 << 16 })]), 'base64'],
    ['DER', leaf, 'der'],
  ] as const)('%s gives the DER certificate', (_, bytes, format) => {
    const found = certificatesIn(bytes)!;
    expect(found.format).toBe(format);
    expect(found.certificates).toHaveLength(1);
    same(found.certificates[0], leaf);
    const p = parseCertificate(bytes);
    expect(p.ok && p.value.subject).toBe('CN=Иванов Иван, C=RU');
  });

  it('a PKCS#7 bundle, DER or PEM, gives every certificate in order', () => {
    for (const [bytes, format] of [[pkcs7(ca, leaf), 'pkcs7'], [pem(pkcs7(ca, leaf), { label: 'PKCS7' }), 'pkcs7-pem']] as const) {
      const found = certificatesIn(bytes)!;
      expect(found.format).toBe(format);
      expect(found.certificates).toHaveLength(2);
      same(found.certificates[0], ca);
      same(found.certificates[1], leaf);
    }
  });

  it('a PEM chain gives both certificates', () => {
    const chain = new Uint8Array([...pem(leaf), ...pem(ca)]);
    expect(certificatesIn(chain)!.certificates).toHaveLength(2);
  });

  it('refuses what is not Base64 of a certificate, and bodies past the bound', () => {
    expect(certificatesIn(new TextEncoder().encode('MIIhello world, this is a letter, not a certificate'))).toBeNull();
    expect(decodePemOrBase64(new TextEncoder().encode('-----BEGIN CERTIFICATE-----\r\nMII*broken*\r\n-----END CERTIFICATE-----\r\n'))).toEqual([]);
    const huge = pem(new Uint8Array(MAX_BASE64), { armor: true });
    expect(decodePemOrBase64(huge)).toEqual([]);
    expect(certificatesFromPkcs7(leaf).ok).toBe(false);
  });
});

const ssl = requireTools('openssl');
const t = tempDir();
ssl.describe('PKCS#7 made by openssl crl2pkcs7', () => {
  it('DER and PEM bundles of two certificates give both, bit for bit', () => {
    writeFileSync(join(t.dir, 'a.pem'), pem(leaf, { eol: '\n' }));
    writeFileSync(join(t.dir, 'b.pem'), pem(ca, { eol: '\n' }));
    const args = ['crl2pkcs7', '-nocrl', '-certfile', join(t.dir, 'a.pem'), '-certfile', join(t.dir, 'b.pem')];
    execFileSync('openssl', [...args, '-out', join(t.dir, 'x.p7b')]);
    execFileSync('openssl', [...args, '-outform', 'DER', '-out', join(t.dir, 'x.p7b.der')]);
    const pemP7 = certificatesIn(new Uint8Array(readFileSync(join(t.dir, 'x.p7b'))))!;
    const derP7 = certificatesIn(new Uint8Array(readFileSync(join(t.dir, 'x.p7b.der'))))!;
    expect([pemP7.format, derP7.format]).toEqual(['pkcs7-pem', 'pkcs7']);
    for (const f of [pemP7, derP7]) {
      expect(f.certificates).toHaveLength(2);
      same(f.certificates[0], leaf);
      same(f.certificates[1], ca);
    }
  });
});

/** Issue 14.1: the PEM/Base64 and PKCS#7 carvers find certificate files at a sector start, exactly. */
import { describe, expect, it } from 'vitest';
import { pemCarver } from '../../src/carve/pem.ts';
import { pkcs7Carver } from '../../src/carve/pkcs7.ts';
import type { CarverSpec } from '../../src/carve/types.ts';
import { certificatesIn } from '../../src/format/certificate.ts';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer } from '../helpers/containers.ts';
import { pem, pkcs7 } from '../helpers/cert-text.ts';

const leaf = makeCertificate({ generation: 'gost2012-256', privateKey: makeContainer({ seed: 'leaf' }).privateKey, subject: 'Иванов Иван', padding: 700 });
const ca = makeCertificate({ generation: 'gost2012-256', privateKey: makeContainer({ seed: 'ca' }).privateKey, subject: 'УЦ Тест', seed: 9 });

/** A file at sector 2 of 64 KiB of zeros (slack after it), as on a drive; what the carver gives there. */
function carveAt(carver: CarverSpec, file: Uint8Array, fill = 0) {
  const bytes = new Uint8Array(64 * 1024 + 4096).fill(fill);
  bytes.set(file, 1024);
  const anchored = carver.anchors.some((a) => a.bytes.every((x, i) => bytes[1024 + a.at + i] === x));
  return anchored ? carver.carve({ base: 1 << 20, bytes, page: 64 * 1024 }, 1024) : [];
}

describe('text certificate carvers', () => {
  it.each([
    ['PEM, 64 columns, CRLF', pem(leaf)],
    ['PEM, 76 columns, LF', pem(leaf, { width: 76, eol: '\n' })],
    ['Base64 without BEGIN/END', pem(leaf, { armor: false })],
    ['Base64 without BEGIN/END, 76 columns, LF', pem(leaf, { armor: false, width: 76, eol: '\n' })],
    ['PKCS#7 as PEM', pem(pkcs7(ca, leaf), { label: 'PKCS7' })],
    ['a PEM chain', new Uint8Array([...pem(leaf), ...pem(ca)])],
  ])('%s is carved with its exact bytes', (_, file) => {
    const [c, ...more] = carveAt(pemCarver, file);
    expect(more).toEqual([]);
    expect(c).toMatchObject({ kind: 'pem', offset: (1 << 20) + 1024 });
    expect(Buffer.from(c!.bytes).equals(Buffer.from(file))).toBe(true);
    expect(certificatesIn(c!.bytes)!.certificates.some((d) => Buffer.from(d).equals(Buffer.from(leaf)))).toBe(true);
  });

  it('PKCS#7 in DER is carved with its exact length, every certificate inside', () => {
    const file = pkcs7(ca, leaf);
    const [c] = carveAt(pkcs7Carver, file, 0xf6);
    expect(c).toMatchObject({ kind: 'pkcs7', checks: expect.arrayContaining(['pkcs7-shape', 'exact-length']) });
    expect(c!.bytes.length).toBe(file.length);
    expect(certificatesIn(c!.bytes)!.certificates).toHaveLength(2);
  });

  it('ignores text that only looks like the start of one', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(carveAt(pemCarver, enc('MIIIIIIII hello'.repeat(40)))).toEqual([]);
    expect(carveAt(pemCarver, enc('-----BEGIN CERTIFICATE-----\r\n' + 'A'.repeat(400) + '\r\n'))).toEqual([]);
    expect(carveAt(pemCarver, pem(new Uint8Array(600).fill(0x41), { armor: false }))).toEqual([]);
    expect(carveAt(pkcs7Carver, leaf)).toEqual([]);
  });
});

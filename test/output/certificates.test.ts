/**
 * certificates/ holds X.509 certificates only: DER filler that the carver's shape check lets
 * through, and `.der` files a file system names, are not certificates for a technician unless
 * they parse with a subject. Certificate files are named after the holder and the serial.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { concat, tlv } from '../../src/format/der.ts';
import { certificateFileName } from '../../src/output/write-output.ts';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer, seededRandom } from '../helpers/containers.ts';
import { mtools, scanTo, tempDir } from '../e2e/helpers.ts';
import { requireTools } from '../helpers/tools.ts';

const fat = requireTools('mkfs.vfat', 'mcopy');

const t = tempDir();
afterAll(() => t.cleanup());

const random = seededRandom('der-filler');
/** A DER SEQUENCE the x509 carver accepts (v3 tag, three elements filling it) that is no certificate. */
const x509Shaped = () =>
  tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0x02, Uint8Array.of(2))), tlv(0x02, concat(Uint8Array.of(1), random(8))), tlv(0x04, random(300))), tlv(0x30, tlv(0x05, new Uint8Array())), tlv(0x03, concat(Uint8Array.of(0), random(64))));
/** Any valid DER SEQUENCE of random elements. */
const anySequence = () => tlv(0x30, tlv(0x02, concat(Uint8Array.of(1), random(4))), tlv(0x04, random(40 + random(1)[0]!)), tlv(0x0c, new TextEncoder().encode('filler')));

const key = makeContainer({ algorithm: 'gost2012-256', seed: 'cert-only' }).privateKey;
const cert = makeCertificate({ generation: 'gost2012-256', privateKey: key, subject: 'Иванов Иван Иванович', padding: 400 });

const certificatesIn = (out: string) => readdirSync(join(out, 'certificates'));

describe('certificates/', () => {
  it('carved: 48 DER objects shaped like certificates and one certificate give exactly one file', async () => {
    const img = new Uint8Array(4 << 20);
    for (let i = 0; i < 48; i++) img.set(x509Shaped(), (i + 1) * 8192);
    img.set(cert, 60 * 8192);
    writeFileSync(join(t.dir, 'raw.img'), img);
    const out = join(t.dir, 'out-raw');
    const { report } = await scanTo(join(t.dir, 'raw.img'), out);
    expect(report.stats.candidatesByKind.x509).toBeGreaterThanOrEqual(49); // the filler did reach the analysis
    expect(report.certificates).toHaveLength(1);
    expect(certificatesIn(out)).toHaveLength(1);
    const c = report.certificates[0]!;
    expect(c.subject).toBe('CN=Иванов Иван Иванович, C=RU');
    expect(c.offset).toBe(60 * 8192);
    expect(c.path).toBe(`certificates/Иванов Иван Иванович-${c.serial}.cer`);
    expect(Buffer.from(readFileSync(join(out, c.path))).equals(Buffer.from(cert))).toBe(true);
    expect(readFileSync(join(out, 'summary.txt'), 'utf8')).toMatch(/, 1 certificates,/);
  });

  fat.it('file system: obj0NN.der filler and one real .cer give exactly one file', async () => {
    const img = join(t.dir, 'fat.img');
    execFileSync('truncate', ['-s', '8M', img]);
    execFileSync('mkfs.vfat', [img], { stdio: 'ignore' });
    for (let i = 0; i < 48; i++) {
      const f = join(t.dir, `obj${String(i).padStart(3, '0')}.der`);
      writeFileSync(f, i % 2 ? anySequence() : x509Shaped());
      mtools(img, 'mcopy', f, `::/obj${String(i).padStart(3, '0')}.der`);
    }
    writeFileSync(join(t.dir, 'ivanov.cer'), cert);
    mtools(img, 'mcopy', join(t.dir, 'ivanov.cer'), '::/ivanov.cer');
    const out = join(t.dir, 'out-fat');
    const { report } = await scanTo(img, out);
    expect(certificatesIn(out)).toHaveLength(1);
    expect(report.certificates).toHaveLength(1);
    expect(report.certificates[0]!.originalName).toBe('ivanov.cer');
    expect(report.certificates[0]!.evidence).toContain('fat-entry');
  });

  it('names a file after the CN and the serial, safely', () => {
    expect(certificateFileName('CN=Иванов Иван, O=ООО "Ромашка", C=RU', '00a1b2')).toBe('Иванов Иван-a1b2.cer');
    expect(certificateFileName('CN=a/b\\..: c, C=RU', '01')).toBe('a_b_.._ c-01.cer');
    expect(certificateFileName('CN=Ромашка, Цветы, C=RU', '7f')).toBe('Ромашка, Цветы-7f.cer'); // a comma inside the CN
    expect(certificateFileName('O=No Common Name, C=RU', '05')).toBe('No Common Name-05.cer');
    // A very long CN keeps the whole serial.
    const serial = 'ab'.repeat(20);
    expect(certificateFileName(`CN=${'Я'.repeat(300)}`, serial).endsWith(`-${serial}.cer`)).toBe(true);
  });
});

/**
 * Issue 14.1: certificates saved as text or as a PKCS#7 bundle on a FAT flash drive (mkfs.vfat +
 * mtools) serve the scan like DER ones. Two deleted containers whose header.key was overwritten:
 * one with its certificate saved as PEM with CRLF (under a name the file system does not classify,
 * so only the carver finds it), one with a PKCS#7 chain (CA first) saved under a long Cyrillic name, deleted too.
 * Both come back `verified` with a rebuilt header; the bundle keeps its name and folder, and so do
 * PKCS#12 files (issue 14.3), deleted or live.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { pem, pkcs7 } from '../helpers/cert-text.ts';
import { oidTlv, tlv } from '../../src/format/der.ts';
import { requireTools } from '../helpers/tools.ts';
import { mtools, scanTo, tempDir } from './helpers.ts';
import type { Report } from '../../src/output/report.ts';

const fat = requireTools('mkfs.vfat', 'mcopy', 'mmd', 'mdel', 'mdeltree');
const t = tempDir();
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function withCert(seed: string, name: string, subject: string) {
  const key = makeContainer({ algorithm: 'gost2012-256', seed }).privateKey;
  const cert = makeCertificate({ generation: 'gost2012-256', privateKey: key, subject, padding: 600 });
  const c = makeContainer({ algorithm: 'gost2012-256', seed, privateKey: key, certificate: cert, password: 'pw123', name });
  return { cert, files: c.files };
}
const a = withCert('pem-a', 'sidorov', 'Сидоров Сидор');
const b = withCert('p7b-b', 'petrov', 'Петров Пётр');
const ca = makeCertificate({ generation: 'gost2012-256', privateKey: makeContainer({ seed: 'ca' }).privateKey, subject: 'УЦ Тест', seed: 9 });
const aPem = pem(a.cert); // 64 columns, CRLF
const bP7b = pkcs7(ca, b.cert);
// Issue 14.3: NCA key files, one deleted, one live, in a Cyrillic folder under long names.
const P12_NAME = 'AUTH_RSA256_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567.p12';
const P12_LIVE = 'RSA256_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567.p12';
const pfx = (n: number) => tlv(0x30, tlv(0x02, Uint8Array.of(3)), tlv(0x30, oidTlv('1.2.840.113549.1.7.1'), tlv(0xa0, tlv(0x04, tlv(0x30, tlv(0x02, Uint8Array.of(n)))))));
const oldP12 = pfx(1);
const newP12 = pfx(2);
let report: Report;
let out: string;

/** Overwrites every copy of `bytes` in the image (the cluster reused by another file). */
function overwrite(img: string, bytes: Uint8Array): number {
  const disk = readFileSync(img);
  let n = 0;
  for (let at = disk.indexOf(bytes); at >= 0; at = disk.indexOf(bytes, at + 1), n++) disk.fill(0x5a, at, at + bytes.length);
  writeFileSync(img, disk);
  return n;
}

beforeAll(async () => {
  if (!fat.ok) return;
  const img = join(t.dir, 'text-certs.img');
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-n', 'CERTS', img], { stdio: 'ignore' });
  const stage = join(t.dir, 'stage');
  mkdirSync(stage);
  for (const [folder, files] of [['sidorov.000', a.files], ['petrov.000', b.files]] as const) {
    const dir = writeContainerDir(join(stage, folder), files);
    mtools(img, 'mmd', `::/${folder}`);
    for (const n of readdirSync(dir)) mtools(img, 'mcopy', join(dir, n), `::/${folder}/${n}`);
  }
  writeFileSync(join(stage, 'сертификат.txt'), aPem);
  mtools(img, 'mcopy', join(stage, 'сертификат.txt'), '::/сертификат.txt');
  writeFileSync(join(stage, 'Цепочка Петрова.p7b'), bP7b);
  mtools(img, 'mmd', '::/ЭЦП');
  mtools(img, 'mmd', '::/ЭЦП/Петров');
  mtools(img, 'mcopy', join(stage, 'Цепочка Петрова.p7b'), '::/ЭЦП/Петров/Цепочка Петрова.p7b');
  writeFileSync(join(stage, 'old.p12'), oldP12);
  writeFileSync(join(stage, 'live.p12'), newP12);
  mtools(img, 'mcopy', join(stage, 'old.p12'), `::/ЭЦП/Петров/${P12_NAME}`);
  mtools(img, 'mcopy', join(stage, 'live.p12'), `::/ЭЦП/Петров/${P12_LIVE}`);
  // Nothing is written after the deletions: mtools would reuse the freed clusters first.
  mtools(img, 'mdeltree', '::/sidorov.000');
  mtools(img, 'mdeltree', '::/petrov.000');
  mtools(img, 'mdel', '::/ЭЦП/Петров/Цепочка Петрова.p7b');
  mtools(img, 'mdel', `::/ЭЦП/Петров/${P12_NAME}`);
  for (const f of [a.files, b.files]) expect(overwrite(img, f['header.key']!)).toBe(1);
  out = join(t.dir, 'out');
  ({ report } = await scanTo(img, out, { passwords: ['pw123'] }));
}, 120_000);

fat.describe('certificates saved as PEM or PKCS#7, and PKCS#12 names, on a FAT drive', () => {
  it.each([
    ['PEM with CRLF, carved', 'sidorov', () => a],
    ['a deleted PKCS#7 chain', 'petrov', () => b],
  ])('%s: the deleted container with an overwritten header comes back verified', (_, name, get) => {
    const { files, cert } = get();
    const c = report.containers.find((x) => x.files['masks.key']?.sha256 === sha(files['masks.key']!))!;
    expect(c, JSON.stringify(report.containers.map((x) => [x.dir, x.status, x.problems]))).toBeDefined();
    expect(c).toMatchObject({ status: 'verified', dir: `containers/${name}.000`, deleted: true });
    expect(c.problems.join('\n')).toMatch(/header rebuilt from certificate/);
    const header = readFileSync(join(out, c.dir, 'header.key'));
    expect(Buffer.from(header).equals(Buffer.from(files['header.key']!)), 'rebuilt header byte for byte').toBe(true);
    expect(report.certificates.some((x) => x.subject.includes(name === 'sidorov' ? 'Сидоров' : 'Петров'))).toBe(true);
    void cert;
  });

  it('lists the PEM file as found, and every certificate of the bundle under its name and folder', () => {
    const p = report.certificates.find((x) => x.sha256 === sha(aPem))!;
    expect(p).toMatchObject({ format: 'pem', evidence: ['carved'], originalPath: null, deleted: null, size: aPem.length });
    expect(readFileSync(join(out, p.path)).equals(Buffer.from(aPem))).toBe(true);
    const bundle = report.certificates.filter((x) => x.sha256 === sha(bP7b));
    expect(bundle.map((x) => x.subject)).toEqual(['CN=УЦ Тест, C=RU', 'CN=Петров Пётр, C=RU']);
    for (const x of bundle) expect(x).toMatchObject({ path: 'certificates/ЭЦП/Петров/Цепочка Петрова.p7b', originalPath: '/ЭЦП/Петров/Цепочка Петрова.p7b', deleted: true, format: 'pkcs7' });
    expect(readFileSync(join(out, bundle[0]!.path)).equals(Buffer.from(bP7b))).toBe(true);
  });

  it('writes PKCS#12 files, deleted or live, under their long names and Cyrillic folder', () => {
    const live = report.pkcs12.find((x) => x.sha256 === sha(newP12))!;
    const dead = report.pkcs12.find((x) => x.sha256 === sha(oldP12))!;
    expect(live).toMatchObject({ path: `pkcs12/ЭЦП/Петров/${P12_LIVE}`, originalPath: `/ЭЦП/Петров/${P12_LIVE}`, deleted: false });
    expect(dead).toMatchObject({ path: `pkcs12/ЭЦП/Петров/${P12_NAME}`, originalPath: `/ЭЦП/Петров/${P12_NAME}`, deleted: true });
    expect(dead.evidence).toEqual(expect.arrayContaining(['fat-entry', 'carved']));
    for (const [p, bytes] of [[live, newP12], [dead, oldP12]] as const) expect(readFileSync(join(out, p.path)).equals(Buffer.from(bytes))).toBe(true);
  });
});

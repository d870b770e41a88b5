/**
 * exFAT through the whole scan (issue 4): a flash drive formatted exFAT (mkfs.exfat, files written
 * and deleted through exfat-fuse) holding a deleted container, a live one, and PKCS#12 key files
 * made by openssl with NCA-style names (AUTH_RSA256_<key id>.p12) and a certificate. Then the same
 * drive after a quick format: the PKCS#12 files and containers are still carved.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { cleanupAll, EXFAT_TOOLS, mkfs, withMount } from '../fs/exfat/helpers.ts';
import { requireTools } from '../helpers/tools.ts';
import { scanTo, tempDir } from './helpers.ts';
import type { Report } from '../../src/output/report.ts';

const exfat = requireTools(...EXFAT_TOOLS, 'openssl');
const t = tempDir();
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const dead = makeContainer({ algorithm: 'gost2012-256', seed: 'exfat-dead', name: 'dead', password: 'Qwerty12' });
const live = makeContainer({ algorithm: 'gost2001', seed: 'exfat-live', name: 'live' });
let p12: Uint8Array;
let cer: Uint8Array;
let p12b: Uint8Array;
let pem: Uint8Array;
const OWNER = 'ЭЦП/Иванов Иван Иванович';
// openssl sets the bags' localKeyID to SHA-1 of the certificate; NCA names the file after it.
let P12_NAME = '';
let keyId = '';
let before: Report;
let after: Report;

beforeAll(async () => {
  if (!exfat.ok) return;
  // A real PKCS#12 made by openssl (RSA, like NCA's AUTH_RSA256 keys) with its certificate.
  const k = join(t.dir, 'key.pem');
  const c = join(t.dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', k, '-out', c, '-days', '365', '-subj', '/CN=TEST NCA/C=KZ'], { stdio: 'ignore' });
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', k, '-in', c, '-out', join(t.dir, 'x.p12'), '-passout', 'pass:Qwerty12'], { stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-in', c, '-outform', 'DER', '-out', join(t.dir, 'x.cer')]);
  // A second export of the same key (new salt, other bytes), saved the NCA way and then deleted.
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', k, '-in', c, '-out', join(t.dir, 'y.p12'), '-passout', 'pass:Qwerty12'], { stdio: 'ignore' });
  p12 = new Uint8Array(readFileSync(join(t.dir, 'x.p12')));
  p12b = new Uint8Array(readFileSync(join(t.dir, 'y.p12')));
  pem = new Uint8Array(readFileSync(c));
  cer = new Uint8Array(readFileSync(join(t.dir, 'x.cer')));
  keyId = createHash('sha1').update(cer).digest('hex');
  P12_NAME = `AUTH_RSA256_${keyId}.p12`;

  const img = join(t.dir, 'exfat.img');
  mkfs(img, 32);
  await withMount(img, join(t.dir, 'mnt'), (m) => {
    writeContainerDir(join(m, 'dead.000'), dead.files);
    writeContainerDir(join(m, 'Ключи', 'live.000'), live.files);
    mkdirSync(join(m, 'NCA'));
    writeFileSync(join(m, 'NCA', P12_NAME), p12);
    writeFileSync(join(m, 'NCA', 'cert.cer'), cer);
    mkdirSync(join(m, OWNER), { recursive: true });
    writeFileSync(join(m, OWNER, P12_NAME), p12b);
    writeFileSync(join(m, OWNER, 'Сертификат Иванова.cer'), pem);
  });
  await withMount(img, join(t.dir, 'mnt'), (m) => {
    rmSync(join(m, 'dead.000'), { recursive: true });
    rmSync(join(m, 'ЭЦП'), { recursive: true });
  });
  ({ report: before } = await scanTo(img, join(t.dir, 'out1'), { passwords: ['Qwerty12'] }));
  mkfs(img, 32); // quick format over the same data
  ({ report: after } = await scanTo(img, join(t.dir, 'out2'), { passwords: ['Qwerty12'] }));
}, 180_000);
afterAll(() => cleanupAll());

exfat.describe('scan of an exFAT drive with containers and PKCS#12 files', () => {
  it('recovers the deleted and the live container, verified and bit-exact, under their folders', () => {
    expect(before.volumes.map((v) => v.type)).toEqual(['exfat']);
    const d = before.containers.find((c) => c.dir === 'containers/dead.000')!;
    expect(d).toMatchObject({ status: 'verified', deleted: true, password: 0 });
    expect(d.evidence).toContain('exfat-entry');
    const l = before.containers.find((c) => c.dir === 'containers/Ключи/live.000')!;
    expect(l).toMatchObject({ status: 'verified', deleted: false });
    for (const [c, files] of [[d, dead.files], [l, live.files]] as const)
      for (const [n, b] of Object.entries(files)) expect(readFileSync(join(t.dir, 'out1', c.dir, n)).equals(Buffer.from(b)), `${c.dir}/${n}`).toBe(true);
  });

  it('writes the PKCS#12 file under its original name with the NCA key id, and the certificate', () => {
    const p = before.pkcs12.find((x) => x.path === `pkcs12/NCA/${P12_NAME}`)!;
    expect(p).toMatchObject({ originalPath: `/NCA/${P12_NAME}`, deleted: false });
    expect(p.sha256).toBe(sha(p12));
    expect(p.evidence).toEqual(expect.arrayContaining(['exfat-entry', 'carved']));
    expect(p.keyId).toBe(keyId);
    expect(p.checks.map((c) => [c.name, c.ok])).toEqual([['structure', true], ['file-name-key-id', true]]);
    expect(p.problems).toEqual([]);
    expect(readFileSync(join(t.dir, 'out1', p.path)).equals(Buffer.from(p12))).toBe(true);
    const c = before.certificates.find((x) => x.sha256 === sha(cer))!;
    expect(c).toMatchObject({ path: 'certificates/NCA/cert.cer', originalPath: '/NCA/cert.cer', deleted: false, format: 'der' });
    expect(c.subject).toMatch(/TEST NCA/);
  });

  it('gives a deleted PKCS#12 file and PEM certificate back under their names and Cyrillic folders', () => {
    const p = before.pkcs12.find((x) => x.sha256 === sha(p12b))!;
    expect(p).toMatchObject({ path: `pkcs12/${OWNER}/${P12_NAME}`, originalPath: `/${OWNER}/${P12_NAME}`, deleted: true, keyId });
    expect(readFileSync(join(t.dir, 'out1', p.path)).equals(Buffer.from(p12b))).toBe(true);
    const c = before.certificates.find((x) => x.sha256 === sha(pem))!;
    expect(c).toMatchObject({ path: `certificates/${OWNER}/Сертификат Иванова.cer`, deleted: true, format: 'pem' });
    expect(c.evidence).toEqual(expect.arrayContaining(['exfat-entry', 'carved']));
  });

  it('after a quick format still carves the PKCS#12 bytes and both containers', () => {
    expect(after.pkcs12.map((x) => x.sha256)).toContain(sha(p12));
    for (const files of [dead.files, live.files]) {
      const c = after.containers.find((x) => x.files['masks.key']?.sha256 === sha(files['masks.key']!));
      expect(c?.status).toBe('verified');
    }
  });
});

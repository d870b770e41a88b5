/**
 * Issue 8: header.key rebuilt from the certificate — by `keycarve fix-header` on a folder, and by
 * the scan for a container whose header is damaged but whose key matches a recovered certificate.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { fixHeaderCommand } from '../../src/cli/fix-header.ts';
import { verifyCommand } from '../../src/cli/verify.ts';
import { pem, pkcs7 } from '../helpers/cert-text.ts';
import { requireTools } from '../helpers/tools.ts';
import { mtools, scanTo, tempDir } from './helpers.ts';

const fat = requireTools('mkfs.vfat', 'mcopy', 'mmd', 'mdeltree');
const t = tempDir();
const io = () => {
  const lines: string[] = [];
  return { lines, io: { stdout: { write: (s: string) => lines.push(s) }, stderr: { write: (s: string) => lines.push(s) } } };
};

const key = makeContainer({ algorithm: 'gost2012-256', seed: 'fh' }).privateKey;
const cert = makeCertificate({ generation: 'gost2012-256', privateKey: key, subject: 'Петров Пётр', padding: 600 });
const good = makeContainer({ algorithm: 'gost2012-256', seed: 'fh', privateKey: key, certificate: cert, password: 'pw123', name: 'petrov', keyValidity: '20270101000000Z' });

describe('fix-header', () => {
  it('rebuilds a corrupted header byte for byte from the certificate, into a copy', async () => {
    const dir = writeContainerDir(join(t.dir, 'broken.000'), good.files);
    const h = readFileSync(join(dir, 'header.key'));
    h[60]! ^= 0xff;
    writeFileSync(join(dir, 'header.key'), h);
    writeFileSync(join(t.dir, 'cert.cer'), cert);
    const o = io();
    const rc = await fixHeaderCommand(dir, { cert: join(t.dir, 'cert.cer'), password: ['pw123'], out: join(t.dir, 'fixed.000') }, o.io);
    expect(rc, o.lines.join('\n')).toBe(0);
    expect(Buffer.from(readFileSync(join(t.dir, 'fixed.000/header.key'))).equals(Buffer.from(good.files['header.key']!))).toBe(true);
    expect(readFileSync(join(dir, 'header.key')).equals(h)).toBe(true); // the original is untouched
  });

  it('rebuilds a missing header in place, keeping nothing overwritten', async () => {
    const files = { ...good.files };
    delete files['header.key'];
    const dir = writeContainerDir(join(t.dir, 'noheader.000'), files);
    const o = io();
    expect(await fixHeaderCommand(dir, { cert: join(t.dir, 'cert.cer'), password: ['pw123'], inPlace: true }, o.io)).toBe(0);
    expect(existsSync(join(dir, 'header.key'))).toBe(true);
  });

  it('takes the certificate as Base64 without BEGIN/END lines, or inside a PKCS#7 chain (CA first)', async () => {
    const ca = makeCertificate({ generation: 'gost2012-256', privateKey: makeContainer({ seed: 'ca' }).privateKey, subject: 'УЦ', seed: 9 });
    const files = { ...good.files, 'header.key': good.files['header.key']!.slice() };
    files['header.key'][60]! ^= 0xff;
    for (const [n, bytes] of [['cert.txt', pem(cert, { armor: false, width: 76, eol: '\n' })], ['chain.p7b', pkcs7(ca, cert)], ['chain-pem.p7b', pem(pkcs7(ca, cert), { label: 'PKCS7' })]] as const) {
      writeFileSync(join(t.dir, n), bytes);
      const dir = writeContainerDir(join(t.dir, `from-${n}`), files);
      const o = io();
      expect(await fixHeaderCommand(dir, { cert: join(t.dir, n), password: ['pw123'], out: join(t.dir, `fixed-${n}`) }, o.io), o.lines.join('\n')).toBe(0);
      expect(Buffer.from(readFileSync(join(t.dir, `fixed-${n}/header.key`))).equals(Buffer.from(good.files['header.key']!)), n).toBe(true);
      const v = io();
      expect(await verifyCommand(join(t.dir, `fixed-${n}`), { password: ['pw123'], cert: join(t.dir, n) }, v.io), v.lines.join('\n')).toBe(0);
      expect(v.lines.join('\n')).toMatch(/Certificate: CN=Петров Пётр.*given file/);
    }
  });

  it('refuses a certificate whose key does not match, and says why', async () => {
    const other = makeCertificate({ generation: 'gost2012-256', privateKey: makeContainer({ seed: 'x' }).privateKey, subject: 'Чужой' });
    writeFileSync(join(t.dir, 'other.cer'), other);
    const o = io();
    const rc = await fixHeaderCommand(join(t.dir, 'broken.000'), { cert: join(t.dir, 'other.cer'), password: ['pw123'], out: join(t.dir, 'never') }, o.io);
    expect(rc).toBe(1);
    expect(o.lines.join('\n')).toMatch(/not the certificate key/);
    expect(existsSync(join(t.dir, 'never'))).toBe(false);
  });

  it('refuses to run without --out or --in-place', async () => {
    const o = io();
    expect(await fixHeaderCommand(join(t.dir, 'broken.000'), { cert: join(t.dir, 'cert.cer'), password: [] }, o.io)).toBe(2);
  });
});

fat.describe('scan rebuilds a damaged header from a recovered certificate', () => {
  it('reports the container verified with the problem named', async () => {
    const img = join(t.dir, 'fh.img');
    execFileSync('truncate', ['-s', '16M', img]);
    execFileSync('mkfs.vfat', ['-F', '16', '-n', 'FH', img], { stdio: 'ignore' });
    const files = { ...good.files };
    const h = files['header.key']!.slice();
    h[70]! ^= 0x55; // a bad sector's worth of damage inside the header
    files['header.key'] = h;
    const dir = writeContainerDir(join(t.dir, 'stage/petrov.000'), files);
    mtools(img, 'mmd', '::/petrov.000');
    for (const n of readdirSync(dir)) mtools(img, 'mcopy', join(dir, n), `::/petrov.000/${n}`);
    writeFileSync(join(t.dir, 'stage/PETROV.CER'), cert);
    mtools(img, 'mcopy', join(t.dir, 'stage/PETROV.CER'), '::/PETROV.CER');
    mtools(img, 'mdeltree', '::/petrov.000');
    const out = join(t.dir, 'fh-out');
    const { report } = await scanTo(img, out, { passwords: ['pw123'] });
    const c = report.containers.find((x) => x.dir === 'containers/petrov.000')!;
    expect(c.status).toBe('verified');
    expect(c.problems.join('\n')).toMatch(/header rebuilt from certificate/);
    expect(Buffer.from(readFileSync(join(out, c.dir, 'header.key'))).equals(Buffer.from(good.files['header.key']!))).toBe(true);
    expect(report.loose.some((l) => l.kind === 'header')).toBe(true);
  });
});

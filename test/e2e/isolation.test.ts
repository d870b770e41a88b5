/**
 * Nothing outside --out (issue 11): every command runs with TMPDIR, HOME and the working directory
 * at empty folders; afterwards they are still empty and the source is byte-identical. A transpile
 * cache, a lock file or a stray log anywhere but --out fails this.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { regFile } from '../helpers/reg-export.ts';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/keycarve.cjs');
const t = tempDir();
const [tmp, home, cwd, src, out] = ['tmp', 'home', 'cwd', 'src', 'out'].map((d) => join(t.dir, d)) as [string, string, string, string, string];
const img = join(src, 'demo.img');
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
let imgSha = '';

const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp, HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
  });

// A container with a certificate for verify and fix-header, its header damaged.
const key = makeContainer({ algorithm: 'gost2012-256', seed: 'iso' }).privateKey;
const cert = makeCertificate({ generation: 'gost2012-256', privateKey: key, subject: 'Isolation', padding: 100 });
const box = makeContainer({ algorithm: 'gost2012-256', seed: 'iso', privateKey: key, certificate: cert, password: 'pw', name: 'iso' });

beforeAll(() => {
  for (const d of [tmp, home, cwd, src, out]) mkdirSync(d);
  writeFileSync(img, gunzipSync(readFileSync(join(root, 'samples/demo.img.gz'))));
  const dir = writeContainerDir(join(src, 'iso.000'), box.files);
  const h = readFileSync(join(dir, 'header.key'));
  h[60]! ^= 0xff;
  writeFileSync(join(dir, 'header.key'), h);
  writeFileSync(join(src, 'iso.cer'), cert);
  writeContainerDir(join(src, 'pw.000'), makeContainer({ algorithm: 'gost2012-256', seed: 'pw', password: '42', name: 'pw' }).files);
  writeFileSync(join(src, 'keys.reg'), regFile([{ path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\reg', values: makeContainer({ seed: 'reg', name: 'reg' }).files }], '5.00'));
  imgSha = sha(img);
});
afterAll(() => t.cleanup());

describe('nothing is written outside --out', () => {
  const commands: [string, () => string[]][] = [
    ['--version', () => ['--version']],
    ['--help', () => ['--help']],
    ['scan', () => ['scan', img, '--out', join(out, 'scan'), '--password', 'Qwerty12', '--quiet']],
    ['scan --quick', () => ['scan', img, '--out', join(out, 'quick'), '--quick', '--quiet']],
    ['verify', () => ['verify', join(src, 'iso.000'), '--password', 'pw', '--cert', join(src, 'iso.cer')]],
    ['fix-header', () => ['fix-header', join(src, 'iso.000'), '--cert', join(src, 'iso.cer'), '--password', 'pw', '--out', join(out, 'fixed.000')]],
    ['assemble', () => ['assemble', join(src, 'iso.000'), join(src, 'iso.cer'), '--out', join(out, 'assembled'), '--password', 'pw', '--quiet']],
    ['assemble .reg', () => ['assemble', join(src, 'keys.reg'), '--out', join(out, 'assembled-reg'), '--quiet']],
    ['image', () => ['image', img, join(out, 'copy.img'), '--map', join(out, 'copy.map')]],
    ['devices', () => ['devices', '--json']],
    ['password', () => ['password', join(src, 'pw.000'), '--mask', '?d?d', '--no-likely', '--variants', 'none', '--jobs', '2', '--state', join(out, 'pw.state')]],
  ];
  for (const [name, args] of commands) {
    it(name, () => {
      const r = run(...args());
      // verify of a damaged header reports a problem (exit 1); every other command succeeds.
      expect(r.status, r.stderr).toBe(name === 'verify' ? 1 : 0);
      expect({ tmp: readdirSync(tmp), home: readdirSync(home), cwd: readdirSync(cwd) }).toEqual({ tmp: [], home: [], cwd: [] });
      expect(sha(img)).toBe(imgSha);
    });
  }

  it('the copy made by image is the source, and the sources folder gained nothing', () => {
    expect(sha(join(out, 'copy.img'))).toBe(imgSha);
    expect(readdirSync(src).sort()).toEqual(['demo.img', 'iso.000', 'iso.cer', 'keys.reg', 'pw.000']);
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCommand } from '../../src/cli/verify.ts';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { MANIFEST, needSamples, SAMPLES } from './samples.ts';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'keycarve-verify-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(dir: string, opts: { password?: string[]; cert?: string; json?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await verifyCommand(dir, { password: opts.password ?? [], cert: opts.cert, json: opts.json }, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(''), err: err.join('') };
}

describe('keycarve verify', () => {
  it('verified container: exit 0, human output with checks and verdict', async () => {
    const c = makeContainer({ password: 'pw', name: 'Иванов', keyValidity: '20300101000000Z' });
    const dir = writeContainerDir(join(tmp, 'ok.000'), c.files);
    const r = await run(dir, { password: ['pw'] });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Name:        Иванов');
    expect(r.out).toContain('gost2012-256');
    expect(r.out).toContain('Password:    required');
    expect(r.out).toMatch(/✓ header-mac/);
    expect(r.out).toMatch(/✓ key-fingerprint/);
    expect(r.out).toContain('VERIFIED');
  });

  it('without the password: intact, exit 0', async () => {
    const dir = writeContainerDir(join(tmp, 'nopw.000'), makeContainer({ password: 'pw', seed: 2 }).files);
    const r = await run(dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('INTACT');
  });

  it('a flipped byte: exit 1, ✗ and the file named', async () => {
    const c = makeContainer({ seed: 3 });
    const m = c.files['masks2.key']!.slice();
    m[20]! ^= 4;
    const dir = writeContainerDir(join(tmp, 'bad.000'), { ...c.files, 'masks2.key': m });
    const r = await run(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ masks2-mac\s+masks2.key/);
    expect(r.out).toContain('PARTIAL');
  });

  it('--json never contains the private key', async () => {
    const c = makeContainer({ seed: 4 });
    const dir = writeContainerDir(join(tmp, 'json.000'), c.files);
    const r = await run(dir, { json: true });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.status).toBe('verified');
    expect(j.privateKey).toBeUndefined();
    expect(r.out).not.toContain(c.privateKey.toString(16));
    expect(r.out).not.toContain(c.privateKey.toString(10));
  });

  it('upper-case FAT names are found; unreadable dir exits 1; missing cert exits 1', async () => {
    const c = makeContainer({ seed: 5 });
    const dir = join(tmp, 'UPPER.000');
    writeContainerDir(dir, Object.fromEntries(Object.entries(c.files).map(([k, v]) => [k.toUpperCase(), v])));
    expect((await run(dir)).code).toBe(0);
    expect((await run(join(tmp, 'does-not-exist'))).code).toBe(1);
    expect((await run(dir, { cert: join(tmp, 'nope.cer') })).code).toBe(1);
    const notDir = join(tmp, 'file');
    writeFileSync(notDir, 'x');
    expect((await run(notDir)).code).toBe(1);
  });

  needSamples.it('sample with a loose certificate', async () => {
    const e = MANIFEST.find((x) => x.container.includes('bundle-pin'))!;
    const r = await run(join(SAMPLES, e.container), { password: [e.password], cert: join(SAMPLES, 'dbfun_cryptopro/bundle-pin/certificate.cer') });
    expect(r.code).toBe(0);
    expect(r.out).toContain('CN=Иванов');
    expect(r.out).toMatch(/✓ key-certificate/);
    expect(readFileSync(join(SAMPLES, e.container, 'name.key')).length).toBeGreaterThan(0);
  });
});

/**
 * `keycarve password` end to end on the writer's containers, a cp1251 wordlist, an openssl PFX and
 * the NCA sample PFX (read in place): found by mask, wordlist, layout and Caps variants and the
 * built-in list; not found exits 1 with the count; --resume continues from the --state file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { passwordCommand, type PasswordOptions } from '../../src/cli/password.ts';
import { encodeCp1251 } from '../../src/format/name-key.ts';
import { parsePkcs12 } from '../../src/format/pkcs12.ts';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { requireTools } from '../helpers/tools.ts';
import { needSamples, SAMPLES_DIR } from '../helpers/samples-dir.ts';
import { tempDir } from '../e2e/helpers.ts';

const t = tempDir();
afterAll(() => t.cleanup());

async function run(target: string, o: Partial<PasswordOptions>) {
  let out = '';
  let err = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  const code = await passwordCommand(target, { candidate: [], wordlist: [], mask: [], jobs: 1, ...o }, io);
  return { code, out, err };
}

let n = 0;
const container = (password: string, algorithm: 'gost2012-256' | 'gost2001' = 'gost2012-256') =>
  writeContainerDir(join(t.dir, `c${n++}.000`), makeContainer({ algorithm, password, seed: password }).files);

describe('keycarve password on containers', () => {
  it('finds a password from a mask, on two worker threads, and proves it', async () => {
    const dir = container('Ivanov0042');
    const r = await run(dir, { mask: ['Ivanov00?d?d'], variants: 'none', likely: false, jobs: 2, json: true });
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.password).toBe('Ivanov0042');
    expect(j.container.status).toBe('verified');
    expect(j.container.checks.some((c: { name: string; ok: boolean }) => c.name === 'key-fingerprint' && c.ok)).toBe(true);
  });

  it('finds a Cyrillic password from a cp1251 wordlist', async () => {
    const dir = container('пароль2024');
    const list = join(t.dir, 'words-cp1251.txt');
    writeFileSync(list, encodeCp1251('нет\r\nпароль2024\r\nещё\r\n')!);
    const r = await run(dir, { wordlist: [list], likely: false });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Password found: пароль2024');
    expect(r.out).toContain('VERIFIED');
  });

  it('finds Qwerty12 typed in the Russian layout, and sECRET7 typed with Caps Lock on', async () => {
    expect((await run(container('Qwerty12'), { candidate: ['Йцукен12'], likely: false })).out).toContain('Password found: Qwerty12');
    expect((await run(container('sECRET7', 'gost2001'), { candidate: ['Secret7'], likely: false, variants: 'caps' })).out).toContain('Password found: sECRET7');
  });

  it('finds a default token PIN with no options at all', async () => {
    const r = await run(container('1234567890'), {});
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Password found: 1234567890');
  });

  it('not found: exit 1 with the count tried; --resume continues from --state', async () => {
    const dir = container('not-in-the-space');
    const state = join(t.dir, 'search.state');
    const o = { mask: ['?d?d'], variants: 'none', likely: false, state };
    const first = await run(dir, o);
    expect(first.code).toBe(1);
    expect(first.out).toContain('Password not found: 101 candidates tried');
    expect(JSON.parse(readFileSync(state, 'utf8')).done).toBe(101);
    expect(readFileSync(state, 'utf8')).not.toContain('not-in-the-space');
    const again = await run(dir, { ...o, resume: true });
    expect(again.out).toContain('Password not found: 101 candidates tried');
    const other = await run(dir, { ...o, mask: ['?d'], resume: true });
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/--state .* another target or other candidates/);
    expect((await run(dir, { resume: true })).code).toBe(2);
  });

  it('a bad mask is a usage error; a folder without key files could not run', async () => {
    expect((await run(container('x'), { mask: ['?x'] })).code).toBe(2);
    const r = await run(t.dir, {});
    expect(r.code).toBe(1);
    expect(r.err).toContain('holds no CryptoPro key files');
  });
});

describe('keycarve password on PKCS#12', () => {
  const nca = '/work/shared/samples/danikarik_ncanode-go/AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790.p12';
  it.skipIf(!existsSync(nca))('the NCA sample (read in place) opens with Qwerty12 typed as Йцукен12', async () => {
    const r = await run(nca, { candidate: ['Йцукен12'], likely: false });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Password found: Qwerty12');
  });

  // The Kazakh GOST key's PFX is MACed with SHA-1 HMAC like the RSA ones (cryptopro-format.md §9):
  // its password is found by the same check, no GOST digest involved.
  needSamples.it('the NCA GOSTKNCA sample (read in place, SHA-1 MAC) is found from a mask', async () => {
    const p12 = join(SAMPLES_DIR, 'danikarik_ncanode-go/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12');
    const info = parsePkcs12(new Uint8Array(readFileSync(p12)));
    expect(info.ok && info.value.mac?.digestOid).toBe('1.3.14.3.2.26');
    const r = await run(p12, { mask: ['Qwerty?d?d'], likely: false, variants: 'none' });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Password found: Qwerty12');
  });

  const ssl = requireTools('openssl');
  ssl.it('an openssl PFX is found from a mask', async () => {
    const key = join(t.dir, 'k.pem');
    const crt = join(t.dir, 'c.pem');
    const pfx = join(t.dir, 'x.p12');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', key, '-out', crt, '-subj', '/CN=t', '-days', '1'], { stdio: 'ignore' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', crt, '-out', pfx, '-passout', 'pass:Ivanov2019'], { stdio: 'ignore' });
    const r = await run(pfx, { mask: ['Ivanov20?d?d'], likely: false, variants: 'none' });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Password found: Ivanov2019');
  });
});

describe('scan tries the built-in likely list', () => {
  it('the demo container locked with Qwerty12 comes out verified with no --password given', async () => {
    const { gunzipSync } = await import('node:zlib');
    const { scanTo } = await import('../e2e/helpers.ts');
    const img = join(t.dir, 'demo.img');
    writeFileSync(img, gunzipSync(readFileSync(join(import.meta.dirname, '../../samples/demo.img.gz'))));
    const out = join(t.dir, 'scan-out');
    await scanTo(img, out, { passwords: [] });
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { containers: { status: string; password: number | null; passwordVariant: string | null; originalPath: string | null }[] };
    const ivanov = report.containers.find((c) => c.originalPath?.endsWith('ivanov01.000'));
    expect(ivanov).toMatchObject({ status: 'verified', password: null, passwordVariant: 'likely' });
  });
});

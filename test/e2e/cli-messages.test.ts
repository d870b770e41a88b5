/**
 * What a technician reads when something is wrong: one line naming the path and what to do, and
 * the exit-code rule of src/cli/main.ts (1 could not run, 2 usage). Plus password files in the
 * encodings editors write, end to end on the demo image (the unit test covers every combination).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encodeCp1251 } from '../../src/format/name-key.ts';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/keycarve.cjs');
const t = tempDir();
const img = join(t.dir, 'demo.img');
// The timeout only stops a hang from stalling the suite; a hang fails the status check.
// Async so that the checks of one describe run side by side (each start-up costs a second or two).
const run = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = execFile(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 }, (_e, stdout, stderr) => done({ status: child.exitCode, stdout, stderr }));
  });
const oneLine = (s: string) => expect(s.trim().split('\n'), s).toHaveLength(1);
const verified = (stdout: string) => (JSON.parse(stdout) as { containers: { status: string }[] }).containers.filter((c) => c.status === 'verified').length;

/** A tmpfs mounted for the test (root only); null when this machine will not let us mount. */
function tmpfs(name: string, options: string): string | null {
  const dir = join(t.dir, name);
  mkdirSync(dir, { recursive: true }); // at collection time, before tempDir's beforeAll
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'keycarve-test', dir], { stdio: 'ignore' }).status === 0 ? dir : null;
}
const mounts: string[] = [];

beforeAll(() => writeFileSync(img, gunzipSync(readFileSync(join(root, 'samples/demo.img.gz')))));
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  t.cleanup();
});

describe.concurrent('--out that cannot hold the results fails fast, before the medium is read', () => {
  for (const out of ['/proc/keycarve-test/out', '/sys/keycarve-test']) {
    it(out, async () => {
      const r = await run('scan', img, '--out', out);
      expect(r.status, r.stderr).toBe(1);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(new RegExp(`^keycarve: --out ${out} is on /\\w+, the kernel's \\w+ file system, which cannot hold files — choose a folder on a drive`));
      expect(r.stdout).toBe('');
    });
  }

  it('a path through a file', async () => {
    const file = join(t.dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await run('scan', img, '--out', join(file, 'out'));
    expect(r.status).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/--out .*a-file\/out: a part of the path is a file, not a folder/);
    expect(r.stderr).not.toMatch(/ENOTDIR/);
  });

  const ro = tmpfs('ro', 'ro,size=1m');
  if (ro) mounts.push(ro);
  it.skipIf(!ro)('a read-only file system (needs root to mount a tmpfs)', async () => {
    const r = await run('scan', img, '--out', join(ro!, 'out'));
    expect(r.status).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/--out .*ro\/out: cannot create the folder: read-only file system — choose a folder on a writable drive/);
  });

  const small = tmpfs('small', 'size=1m');
  if (small) mounts.push(small);
  it.skipIf(!small)('a nearly full file system (needs root to mount a tmpfs)', async () => {
    const out = join(small!, 'out');
    const r = await run('scan', img, '--out', out);
    expect(r.status).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/--out .*: less than 16 MB free on that drive — free some space or choose another drive/);
    expect(existsSync(out)).toBe(false); // the folder it made is gone again
  });
});

describe.concurrent('option files and folders', () => {
  it('a missing --passwords-file: exit 1, in words', async () => {
    const r = await run('scan', img, '--out', join(t.dir, 'o-pw'), '--passwords-file', join(t.dir, 'nope.txt'));
    expect(r.status).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toBe(`keycarve: --passwords-file ${join(t.dir, 'nope.txt')}: does not exist\n`);
    expect(existsSync(join(t.dir, 'o-pw'))).toBe(false);
  });

  it('a missing verify --cert: exit 1, in words', async () => {
    const dir = join(t.dir, 'c.000');
    mkdirSync(dir);
    writeFileSync(join(dir, 'header.key'), 'x');
    const r = await run('verify', dir, '--cert', join(t.dir, 'nope.cer'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`keycarve verify: --cert ${join(t.dir, 'nope.cer')}: does not exist\n`);
  });

  it('verify on a folder with no key files says so plainly', async () => {
    const dir = join(t.dir, 'empty-folder');
    mkdirSync(dir);
    const r = await run('verify', dir);
    expect(r.status).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/empty-folder holds no CryptoPro key files .* give the container folder itself/);
    expect(r.stdout).not.toMatch(/PARTIAL/);
  });

  it('a missing verify folder: exit 1, in words', async () => {
    const r = await run('verify', join(t.dir, 'gone.000'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`keycarve verify: ${join(t.dir, 'gone.000')}: does not exist\n`);
  });

  it('usage errors exit 2', async () => {
    expect((await run('verify')).status).toBe(2);
    expect((await run('scan', img, '--out', join(t.dir, 'o-u'), '--passwords-file')).status).toBe(2);
  });
});

describe.concurrent('password files as editors write them (demo password Qwerty12: 4 containers verified)', () => {
  const cases: [string, Uint8Array][] = [
    ['UTF-8 with BOM, CRLF', Buffer.from('\ufeffnot-it\r\nQwerty12\r\n', 'utf8')],
    ['cp1251 (Notepad, Russian Windows), CRLF', encodeCp1251('Йцукен не тот\r\nQwerty12\r\n')!],
    ['UTF-16LE with BOM, CR', Buffer.from('\ufeffПароль\rQwerty12', 'utf16le')],
  ];
  for (const [name, bytes] of cases) {
    it(name, async () => {
      const f = join(t.dir, `pw-${cases.findIndex((c) => c[0] === name)}.txt`);
      writeFileSync(f, bytes);
      const r = await run('scan', img, '--out', join(t.dir, `o-${name.replace(/\W+/g, '-')}`), '--passwords-file', f, '--quick', '--json');
      expect(r.status, r.stderr).toBe(0);
      expect(verified(r.stdout)).toBe(4);
      expect(r.stderr).toBe(''); // --json: no note
    });
  }

  it('says how the file was read and clamps --jobs to the cores, one line each', async () => {
    const f = join(t.dir, 'pw-cp.txt');
    writeFileSync(f, encodeCp1251('Qwerty12\r\nЙцукен12\r\n')!);
    const jobs = availableParallelism() + 62;
    const r = await run('scan', img, '--out', join(t.dir, 'o-note'), '--passwords-file', f, '--jobs', String(jobs));
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines).toContain(`keycarve: ${f}: 2 passwords, read as cp1251`);
    expect(lines).toContain(`keycarve: --jobs ${jobs} is more than the ${availableParallelism()} CPU cores here; using ${availableParallelism()}`);
    expect(r.stdout).toMatch(/4 containers \(4 verified\)/);
  });

  it('warns when the file yields no password', async () => {
    const f = join(t.dir, 'pw-empty.txt');
    writeFileSync(f, '\r\n\r\n');
    const r = await run('scan', img, '--out', join(t.dir, 'o-empty'), '--passwords-file', f, '--quick', '--quiet');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^keycarve: warning: .*pw-empty\.txt: no passwords in it/);
  });
});

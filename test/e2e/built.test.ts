/**
 * The build in dist/ (scripts/build.mjs: the CLI as one CommonJS bundle, the workers' entries as ES
 * modules split into chunks, all in one folder). A module's code may land in any file, so every URL
 * the output resolves against its own import.meta.url (in the CommonJS bundle, the importMetaUrl
 * that stands for it) must still name the file it meant; and the CLI run from dist/ must start its
 * carving workers (dist/worker.js) and password workers (dist/password-worker.js) and read the
 * package version. Needs `npm run build` (npm test does it first).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const dist = join(root, 'dist');
const bin = join(root, 'bin/keycarve.cjs');
const t = tempDir();
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

/** Each `new URL('./x', import.meta.url)` and `createRequire(import.meta.url)('./x')` in the output (.js and .cjs, where
 * esbuild writes `(0, import_node_module.createRequire)(importMetaUrl)('./x')`),
 * resolved against the file it is in, relative to the package root. */
function relativeUrls(): Set<string> {
  const found = new Set<string>();
  for (const f of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((n) => /\.c?js$/.test(n))) {
    const text = readFileSync(join(dist, f), 'utf8');
    const base = pathToFileURL(join(dist, f));
    for (const m of text.matchAll(/(?:new URL\(|createRequire\)?\((?:import\.meta\.url|importMetaUrl)\)\()["'](\.\.?\/[^"']+)["']/g)) {
      found.add(relative(root, fileURLToPath(new URL(m[1]!, base))));
    }
  }
  return found;
}

describe('the build in dist/', () => {
  it('is one flat folder: no chunk in a subfolder, where its relative URLs would point elsewhere', () => {
    expect(readdirSync(dist).filter((n) => statSync(join(dist, n)).isDirectory())).toEqual([]);
  });

  it('resolves every relative URL to the file meant, from whichever chunk holds it', () => {
    const urls = relativeUrls();
    // The ones the modules mean (src/version.ts, src/native.ts, src/scan/pool.ts, src/run/password-search.ts);
    // the .ts ones are the source-run branch (tsx), never taken from dist/. dist/main.cjs names its
    // bundle by __dirname: the start tests run it.
    expect([...urls].filter((u) => !u.endsWith('.ts')).sort()).toEqual([
      'dist/password-worker.js',
      'dist/worker.js',
      'native/build/Release/keycarve.node',
      'package.json',
    ]);
    for (const u of ['dist/cli.cjs', 'dist/password-worker.js', 'dist/worker.js', 'package.json']) expect(existsSync(join(root, u)), u).toBe(true);
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = run('--version');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('run as the installed command, starts without NODE_EXTRA_CA_CERTS (Node 20 parses that bundle at every start)', () => {
    // A file that cannot load makes node warn at start: through node it does, through the shebang not.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(t.dir, 'no-such-bundle.pem') };
    const viaNode = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', env });
    expect(viaNode.stderr).toMatch(/extra certs/);
    const installed = spawnSync(bin, ['--version'], { encoding: 'utf8', env });
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stderr).toBe('');
  });

  it("sizes libuv's thread pool to the cores, unless the user sized it", () => {
    const size = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(dist, 'main.cjs'))}); process.stdout.write(process.env.UV_THREADPOOL_SIZE)`], { encoding: 'utf8', env }).stdout;
    const { UV_THREADPOOL_SIZE: _, ...unset } = process.env;
    expect(size(unset)).toBe(String(availableParallelism()));
    expect(size({ ...unset, UV_THREADPOOL_SIZE: '7' })).toBe('7');
  });

  it('without a build, says in one line what to run', () => {
    const pkg = join(t.dir, 'unbuilt');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    copyFileSync(bin, join(pkg, 'bin/keycarve.cjs'));
    const r = spawnSync(process.execPath, [join(pkg, 'bin/keycarve.cjs'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('keycarve: the build in dist/ is missing; run `npm ci` (or `npm run build`) in the keycarve folder\n');
  });

  it('KEYCARVE_DEBUG=1 prints stack traces naming the TypeScript sources (through the source maps)', () => {
    const r = spawnSync(process.execPath, [bin, 'scan', join(t.dir, 'missing.img'), '--out', join(t.dir, 'o-missing')], { encoding: 'utf8', env: { ...process.env, KEYCARVE_DEBUG: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/at .*src\/run\/scan-run\.ts:\d+:\d+/);
  });

  it('scans with two carving workers as with none: the same containers', () => {
    const img = join(t.dir, 'demo.img'); // 40 MiB: more than one page, so --jobs 2 starts workers
    writeFileSync(img, gunzipSync(readFileSync(join(root, 'samples/demo.img.gz'))));
    const scan = (jobs: string) => {
      const r = run('scan', img, '--out', join(t.dir, `o${jobs}`), '--password', 'Qwerty12', '--json', '--quiet', '--jobs', jobs);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { containers: unknown[] }).containers;
    };
    const two = scan('2');
    expect(two.length).toBe(4);
    expect(two).toEqual(scan('1'));
  }, 120_000);

  it('finds a password with two password workers', () => {
    const dir = writeContainerDir(join(t.dir, 'pw.000'), makeContainer({ algorithm: 'gost2012-256', seed: 'built', password: '73', name: 'pw' }).files);
    const r = run('password', dir, '--mask', '?d?d', '--no-likely', '--variants', 'none', '--jobs', '2', '--state', join(t.dir, 'pw.state'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Password found: 73');
  }, 120_000);
});

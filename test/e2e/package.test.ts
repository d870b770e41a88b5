/**
 * The package a technician installs: `npm pack` of this checkout, `npm install -g` into a temporary
 * prefix (dependencies from the npm cache when it has them), then the installed `keycarve` runs
 * --version and scans the bundled demo image from its prebuilt dist/, without tsx and without
 * leaving anything in $TMPDIR. Packs the dist/ that `npm test` builds first (pretest).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Report } from '../../src/output/report.ts';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const t = tempDir();
const prefix = join(t.dir, 'prefix');
const bin = join(prefix, 'bin/keycarve');
const tmp = join(t.dir, 'tmp');

function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-2000)}`);
  return String(r.stdout);
}

beforeAll(() => {
  expect(existsSync(join(root, 'dist/main.cjs')), 'dist/ is missing: run `npm run build` (npm test does it first)').toBe(true);
  // --ignore-scripts: pack the dist/ already built, without rebuilding it under the other tests' feet.
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', t.dir], { cwd: root })) as { filename: string }[];
  const tarball = join(t.dir, packed[0]!.filename);
  sh('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: t.dir });
  mkdirSync(tmp);
  writeFileSync(join(t.dir, 'demo.img'), gunzipSync(readFileSync(join(root, 'samples/demo.img.gz'))));
}, 900_000);
afterAll(() => t.cleanup());

describe('installed package', () => {
  const run = (...args: string[]) => sh(bin, args, { cwd: t.dir, env: { ...process.env, TMPDIR: tmp } });

  it('ships the build and no development tools', () => {
    const pkg = join(prefix, 'lib/node_modules/keycarve');
    expect(existsSync(join(pkg, 'dist/worker.js'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(pkg, 'node_modules/tsx'))).toBe(false);
  });

  it('keycarve --version prints the package version', () => {
    expect(run('--version').trim()).toBe(version);
  });

  it('keycarve scan recovers the demo image as the demo test expects, leaving $TMPDIR empty', () => {
    const report = JSON.parse(run('scan', join(t.dir, 'demo.img'), '--out', join(t.dir, 'out'), '--password', 'Qwerty12', '--json', '--quiet')) as Report;
    const status = Object.fromEntries(report.containers.map((c) => [c.dir, c.status]));
    expect(status).toMatchObject({
      'containers/Клиенты/ООО Ромашка/ivanov01.000': 'verified',
      'containers/Keys/petrov.000': 'verified',
      'containers/Keys/sidorov.000': 'verified',
    });
    expect(report.containers.length).toBe(4);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

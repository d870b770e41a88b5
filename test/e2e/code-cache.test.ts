/**
 * The CLI's V8 code cache (dist/cli.cjs.cache, made by `npm run build`'s training run, read by
 * dist/main.cjs): a start from the build takes it, and a cache that is damaged, missing or refused by
 * V8 (other V8 flags, as another node would be) only costs the compile — the CLI runs the same.
 * dist/main.cjs says what it did with the cache in its export cacheState. Needs `npm run build`.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const t = tempDir();

/** `keycarve --version` through <pkg>/dist/main.cjs, then the cache's fate: [stdout lines]. */
function versionRun(pkg: string, nodeFlags: string[] = []): string[] {
  // The launcher is CommonJS: its cacheState is read live off module.exports (the default import).
  const script = `const { default: m } = await import(${JSON.stringify(pathToFileURL(join(pkg, 'dist/main.cjs')).href)}); await m.main(['--version']); console.log(m.cacheState);`;
  const { NODE_OPTIONS: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8', env, timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n');
}

/** A copy of the package's start files (bundle, cache, loader, package.json) to damage. */
function copyPackage(name: string): string {
  const pkg = join(t.dir, name);
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  for (const f of ['main.cjs', 'cli.cjs', 'cli.cjs.cache']) copyFileSync(join(root, 'dist', f), join(pkg, 'dist', f));
  return pkg;
}

describe('the code cache', () => {
  it('is made by the build and taken by a start', () => {
    expect(existsSync(join(root, 'dist/cli.cjs.cache'))).toBe(true);
    expect(versionRun(root)).toEqual([version, 'accepted']);
  });

  it('a copy of the build takes it too (the checks below damage such copies)', () => {
    expect(versionRun(copyPackage('intact'))).toEqual([version, 'accepted']);
  });

  it('damaged V8 data is not given to V8 (V8 would take it): the bundle is compiled', () => {
    const pkg = copyPackage('damaged');
    const cache = join(pkg, 'dist/cli.cjs.cache');
    const bytes = readFileSync(cache);
    for (let i = 0; i < 64; i++) bytes[(bytes.length >> 1) + i]! ^= 0xff;
    writeFileSync(cache, bytes);
    expect(versionRun(pkg)).toEqual([version, 'invalid']);
  });

  it('a cache of another bundle is not used', () => {
    const pkg = copyPackage('stale');
    const bundle = join(pkg, 'dist/cli.cjs');
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replace('Recover CryptoPro', 'recover CryptoPro'));
    expect(versionRun(pkg)).toEqual([version, 'invalid']);
  });

  it('a cache V8 refuses (made under other V8 flags) is compiled past', () => {
    expect(versionRun(copyPackage('flags'), ['--stack-size=900'])).toEqual([version, 'rejected']);
  });

  it('a missing cache is compiled past', () => {
    const pkg = copyPackage('missing');
    rmSync(join(pkg, 'dist/cli.cjs.cache'));
    expect(versionRun(pkg)).toEqual([version, 'missing']);
  });
});

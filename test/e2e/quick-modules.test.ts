/**
 * `scan --quick` makes no linear pass, so it loads none of the pass's modules (carvers, pool,
 * worker, checkpoints) nor @noble/curves (d·G comes from Node's OpenSSL); a full scan still loads
 * the pass. Every module the CLI's sources resolve is logged by a resolve hook registered with
 * --import; the sources run under tsx, since dist/ is a bundle that carries no module names
 * (esbuild keeps each dynamic import() lazy — in the CLI's one script, dist/cli.cjs, a module's
 * init function run on the import — so what the sources leave unloaded the build leaves unrun too).
 */
import { beforeAll, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const t = tempDir();
const img = join(t.dir, 'demo.img');
const hooks = join(t.dir, 'hooks.mjs');
const register = join(t.dir, 'register.mjs');

beforeAll(() => {
  writeFileSync(img, gunzipSync(readFileSync(join(root, 'samples/demo.img.gz'))));
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  if (process.env.KC_MODULE_LOG) appendFileSync(process.env.KC_MODULE_LOG, r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
});

/** The module URLs a CLI scan of the demo image resolves. */
function modulesOf(...args: string[]): string[] {
  const log = join(t.dir, `modules-${args.length}.log`);
  const out = join(t.dir, `out-${args.length}`);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href.replace(/loader\.cjs$/, 'loader.mjs');
  const main = `import(${JSON.stringify(pathToFileURL(join(root, 'src/cli/main.ts')).href)}).then((m) => m.main(process.argv.slice(1)))`;
  const argv = ['scan', img, '--out', out, '--password', 'Qwerty12', ...args];
  const r = spawnSync(process.execPath, ['--import', tsx, '--import', pathToFileURL(register).href, '--input-type=module', '-e', main, ...argv], {
    encoding: 'utf8',
    env: { ...process.env, KC_MODULE_LOG: log, TSX_DISABLE_CACHE: '1' },
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

const passModule = (u: string) => /\/src\/(carve\/|scan\/(linear-pass|pool|worker|carve-chunk)\.ts|run\/checkpoint\.ts)/.test(u) || u.includes('/piscina/');

it('scan --quick loads no module of the linear pass, nor @noble/curves', () => {
  const mods = modulesOf('--quick');
  expect(mods.some((u) => u.includes('/src/fs/'))).toBe(true); // the hook saw the file systems load
  expect(mods.filter(passModule)).toEqual([]);
  expect(mods.filter((u) => u.includes('@noble/curves'))).toEqual([]);
}, 120_000);

it('a full scan loads the pass', () => {
  expect(modulesOf().filter(passModule).length).toBeGreaterThan(0);
}, 120_000);

// `npm run build`: dist/ as esbuild bundles; types are checked separately (`tsc --noEmit`).
//
// The CLI is one CommonJS script, dist/cli.cjs, that dist/main.cjs (scripts/launch.cjs) runs through
// vm.Script with V8's code cache dist/cli.cjs.cache, made here by a training run
// (scripts/code-cache.mjs): a start then deserializes what it would compile. Each dynamic import()
// (a command, a file system, an image format, the scan's pass) stays lazy inside it: esbuild wraps
// such a module in an init function that runs on the import, so the script's top level is only
// the command table and commander.
// The worker threads' entries (worker.js, password-worker.js) are ES modules with code splitting.
//
// One flat folder: every file sits directly in dist/, so a URL a module resolves against its own
// import.meta.url (../package.json, ../native/build/Release/keycarve.node, ./worker.js,
// ./password-worker.js) resolves the same from whichever file its code lands in.
// test/e2e/built.test.ts checks every such URL in the output.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (name) => fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
rmSync(dist(''), { recursive: true, force: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Stack traces name src/*.ts lines when source maps are on (KEYCARVE_DEBUG=1, bin/keycarve.cjs, or
  // NODE_OPTIONS=--enable-source-maps); otherwise the maps are never read. Without the sources
  // inside, they stay small.
  sourcemap: 'linked',
  sourcesContent: false,
  // Not minified: the scan's imports took 58.5 ms minified against 59.6 (medians of 15), within noise.
  logLevel: 'warning',
};

// commander requires node:child_process when it loads, only to spawn executable subcommands, of
// which keycarve has none: that load (~3 ms of every start) waits for a spawn that never comes.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (a) => (a.importer.includes('/node_modules/commander/') ? { path: 'child_process', namespace: 'lazy' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({ contents: "module.exports = { spawn: (...a) => require('node:child_process').spawn(...a) };", loader: 'js' }));
  },
};

// The dependencies loaded with createRequire at first use (pkijs, asn1js, piscina, cli-progress)
// stay in node_modules: esbuild does not follow those calls.
await build({
  ...common,
  stdin: {
    contents: "export { main } from './src/cli/main.ts';\nexport const scanRun = () => import('./src/run/scan-run.ts'); // bench/stages.ts\n",
    resolveDir: root,
    sourcefile: 'cli-bundle.ts',
    loader: 'ts',
  },
  outfile: 'dist/cli.cjs',
  format: 'cjs',
  plugins: [lazyChildProcess],
  // The bundle's own file URL where the modules ask for theirs.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});

await build({
  ...common,
  entryPoints: {
    worker: 'src/scan/worker.ts', // the carving pool's workers (src/scan/pool.ts)
    'password-worker': 'src/run/password-worker.ts', // the password search's (src/run/password-search.ts)
  },
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  splitting: true,
  format: 'esm',
  // commander is CommonJS: its require()s of node: built-ins need a real require in ESM output.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

// The bundle in ASCII, so the launcher decodes it as latin1 — a copy into a one-byte V8 string
// (0.1 ms) instead of UTF-8 into a two-byte one (2.8 ms of a start). esbuild escapes strings and
// identifiers; a comment or a regular expression it keeps may hold other characters, and `\uXXXX`
// means the same character in either.
const cli = readFileSync(dist('cli.cjs'), 'utf8');
writeFileSync(dist('cli.cjs'), cli.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

copyFileSync(fileURLToPath(new URL('launch.cjs', import.meta.url)), dist('main.cjs'));

// The code cache, made with the flags a user's node has (none of NODE_OPTIONS' V8 flags).
const { NODE_OPTIONS: _, ...env } = process.env;
const train = spawnSync(process.execPath, [fileURLToPath(new URL('code-cache.mjs', import.meta.url))], { env, stdio: ['ignore', 'ignore', 'inherit'] });
// Without it keycarve still runs, compiling the bundle at each start (test/e2e/code-cache.test.ts fails).
if (train.status !== 0) process.stderr.write(`keycarve build: no code cache (its training run exited ${train.status ?? train.signal}); each start compiles the bundle\n`);

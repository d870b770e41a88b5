// The build's training run (scripts/build.mjs runs it in a node of its own, with the flags a user's
// `keycarve` has): compiles dist/cli.cjs without a cache, runs a quick scan of the demo image with
// its password — the CLI's start, the file systems, the reassembly, the key check, the reports —
// and writes V8's code cache of the bundle after it, so the cache holds every function that run
// compiled, not only the top level, to dist/cli.cjs.cache (format: dist/main.cjs).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import launcher from '../dist/main.cjs';

const { cacheFile, checksum, compileBundle, runBundle } = launcher;

const work = mkdtempSync(join(tmpdir(), 'keycarve-code-cache-'));
try {
  const img = join(work, 'demo.img');
  writeFileSync(img, gunzipSync(readFileSync(new URL('../samples/demo.img.gz', import.meta.url))));
  const { bytes, script } = compileBundle(false);
  await runBundle(script).main(['scan', img, '--out', join(work, 'out'), '--quick', '--password', 'Qwerty12', '--quiet']);
  if (process.exitCode) throw new Error(`the training scan exited ${process.exitCode}`);
  const data = script.createCachedData();
  writeFileSync(cacheFile, Buffer.concat([checksum(bytes, data), data]));
} finally {
  rmSync(work, { recursive: true, force: true });
}

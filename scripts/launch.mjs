// dist/main.js (the build copies this file there; bin/keycarve.mjs imports it): runs the CLI's
// bundle, dist/cli.cjs — one CommonJS script — through vm.Script with V8's code cache,
// dist/cli.cjs.cache, which the build makes by a training run (scripts/code-cache.mjs), so a start
// deserializes the functions that run compiled instead of parsing and compiling them. Node 20 has no
// code cache for ES modules (module.enableCompileCache is Node 22's).
//
// The cache file is a CRC-32 of the bundle and the V8 data, then the data: V8 checks only its own
// version, flags and the source's length, and takes damaged data as valid (a crash). The CRC is
// for damage, as V8's own check is: zlib's costs a start ~0.5 ms, node:crypto's SHA-256 ~5 ms. A cache that
// is missing, damaged, stale or refused by V8 (another node, other V8 flags) only costs the compile.
// With source maps on (KEYCARVE_DEBUG=1, --enable-source-maps) Node's CommonJS loader runs the
// bundle instead: it maps stack traces to src/*.ts, vm.Script's it does not.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { crc32 } from 'node:zlib';

export const bundleFile = fileURLToPath(new URL('./cli.cjs', import.meta.url));
export const cacheFile = `${bundleFile}.cache`;
const HASH_BYTES = 4;
// Node's CommonJS wrapper, on the bundle's first line: columnOffset keeps that line's columns.
const WRAPPER = '(function (exports, require, module, __filename, __dirname) { ';

/** The checksum that heads the cache file: of the bundle's bytes and the V8 data after it. */
export function checksum(source, data) {
  const head = Buffer.alloc(HASH_BYTES);
  head.writeUInt32BE(crc32(data, crc32(source)));
  return head;
}

/** What the last load did with the cache: 'accepted', 'rejected' (by V8), 'invalid' (checksum), 'missing', 'unused' (source maps). */
export let cacheState = 'unused';

/** The bundle compiled, with the cache's data when its checksum holds. */
export function compileBundle(useCache = true) {
  const bytes = readFileSync(bundleFile);
  let cachedData;
  if (useCache) {
    let file;
    try {
      file = readFileSync(cacheFile);
    } catch {
      cacheState = 'missing';
    }
    if (file) {
      const data = file.subarray(HASH_BYTES);
      if (file.length > HASH_BYTES && checksum(bytes, data).equals(file.subarray(0, HASH_BYTES))) cachedData = data;
      else cacheState = 'invalid';
    }
  }
  const script = new vm.Script(WRAPPER + bytes.toString('utf8') + '\n})', {
    filename: bundleFile,
    columnOffset: -WRAPPER.length,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData) cacheState = script.cachedDataRejected ? 'rejected' : 'accepted';
  return { bytes, script };
}

/** The bundle's exports after running the compiled script as a CommonJS module. */
export function runBundle(script) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundleFile), module, bundleFile, fileURLToPath(new URL('.', import.meta.url)));
  return module.exports;
}

let loaded;
/** The bundle's exports ({ main, scanRun }), loaded once. */
export function bundle() {
  loaded ??= process.sourceMapsEnabled ? createRequire(import.meta.url)(bundleFile) : runBundle(compileBundle().script);
  return loaded;
}

/** The CLI (src/cli/main.ts). */
export const main = (argv) => bundle().main(argv);

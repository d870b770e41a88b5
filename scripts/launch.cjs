// dist/main.cjs (the build copies this file there; bin/keycarve.cjs requires it): runs the CLI's
// bundle, dist/cli.cjs — one CommonJS script — through vm.Script with V8's code cache,
// dist/cli.cjs.cache, which the build makes by a training run (scripts/code-cache.mjs), so a start
// deserializes the functions that run compiled instead of parsing and compiling them. Node 20 has no
// code cache for ES modules (module.enableCompileCache is Node 22's).
//
// The cache file is a CRC-32 of the bundle and the V8 data, then the data: V8 checks only its own
// version, flags and the source's length, and takes damaged data as valid (a crash). The CRC is
// for damage, as V8's own check is: loading node:zlib and the CRC cost a start ~3 ms, node:crypto
// and a SHA-256 ~6 ms (--version: 5.8 ms less CPU). A cache that
// is missing, damaged, stale or refused by V8 (another node, other V8 flags) only costs the compile.
// With source maps on (KEYCARVE_DEBUG=1, --enable-source-maps) Node's CommonJS loader runs the
// bundle instead: it maps stack traces to src/*.ts, vm.Script's it does not.
//
// CommonJS, as the bin is: a start through ES modules (the bin and this file as .mjs) cost a
// `--quick` scan ~9 ms more (61.5 vs 70.3 ms, hyperfine, 30 runs each).
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');
const { crc32 } = require('node:zlib');

// libuv's threads, one a core, unless the user sized them: a one-job scan queues its chunk reads
// there (src/scan/pool.ts threadPool), and a queued read then starts the moment a thread is free,
// not after this thread's next turn. Read by libuv at its first queued work, which is later.
process.env.UV_THREADPOOL_SIZE ??= String(require('node:os').availableParallelism());

const bundleFile = join(__dirname, 'cli.cjs');
const cacheFile = `${bundleFile}.cache`;
const HASH_BYTES = 4;
// Node's CommonJS wrapper, on the bundle's first line: columnOffset keeps that line's columns.
const WRAPPER = '(function (exports, require, module, __filename, __dirname) { ';

/** The checksum that heads the cache file: of the bundle's bytes and the V8 data after it. */
function checksum(source, data) {
  const head = Buffer.alloc(HASH_BYTES);
  head.writeUInt32BE(crc32(data, crc32(source)));
  return head;
}

/** What the last load did with the cache: 'accepted', 'rejected' (by V8), 'invalid' (checksum), 'missing', 'unused' (source maps). */
let cacheState = 'unused';

/** The bundle compiled, with the cache's data when its checksum holds. */
function compileBundle(useCache = true) {
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
  // latin1: the build writes the bundle in ASCII (scripts/build.mjs), so this is a plain copy.
  const script = new vm.Script(WRAPPER + bytes.toString('latin1') + '\n})', {
    filename: bundleFile,
    columnOffset: -WRAPPER.length,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData) cacheState = script.cachedDataRejected ? 'rejected' : 'accepted';
  return { bytes, script };
}

/** The bundle's exports after running the compiled script as a CommonJS module. */
function runBundle(script) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundleFile), module, bundleFile, __dirname);
  return module.exports;
}

let loaded;
/** The bundle's exports ({ main, scanRun }), loaded once. */
function bundle() {
  loaded ??= process.sourceMapsEnabled ? require(bundleFile) : runBundle(compileBundle().script);
  return loaded;
}

/** The CLI (src/cli/main.ts). */
const main = (argv) => bundle().main(argv);

module.exports = { bundleFile, cacheFile, checksum, compileBundle, runBundle, bundle, main };
// Read through module.exports (an ES module's import of this file copies the names once).
Object.defineProperty(module.exports, 'cacheState', { enumerable: true, get: () => cacheState });

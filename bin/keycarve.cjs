#!/bin/sh
//bin/true; exec env -u NODE_EXTRA_CA_CERTS node "$0" "$@"
// Run as a command, the two lines above are sh (to JavaScript, line 2 is a comment): they start node
// on this file without NODE_EXTRA_CA_CERTS. keycarve makes no TLS connection, and Node 20 parses
// that bundle at every start (~45 ms of a 70 ms `node -e 0` on a machine that sets it). Not
// `env -S` on the shebang: busybox's env (Alpine) has no -S.
// Runs the bundled JavaScript in dist/ (built by `npm ci` through the prepare script, shipped
// prebuilt in the package); CommonJS, as dist/main.cjs is (see there why).
// KEYCARVE_DEBUG=1 prints an error's stack: with the source maps on, it names src/*.ts lines.
'use strict';
if (process.env.KEYCARVE_DEBUG) process.setSourceMapsEnabled(true);
let main;
try {
  ({ main } = require('../dist/main.cjs'));
} catch (e) {
  if (e?.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes('/dist/main.cjs')) throw e;
  process.stderr.write('keycarve: the build in dist/ is missing; run `npm ci` (or `npm run build`) in the keycarve folder\n');
  process.exit(1);
}
main(process.argv.slice(2));

#!/usr/bin/env node
// Runs the bundled JavaScript in dist/ (built by `npm ci` through the prepare script, shipped prebuilt in the package).
// KEYCARVE_DEBUG=1 prints an error's stack: with the source maps on, it names src/*.ts lines.
if (process.env.KEYCARVE_DEBUG) process.setSourceMapsEnabled(true);
let main;
try {
  ({ main } = await import('../dist/main.js'));
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('/dist/main.js')) throw e;
  process.stderr.write('keycarve: the build in dist/ is missing; run `npm ci` (or `npm run build`) in the keycarve folder\n');
  process.exit(1);
}
await main(process.argv.slice(2));

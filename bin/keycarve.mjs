#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (built by `npm ci` through the prepare script, shipped prebuilt in the package).
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('/dist/cli/main.js')) throw e;
  process.stderr.write('keycarve: the build in dist/ is missing; run `npm ci` (or `npm run build`) in the keycarve folder\n');
  process.exit(1);
}
await main(process.argv.slice(2));

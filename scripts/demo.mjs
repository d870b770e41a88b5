#!/usr/bin/env node
// `npm run demo`: scans the bundled flash-drive image into a folder it creates fresh. It refuses an
// existing folder instead of deleting it (it may hold someone's results), and writes nowhere else.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const dir = process.argv[2] ?? '/tmp/keycarve-demo';
try {
  mkdirSync(dir); // not recursive: fails when the folder exists
} catch (e) {
  const why = e.code === 'EEXIST' ? 'already exists — remove it or give another folder: npm run demo -- <new-folder>' : `cannot be created (${e.code})`;
  process.stderr.write(`demo: ${dir} ${why}\n`);
  process.exit(1);
}
const img = join(dir, 'demo.img');
writeFileSync(img, gunzipSync(readFileSync(join(root, 'samples/demo.img.gz'))), { flag: 'wx' });
process.stderr.write(`demo: image ${img}, results → ${join(dir, 'out')}\n`);
const r = spawnSync(process.execPath, [join(root, 'bin/keycarve.cjs'), 'scan', img, '--out', join(dir, 'out'), '--password', 'Qwerty12'], { stdio: 'inherit' });
process.exit(r.status ?? 1);

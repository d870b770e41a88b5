/**
 * Start-up cost of the built CLI (dist/, what `npm ci` and the package give): `keycarve --version`
 * against a bare `node -e 0`, interleaved in the same run (median of 10 each; target ≤ 2×), and the
 * wall time of a whole scan of a 1.44 MB FAT12 floppy holding one deleted container (median of 5;
 * target ≤ 0.5 s). Run: npm run bench:startup (part of npm run bench).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeContainer, writeContainerDir } from '../test/helpers/containers.ts';

const bin = join(import.meta.dirname, '..', 'bin/keycarve.cjs');
const work = mkdtempSync(join(tmpdir(), 'keycarve-startup-'));

/** Wall seconds of `cmd args` (node by default; the bin runs through its shebang, as installed). */
function seconds(args: string[], cmd = process.execPath, env = process.env): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** The environment bin/keycarve.cjs's shebang gives node: the bare start to compare with. */
const { NODE_EXTRA_CA_CERTS: extraCerts, ...launchEnv } = process.env;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A 1.44 MB FAT12 floppy (mkfs.vfat + mtools, no mount) with a password container, deleted. */
function makeFloppy(): string {
  const img = join(work, 'floppy.img');
  const m = (tool: string, ...args: string[]) => execFileSync(tool, ['-i', img, ...args], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
  execFileSync('mkfs.vfat', ['-C', '-F', '12', '-n', 'FLOPPY', img, '1440'], { stdio: 'ignore' });
  const c = makeContainer({ algorithm: 'gost2012-256', seed: 'floppy', name: 'floppy', password: 'Qwerty12' });
  const local = writeContainerDir(join(work, 'stage'), c.files);
  m('mmd', '::/floppy.000');
  for (const f of Object.keys(c.files)) m('mcopy', join(local, f), `::/floppy.000/${f}`);
  m('mdeltree', '::/floppy.000');
  return img;
}

try {
  const bare: number[] = [];
  const withCerts: number[] = [];
  const version: number[] = [];
  seconds(['-e', '0']); // warm the page cache for node and dist/
  seconds(['--version'], bin);
  for (let i = 0; i < 10; i++) {
    bare.push(seconds(['-e', '0'], process.execPath, launchEnv));
    if (extraCerts) withCerts.push(seconds(['-e', '0']));
    version.push(seconds(['--version'], bin));
  }
  const img = makeFloppy();
  const scans = Array.from({ length: 5 }, (_, i) => seconds(['scan', img, '--out', join(work, `out${i}`), '--password', 'Qwerty12', '--quiet'], bin));
  const [b, v, s] = [median(bare), median(version), median(scans)];
  console.log(`start-up: keycarve --version ${(v * 1000).toFixed(0)} ms, node -e 0 ${(b * 1000).toFixed(0)} ms: ${(v / b).toFixed(2)}× (target ≤ 2×; medians of 10)`);
  if (extraCerts) console.log(`  (this environment sets NODE_EXTRA_CA_CERTS, which the launcher drops: node -e 0 with it ${(median(withCerts) * 1000).toFixed(0)} ms)`);
  console.log(`floppy (1.44 MB FAT12, one deleted container): scan ${s.toFixed(2)} s wall, ${(s / b).toFixed(1)}× node -e 0 (target ≤ 0.5 s; median of 5)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

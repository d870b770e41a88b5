/**
 * npm run bench — keycarve against `cat image >/dev/null` and the peers, in the same run, on FAT32
 * images full of random and text filler with three deleted containers (bench/images.ts; built
 * once, outside the repository). Per image: cat, keycarve with the default --jobs and with two
 * workers, `scan --quick`; on the 2 GiB image also each installed peer (bench/peers.ts). One table:
 * seconds, MB/s, ratio to cat, peak RSS, containers returned with the right bytes; then the targets,
 * and the start-up, crypto and pairing benches. Compare ratios within one run, never absolute times.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { defaultJobs } from '../src/scan/pool.ts';
import { benchDir, benchImage } from './images.ts';
import { containersReturned, runPeers, timed, type PeerRun } from './peers.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin/keycarve.mjs');
const sizes = (process.env.KEYCARVE_BENCH_SIZES ?? '512,2048,8192').split(',').map(Number);
const peersOn = 2048;

interface Row extends PeerRun {
  readonly image: number;
}
const rows: Row[] = [];
const catSeconds = new Map<number, number>();

function keycarve(mib: number, img: string, label: string, args: string[]): Row {
  const out = join(benchDir, `out-${mib}-${label.replace(/\W+/g, '-')}`);
  rmSync(out, { recursive: true, force: true });
  const timing = timed(process.execPath, [bin, 'scan', img, '--out', out, '--quiet', ...args]);
  const found = containersReturned(out);
  rmSync(out, { recursive: true, force: true });
  return { image: mib, tool: label, timing, found };
}

console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${availableParallelism()} cores, default --jobs ${defaultJobs()}`);
for (const mib of sizes) {
  const img = benchImage(mib);
  timed('sh', ['-c', `cat ${img} >/dev/null`]); // warm the page cache
  const cat = timed('sh', ['-c', `cat ${img} >/dev/null`]);
  catSeconds.set(mib, cat.seconds);
  rows.push({ image: mib, tool: 'cat', timing: cat, found: null });
  rows.push(keycarve(mib, img, 'keycarve scan', []));
  if (defaultJobs() !== 2) rows.push(keycarve(mib, img, 'keycarve scan --jobs 2', ['--jobs', '2']));
  rows.push(keycarve(mib, img, 'keycarve scan --quick', ['--quick']));
  if (mib === peersOn) for (const p of runPeers(img, join(benchDir, 'peers'))) rows.push({ image: mib, ...p });
}
rmSync(join(benchDir, 'peers'), { recursive: true, force: true });

const table = rows.map((r) => {
  const bytes = r.image * 1024 * 1024;
  const t = r.timing;
  return [
    `${r.image} MiB`, r.tool,
    t ? t.seconds.toFixed(2) : '—',
    t ? (bytes / 1e6 / t.seconds).toFixed(0) : '—',
    t ? (t.seconds / catSeconds.get(r.image)!).toFixed(2) : '—',
    t ? t.rssMiB.toFixed(0) : '—',
    r.found ? `${r.found.exact}/3 (${r.found.prefix}/3 as prefix)` : r.tool === 'cat' ? '' : '—',
    r.note ?? '',
  ];
});
const head = ['image', 'tool', 'seconds', 'MB/s', 'ratio to cat', 'peak RSS MiB', 'containers', 'note'];
const w = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
console.log('\n' + [head, ...table].map((r) => r.map((c, i) => (i < 2 || i > 5 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd()).join('\n'));
console.log('\n(warm page cache; wall clock includes Node start-up and every stage after the pass)');

const ratio = (mib: number, tool: string) => {
  const r = rows.find((x) => x.image === mib && x.tool === tool);
  return r?.timing ? r.timing.seconds / catSeconds.get(mib)! : NaN;
};
const check = (what: string, value: number, target: number) =>
  console.log(`${Number.isNaN(value) ? '  ' : value <= target ? 'ok' : '✗ '} ${what}: ${Number.isNaN(value) ? 'not measured' : value.toFixed(2)} (target ≤ ${target})`);
check('full scan, 2 GiB, ratio to cat', ratio(2048, 'keycarve scan'), 2.0);
check('full scan, 8 GiB, ratio to cat', ratio(8192, 'keycarve scan'), 1.8);
const fls = rows.find((x) => x.image === 2048 && x.tool === 'fls -r -d')?.timing;
const quick = rows.find((x) => x.image === 2048 && x.tool === 'keycarve scan --quick')?.timing;
check('scan --quick, 2 GiB, ratio to fls -r -d', quick && fls ? quick.seconds / fls.seconds : NaN, 2.0);
check('peak RSS MiB, any image', Math.max(...rows.filter((r) => r.tool.startsWith('keycarve')).map((r) => r.timing!.rssMiB)), 300);
console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
execFileSync('npx', ['tsx', join(root, 'bench/startup.ts')], { stdio: 'inherit' });
execFileSync('npx', ['tsx', join(root, 'bench/crypto.ts')], { stdio: 'inherit' });
execFileSync('npx', ['tsx', join(root, 'bench/pairing.ts')], { stdio: 'inherit' });

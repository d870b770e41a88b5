/**
 * npm run bench — keycarve against `cat image >/dev/null` and the peers, in the same run, on FAT32
 * images full of random and text filler with three deleted containers (bench/images.ts; built
 * once, outside the repository). Per image: cat, keycarve with the default --jobs and with two
 * workers, `scan --quick`; on the 2 GiB image also each installed peer (bench/peers.ts). One table:
 * seconds, MB/s, ratio to cat, peak RSS, containers returned with the right bytes; then the targets,
 * and the start-up, crypto and pairing benches. Compare ratios within one run, never absolute times.
 * cat, keycarve and (on the peers' image) fls run KEYCARVE_BENCH_RUNS rounds (default 3), interleaved: the table gives each
 * one's median seconds and its highest peak RSS (a single run's ratio moved by ±0.1 here). With
 * util-linux's fincore, each image's share resident in the page cache after its runs is printed:
 * this machine's page cache held ~9 GiB, so the 8 GiB image may be read partly from disk.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { defaultJobs } from '../src/scan/pool.ts';
import { benchDir, benchImage } from './images.ts';
import { containersReturned, fls as flsRun, runPeers, timed, type PeerRun } from './peers.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin/keycarve.cjs');
const sizes = (process.env.KEYCARVE_BENCH_SIZES ?? '512,2048,8192').split(',').map(Number);
const peersOn = 2048;
const runs = Math.max(1, Number(process.env.KEYCARVE_BENCH_RUNS ?? 3));

interface Row extends PeerRun {
  readonly image: number;
}
const rows: Row[] = [];
const catSeconds = new Map<number, number>();

function keycarve(mib: number, img: string, label: string, args: string[]): Row {
  const out = join(benchDir, `out-${mib}-${label.replace(/\W+/g, '-')}`);
  rmSync(out, { recursive: true, force: true });
  // As the installed command runs: through its sh line, not `node bin/keycarve.cjs` (see there).
  const timing = timed(bin, ['scan', img, '--out', out, '--quiet', ...args]);
  const found = containersReturned(out);
  rmSync(out, { recursive: true, force: true });
  return { image: mib, tool: label, timing, found };
}

/** The run of median seconds, with the highest peak RSS of all of them. */
function median(of: Row[]): Row {
  const sorted = [...of].sort((a, b) => a.timing!.seconds - b.timing!.seconds);
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  return { ...mid, timing: { ...mid.timing!, rssMiB: Math.max(...of.map((r) => r.timing!.rssMiB)) } };
}

/** Percent of `img` resident in the page cache (util-linux fincore), or null without it. */
function resident(img: string, bytes: number): number | null {
  const r = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', img], { encoding: 'utf8' });
  return r.status === 0 ? (100 * Number(r.stdout.trim())) / bytes : null;
}

console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${availableParallelism()} cores, default --jobs ${defaultJobs()}; medians of ${runs} interleaved rounds`);
const residency: string[] = [];
for (const mib of sizes) {
  const img = benchImage(mib);
  timed('sh', ['-c', `cat ${img} >/dev/null`]); // warm the page cache
  const variants: [string, string[]][] = [['keycarve scan', []], ...(defaultJobs() !== 2 ? [['keycarve scan --jobs 2', ['--jobs', '2']] as [string, string[]]] : []), ['keycarve scan --quick', ['--quick']]];
  const cats: Row[] = [];
  const samples = variants.map(() => [] as Row[]);
  const flsRuns: Row[] = [];
  for (let i = 0; i < runs; i++) {
    cats.push({ image: mib, tool: 'cat', timing: timed('sh', ['-c', `cat ${img} >/dev/null`]), found: null });
    variants.forEach(([label, args], k) => samples[k]!.push(keycarve(mib, img, label, args)));
    if (mib === peersOn) flsRuns.push({ image: mib, ...flsRun(img) });
  }
  const cat = median(cats);
  catSeconds.set(mib, cat.timing!.seconds);
  rows.push(cat, ...samples.map(median));
  if (flsRuns.length) rows.push(flsRuns[0]!.timing ? median(flsRuns) : flsRuns[0]!);
  const res = resident(img, mib * 1024 * 1024);
  if (res !== null) residency.push(`${mib} MiB ${res.toFixed(0)} %`);
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
console.log(`\n(warm page cache; wall clock includes Node start-up and every stage after the pass; cat, keycarve and fls: medians of ${runs}, the other peers: one run)`);
if (residency.length) console.log(`resident in the page cache after each image's runs (fincore): ${residency.join(', ')}`);

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

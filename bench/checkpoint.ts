/**
 * npx tsx bench/checkpoint.ts [MiB] — what `scan`'s checkpoint costs (issue 19: ≤ 3 % of the scan
 * time on the 2 GiB bench image). The same scan with checkpoints at the default cadence (every 5 s
 * or 256 MiB) and with none (KEYCARVE_TEST_CHECKPOINT=off, a measurement hook, not a user option),
 * in interleaved pairs whose order alternates (AB, BA, …) so drift in the machine's load hits both
 * alike. Per mode the medians of wall time and CPU time (user + system, /usr/bin/time), then the
 * overhead of one over the other. Image size: the argument, else the first of KEYCARVE_BENCH_SIZES,
 * else 2048 MiB; pairs: KEYCARVE_BENCH_RUNS (default 5).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchDir, benchImage } from './images.ts';
import { containersReturned } from './peers.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin/keycarve.cjs');
const mib = Number(process.argv[2] ?? process.env.KEYCARVE_BENCH_SIZES?.split(',')[0] ?? 2048);
const pairs = Number(process.env.KEYCARVE_BENCH_RUNS ?? 5);

interface Sample {
  wall: number;
  cpu: number;
}

function scanOnce(img: string, checkpoints: boolean): Sample {
  const out = join(benchDir, `out-checkpoint-${checkpoints ? 'on' : 'off'}`);
  rmSync(out, { recursive: true, force: true });
  const env = { ...process.env, KEYCARVE_TEST_CHECKPOINT: checkpoints ? '' : 'off' };
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', bin, 'scan', img, '--out', out, '--quiet'], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`scan failed: ${r.stderr}`);
  const found = containersReturned(out);
  rmSync(out, { recursive: true, force: true });
  if (found.exact !== 3) throw new Error(`scan returned ${found.exact} of the 3 bench containers`);
  const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wall: wall!, cpu: user! + sys! };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${((100 * (a - b)) / b).toFixed(1)} %`;

const img = benchImage(mib);
spawnSync('sh', ['-c', `cat ${img} >/dev/null`]); // warm the page cache
console.log(`checkpoint overhead on ${img} (${mib} MiB), ${pairs} interleaved pairs; ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const on: Sample[] = [];
const off: Sample[] = [];
for (let i = 0; i < pairs; i++) {
  for (const checkpoints of i % 2 ? [false, true] : [true, false]) {
    const s = scanOnce(img, checkpoints);
    (checkpoints ? on : off).push(s);
    console.log(`  pair ${i + 1}: checkpoints ${checkpoints ? 'on ' : 'off'} wall ${s.wall.toFixed(2)} s, CPU ${s.cpu.toFixed(2)} s`);
  }
}
const m = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));
console.log(`checkpoints on  (default cadence): wall median ${m(on, 'wall').toFixed(2)} s, CPU median ${m(on, 'cpu').toFixed(2)} s`);
console.log(`checkpoints off (measurement hook): wall median ${m(off, 'wall').toFixed(2)} s, CPU median ${m(off, 'cpu').toFixed(2)} s`);
console.log(`checkpoint overhead, wall time: ${pct(m(on, 'wall'), m(off, 'wall'))} (target ≤ 3 %)`);
console.log(`checkpoint overhead, CPU time:  ${pct(m(on, 'cpu'), m(off, 'cpu'))} (target ≤ 3 %)`);
console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

/**
 * Where a scan's time goes, stage by stage: `npx tsx bench/stages.ts [image] [runs]` (default the
 * 2 GiB bench image, 5 runs; `npm run build` first — it runs dist/, what the CLI runs). Each run is
 * a fresh `node` that imports the built scan() and logs, at every stage change, the wall clock and
 * the process's CPU time (user + system, every thread); full, --quick and, when they differ, the
 * default --jobs and --jobs 2 are interleaved run by run, so load on a shared machine hits them
 * alike. Prints the median of each stage (wall / CPU, ms) and `cat`'s for the same image.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultJobs } from '../src/scan/pool.ts';
import { benchDir, benchImage } from './images.ts';

const root = join(import.meta.dirname, '..');
const img = process.argv[2] ?? benchImage(2048);
const runs = Number(process.argv[3] ?? 5);

/** The child, CommonJS as bin/keycarve.cjs is: marks [name, wall ms, cpu ms] at its first line,
 * after loading the launcher and the bundle's scan(), at each of scan()'s stages, at the end. */
const child = `
const mark = [];
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const at = (name) => mark.push([name, performance.now(), cpu()]);
at('import');
require(${JSON.stringify(join(root, 'dist/main.cjs'))}).bundle().scanRun().then(async ({ scan }) => {
  at('open source and --out');
  const [src, out, quick, jobs] = process.argv.slice(1);
  await scan({ source: src, out, quick: quick === '1', ...(jobs !== '0' ? { jobs: Number(jobs) } : {}), onStage: (s) => at(s) });
  at('done');
  process.stdout.write(JSON.stringify(mark));
});
`;

interface Variant {
  readonly label: string;
  readonly quick: boolean;
  readonly jobs: number;
}
const variants: Variant[] = [
  { label: `scan (default --jobs ${defaultJobs()})`, quick: false, jobs: 0 },
  ...(defaultJobs() !== 2 ? [{ label: 'scan --jobs 2', quick: false, jobs: 2 }] : []),
  ...(defaultJobs() !== 1 ? [{ label: 'scan --jobs 1', quick: false, jobs: 1 }] : []),
  { label: 'scan --quick', quick: true, jobs: 0 },
];

/** The environment bin/keycarve.cjs's shebang gives node (without NODE_EXTRA_CA_CERTS). */
const { NODE_EXTRA_CA_CERTS: _, ...launchEnv } = process.env;

/** One run: per stage [wall, cpu] ms spent in it (the first row is node's own start). */
function runOnce(v: Variant): Map<string, [number, number]> {
  const out = join(benchDir, 'stages-out');
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-e', child, img, out, v.quick ? '1' : '0', String(v.jobs)], { encoding: 'utf8', env: launchEnv });
  const total = performance.now() - t0;
  rmSync(out, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${v.label} failed: ${r.stderr}`);
  const marks = JSON.parse(r.stdout) as [string, number, number][];
  const stages = new Map<string, [number, number]>();
  let prev: [string, number, number] = ['', 0, 0];
  for (const m of marks) {
    // A stage's time is from its mark to the next: the span is named after where it starts.
    stages.set(prev[0] || 'node start', [m[1] - prev[1], m[2] - prev[2]]);
    prev = m;
  }
  stages.set('total (spawn to exit)', [total, marks.at(-1)![2]]);
  return stages;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const catMs = () => {
  const t0 = performance.now();
  execFileSync('sh', ['-c', `cat ${img} >/dev/null`]);
  return performance.now() - t0;
};

catMs(); // warm the page cache
const samples = variants.map(() => [] as Map<string, [number, number]>[]);
const cats: number[] = [];
for (let i = 0; i < runs; i++) {
  cats.push(catMs());
  variants.forEach((v, k) => samples[k]!.push(runOnce(v)));
}
console.log(`${img}: medians of ${runs} interleaved runs, wall / CPU ms (CPU = user + system, all threads); cat ${median(cats).toFixed(0)} ms wall`);
variants.forEach((v, k) => {
  const names = [...samples[k]![0]!.keys()];
  const w = Math.max(...names.map((n) => n.length));
  console.log(`\n${v.label}`);
  for (const n of names) {
    const wall = median(samples[k]!.map((s) => s.get(n)?.[0] ?? 0));
    const cpu = median(samples[k]!.map((s) => s.get(n)?.[1] ?? 0));
    console.log(`  ${n.padEnd(w)}  ${wall.toFixed(0).padStart(6)}  ${cpu.toFixed(0).padStart(6)}`);
  }
});

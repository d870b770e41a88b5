// Candidates per second of `keycarve password` through the real search (candidate stream, worker
// pool, verifyContainer per guess) on writer containers whose password is outside the space, for
// each algorithm, on this thread (--jobs 1) and on 2 workers, with the native KDF (native/cpkdf.c)
// and with the TypeScript one (KEYCARVE_NO_NATIVE=1, as without the addon) in the same run.
// "/CPU-s" is candidates per second of process CPU time (all threads): the per-core rate, which a
// loaded machine does not change much; "/s" is wall clock. Run: npx tsx bench/password.ts
import { availableParallelism, loadavg } from 'node:os';
import { loadNative } from '../src/native.ts';
import { candidateStream, parseMask } from '../src/reassemble/password-candidates.ts';
import { searchPasswords } from '../src/run/password-search.ts';
import { parsePkcs12 } from '../src/format/pkcs12.ts';
import { makeContainer } from '../test/helpers/containers.ts';
import { readFileSync, existsSync } from 'node:fs';
import type { PasswordTarget } from '../src/reassemble/password-check.ts';
import { FIELD } from '../src/cli/container-dir.ts';
import type { ContainerFiles } from '../src/format/container.ts';

const asFields = (files: Record<string, Uint8Array>): ContainerFiles =>
  Object.fromEntries(Object.entries(files).map(([name, b]) => [FIELD[name as keyof typeof FIELD], b]));

/** Masks per engine: the native KDF is ~5x faster, so it gets 10x the candidates. */
const MASK = { native: process.env.BENCH_MASK ?? '?d?d?d', ts: process.env.BENCH_MASK_TS ?? '?d?d' };
type Engine = keyof typeof MASK;

interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

/** Rates from the first batch back to the end: worker start-up (tsx in every worker here) left out. */
async function rate(target: PasswordTarget, jobs: number, mask: string): Promise<Rate> {
  const spec = { likely: false, candidates: [], wordlists: [], masks: [parseMask(mask)], variants: [] };
  let first: { at: number; cpu: NodeJS.CpuUsage; done: number } | null = null;
  const onProgress = (p: { done: number }) => void (first ??= { at: performance.now(), cpu: process.cpuUsage(), done: p.done });
  const r = await searchPasswords(target, candidateStream(spec), { jobs, onProgress });
  if (r.found !== null) throw new Error('bench target opened: pick a password outside the space');
  const cpu = process.cpuUsage(first!.cpu);
  const n = r.done - first!.done;
  return { wall: (n * 1000) / (performance.now() - first!.at), cpu: (n * 1e6) / (cpu.user + cpu.system) };
}

/** Runs with the addon's KDF or the TypeScript one: workers copy the environment when they start. */
async function rateWith(engine: Engine, target: PasswordTarget, jobs: number, mask: string): Promise<Rate> {
  const before = process.env['KEYCARVE_NO_NATIVE'];
  if (engine === 'ts') process.env['KEYCARVE_NO_NATIVE'] = '1';
  try {
    return await rate(target, jobs, mask);
  } finally {
    if (before === undefined) delete process.env['KEYCARVE_NO_NATIVE'];
    else process.env['KEYCARVE_NO_NATIVE'] = before;
  }
}

if (typeof loadNative()?.cpkdf !== 'function') console.log('native addon not built (npm ci): both columns are the TypeScript KDF');
console.log(`node ${process.version}, ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}, masks ${MASK.native} (native) / ${MASK.ts} (TypeScript) + the empty password per run (PKCS#12: one ?d more; worker start-up excluded)`);
const targets: [string, PasswordTarget][] = (['gost2001', 'gost2012-256', 'gost2012-512'] as const).map((algorithm) => [
  algorithm,
  { kind: 'container', files: asFields(makeContainer({ algorithm, password: 'not-a-digit-run', seed: algorithm }).files) },
]);
const nca = '/work/shared/samples/danikarik_ncanode-go/AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790.p12';
if (existsSync(nca) && parsePkcs12(new Uint8Array(readFileSync(nca))).ok) targets.push(['PKCS#12 (SHA-1, 1024 it)', { kind: 'pkcs12', bytes: new Uint8Array(readFileSync(nca)) }]);
const cell = (r: Rate) => `${r.cpu.toFixed(1).padStart(7)}/CPU-s ${r.wall.toFixed(1).padStart(7)}/s`;
console.log(`${''.padEnd(26)} ${'native KDF, --jobs 1'.padEnd(25)}${'native, --jobs 2'.padEnd(25)}${'TypeScript, --jobs 1'.padEnd(25)}TypeScript, --jobs 2`);
for (const [name, target] of targets) {
  const cells: string[] = [];
  for (const engine of ['native', 'ts'] as const) {
    const m = target.kind === 'pkcs12' ? MASK[engine] + '?d' : MASK[engine];
    for (const jobs of [1, 2]) cells.push(cell(await rateWith(engine, target, jobs, m)));
  }
  console.log(`${name.padEnd(26)} ${cells.join('   ')}`);
}

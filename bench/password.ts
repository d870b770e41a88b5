// Candidates per second of `keycarve password` through the real search (candidate stream, worker
// pool, verifyContainer per guess) on writer containers whose password is outside the space, for
// each algorithm, on this thread (--jobs 1) and on 2 workers. Run: npx tsx bench/password.ts
import { availableParallelism, loadavg } from 'node:os';
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

const MASK = process.env.BENCH_MASK ?? '?d?d';

/** Rate from the first batch back to the end: worker start-up (tsx in every worker here) left out. */
async function rate(target: PasswordTarget, jobs: number, mask: string): Promise<number> {
  const spec = { likely: false, candidates: [], wordlists: [], masks: [parseMask(mask)], variants: [] };
  let first: { at: number; done: number } | null = null;
  const r = await searchPasswords(target, candidateStream(spec), { jobs, onProgress: (p) => void (first ??= { at: performance.now(), done: p.done }) });
  if (r.found !== null) throw new Error('bench target opened: pick a password outside the space');
  return ((r.done - first!.done) * 1000) / (performance.now() - first!.at);
}

console.log(`node ${process.version}, ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}, mask ${MASK} + the empty password per run (PKCS#12: ${MASK}?d; worker start-up excluded)`);
const targets: [string, PasswordTarget][] = (['gost2001', 'gost2012-256', 'gost2012-512'] as const).map((algorithm) => [
  algorithm,
  { kind: 'container', files: asFields(makeContainer({ algorithm, password: 'not-a-digit-run', seed: algorithm }).files) },
]);
const nca = '/work/shared/samples/danikarik_ncanode-go/AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790.p12';
if (existsSync(nca) && parsePkcs12(new Uint8Array(readFileSync(nca))).ok) targets.push(['PKCS#12 (SHA-1, 1024 it)', { kind: 'pkcs12', bytes: new Uint8Array(readFileSync(nca)) }]);
for (const [name, target] of targets) {
  const m = target.kind === 'pkcs12' ? MASK + '?d' : MASK;
  const one = await rate(target, 1, m);
  const two = await rate(target, 2, m);
  console.log(`${name.padEnd(26)} --jobs 1: ${one.toFixed(1).padStart(7)}/s   --jobs 2: ${two.toFixed(1).padStart(7)}/s`);
}

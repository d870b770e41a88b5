/**
 * npx tsx bench/hbin-pass.ts — the linear pass's carving cost on 256 MiB of random bytes with and
 * without the regf/hbin carvers (src/carve/regf.ts), A/B interleaved in one process so machine load
 * hits both alike. CPU time (process.cpuUsage) of carveChunk over 8 MiB chunks, one thread: the
 * prefilter plus whatever the anchor hits cost. Prints one row per variant (best and median of rounds).
 */
import { randomFillSync } from 'node:crypto';
import { CARVERS } from '../src/carve/index.ts';
import { carveChunk } from '../src/scan/carve-chunk.ts';

const MiB = 1 << 20;
const size = Number(process.env.KEYCARVE_BENCH_MIB ?? 256) * MiB;
const page = 8 * MiB;
const margin = 64 * 1024 + 4096;
const rounds = Number(process.env.KEYCARVE_BENCH_ROUNDS ?? 5);
const img = new Uint8Array(size + margin);
for (let at = 0; at < img.length; at += 64 * 1024) randomFillSync(img.subarray(at, Math.min(img.length, at + 64 * 1024)));

const variants = {
  'without regf/hbin': CARVERS.filter((c) => c.kind !== 'regf' && c.kind !== 'hive-bin'),
  'with regf/hbin': CARVERS,
} as const;

function pass(carvers: typeof CARVERS): { ms: number; candidates: number } {
  const t0 = process.cpuUsage();
  let candidates = 0;
  for (let base = 0; base < size; base += page) candidates += carveChunk({ base, bytes: img.subarray(base, base + page + margin), page }, carvers).candidates.length;
  const t = process.cpuUsage(t0);
  return { ms: (t.user + t.system) / 1000, candidates };
}

const times = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
let found = new Map<string, number>();
pass(CARVERS); // warm-up: compile both prefilters' code paths once
pass(variants['without regf/hbin']);
for (let r = 0; r < rounds; r++)
  for (const [name, carvers] of r % 2 ? Object.entries(variants).reverse() : Object.entries(variants)) {
    const x = pass(carvers);
    times.get(name)!.push(x.ms);
    found = found.set(name, x.candidates);
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`linear-pass carving, ${size / MiB} MiB random, ${rounds} interleaved rounds, CPU time (user+sys)`);
console.log('variant'.padEnd(20), 'best ms'.padStart(9), 'median ms'.padStart(10), 'MB/s (best)'.padStart(12), 'candidates'.padStart(11));
for (const [name, xs] of times) {
  const best = Math.min(...xs);
  console.log(name.padEnd(20), best.toFixed(0).padStart(9), median(xs).toFixed(0).padStart(10), (size / MiB / (best / 1000)).toFixed(0).padStart(12), String(found.get(name)).padStart(11));
}

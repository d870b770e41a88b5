/**
 * npm run bench — keycarve against `cat image >/dev/null` in the same run, on FAT32 images full of
 * random and text filler with a few deleted containers (built once, outside the repository).
 * Prints MB/s, the ratio to cat and peak RSS at 512 MiB and 2 GiB (memory must not grow with the
 * medium), then the start-up, crypto and pairing benches. Compare ratios within one run, never absolute times.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { makeContainer, writeContainerDir } from '../test/helpers/containers.ts';

const dir = process.env.KEYCARVE_BENCH_DIR ?? '/tmp/keycarve-bench';
const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin/keycarve.mjs');
const m = (img: string, tool: string, ...args: string[]) => execFileSync(tool, ['-i', img, ...args], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });

function build(img: string, mib: number): void {
  if (existsSync(img)) return;
  console.log(`building ${img} (${mib} MiB, once)…`);
  const tmp = `${img}.tmp`;
  execFileSync('truncate', ['-s', `${mib}M`, tmp]);
  execFileSync('mkfs.vfat', ['-F', '32', '-n', 'BENCH', tmp], { stdio: 'ignore' });
  const stage = join(dir, 'stage');
  mkdirSync(stage, { recursive: true });
  const text = Buffer.from('Акт сверки взаиморасчётов за III квартал. Invoice total due within 30 days. '.repeat(20000));
  const pieces = Math.floor((mib - 16) / 64);
  for (let i = 0; i < pieces; i++) {
    const f = join(stage, `f${i}.bin`);
    if (i % 2) writeFileSync(f, Buffer.concat(Array.from({ length: Math.ceil((64 << 20) / text.length) }, () => text)).subarray(0, 64 << 20));
    else execFileSync('sh', ['-c', `head -c ${64 << 20} /dev/urandom > ${f}`]);
    m(tmp, 'mcopy', f, `::/FILE${i}.BIN`);
    rmSync(f);
    if (i === Math.floor(pieces / 2))
      for (const [k, algorithm] of (['gost2001', 'gost2012-256', 'gost2012-512'] as const).entries()) {
        const c = makeContainer({ algorithm, seed: `bench-${k}`, name: `bench${k}` });
        const local = writeContainerDir(join(stage, `bench${k}.000`), c.files);
        m(tmp, 'mmd', `::/bench${k}.000`);
        for (const n of Object.keys(c.files)) m(tmp, 'mcopy', join(local, n), `::/bench${k}.000/${n}`);
        m(tmp, 'mdeltree', `::/bench${k}.000`);
      }
  }
  execFileSync('mv', [tmp, img]);
}

function timed(cmd: string, args: string[]): { seconds: number; rssMiB: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const [s, kb] = r.stderr.trim().split('\n').pop()!.split(' ');
  return { seconds: Number(s), rssMiB: Number(kb) / 1024 };
}

mkdirSync(dir, { recursive: true });
const rows: string[][] = [];
for (const mib of [512, 2048]) {
  const img = join(dir, `fat32-${mib}.img`);
  build(img, mib);
  const bytes = mib * 1024 * 1024;
  timed('sh', ['-c', `cat ${img} >/dev/null`]); // warm the page cache
  const cat = timed('sh', ['-c', `cat ${img} >/dev/null`]);
  for (const jobs of [availableParallelism(), 1]) {
    const out = join(dir, `out-${mib}-${jobs}`);
    rmSync(out, { recursive: true, force: true });
    const k = timed(process.execPath, [bin, 'scan', img, '--out', out, '--quiet', '--jobs', String(jobs)]);
    // The scan's own figure (report.json): without Node/tsx start-up, with every later stage.
    const inner = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { stats: { mbPerSecond: number } }).stats.mbPerSecond;
    rows.push([`${mib} MiB`, `jobs ${jobs}`, (bytes / 1e6 / k.seconds).toFixed(0), inner.toFixed(0), (bytes / 1e6 / cat.seconds).toFixed(0), (k.seconds / cat.seconds).toFixed(2), k.rssMiB.toFixed(0)]);
  }
}
const head = ['image', 'keycarve', 'MB/s', 'in-process MB/s', 'cat MB/s', 'ratio', 'peak RSS MiB'];
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
console.log('\n' + [head, ...rows].map((r) => r.map((c, i) => c.padStart(w[i]!)).join('  ')).join('\n'));
console.log('\n(warm page cache; wall-clock includes Node start-up and the file-system and reassembly stages)\n');
execFileSync('npx', ['tsx', join(root, 'bench/startup.ts')], { stdio: 'inherit' });
execFileSync('npx', ['tsx', join(root, 'bench/crypto.ts')], { stdio: 'inherit' });
execFileSync('npx', ['tsx', join(root, 'bench/pairing.ts')], { stdio: 'inherit' });

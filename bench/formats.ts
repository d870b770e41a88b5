/**
 * npx tsx bench/formats.ts — a scan of each image format against the same medium as raw, in one
 * run (issue 15, item 4). The medium is the raw bench image of bench/images.ts (512 MiB, or
 * KEYCARVE_BENCH_FORMAT_MIB); its containers are written once under the bench dir by the real tools
 * (split, qemu-img convert, ewfacquire) and reused. Each format's scan runs right after a raw scan,
 * KEYCARVE_BENCH_ROUNDS times (default 3), so a loaded machine slows both alike: the ratios are the
 * medians of those pairs, in wall and in CPU time. Then the linear pass alone, in this process
 * (CPU time of every thread, so start-up and the later stages do not hide it), the same way; and
 * the EWF decoding rate per core. Needs `npm run build` (the scans run bin/keycarve.cjs on dist/).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { MAX_CARVE_LENGTH } from '../src/carve/index.ts';
import { linearPass } from '../src/scan/linear-pass.ts';
import { createCarvePool, defaultJobs } from '../src/scan/pool.ts';
import { PlanReader } from '../src/source/formats/plan.ts';
import { decodeUnit, type Unit } from '../src/source/formats/unit.ts';
import { openImage } from '../src/source/image.ts';
import { benchDir, benchImage } from './images.ts';
import { containersReturned, timed, type Timing } from './peers.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin/keycarve.cjs');
const mib = Number(process.env.KEYCARVE_BENCH_FORMAT_MIB ?? 512);
const rounds = Number(process.env.KEYCARVE_BENCH_ROUNDS ?? 3);
const dir = join(benchDir, `formats-${mib}`);

interface Format {
  readonly name: string;
  /** The file handed to keycarve (the first segment of a set). */
  readonly file: string;
  /** Uncompressed: held to the ≤ 1.3× target. */
  readonly target: boolean;
  /** Writes the image at `out` (its first segment) from the raw image. */
  readonly make: (raw: string, out: string) => void;
  readonly args?: readonly string[];
}

const qemu = (...opts: string[]) => (raw: string, out: string) => execFileSync('qemu-img', ['convert', ...opts, raw, out], { stdio: 'ignore' });
const ewf = (compression: string) => (raw: string, out: string) =>
  execFileSync('ewfacquire', ['-u', '-q', '-f', 'encase6', '-c', compression, '-S', `${Math.max(1, mib >> 2)}MiB`, '-t', out.replace(/\.E01$/, ''), raw], { stdio: 'ignore' });

const FORMATS: Format[] = [
  { name: 'split raw (4 segments)', file: 'split.001', target: true, make: (raw, out) => execFileSync('split', ['-b', `${Math.ceil(mib / 4)}M`, '-d', '-a', '3', '--numeric-suffixes=1', raw, out.replace(/001$/, '')]) },
  { name: 'VHD fixed', file: 'fixed.vhd', target: true, make: qemu('-O', 'vpc', '-o', 'subformat=fixed,force_size=on') },
  { name: 'VHD dynamic', file: 'dynamic.vhd', target: true, make: qemu('-O', 'vpc', '-o', 'force_size=on') },
  { name: 'VHDX', file: 'disk.vhdx', target: true, make: qemu('-O', 'vhdx') },
  { name: 'VMDK monolithicSparse', file: 'sparse.vmdk', target: true, make: qemu('-O', 'vmdk') },
  { name: 'qcow2', file: 'disk.qcow2', target: true, make: qemu('-O', 'qcow2') },
  { name: 'qcow2 compressed', file: 'packed.qcow2', target: false, make: qemu('-c', '-O', 'qcow2') },
  { name: 'E01 uncompressed', file: 'none.E01', target: false, make: ewf('none') },
  { name: 'E01 deflate:fast', file: 'fast.E01', target: false, make: ewf('deflate:fast') },
  { name: 'E01 deflate:fast --jobs 2', file: 'fast.E01', target: false, make: ewf('deflate:fast'), args: ['--jobs', '2'] },
];

/** Builds each format's image once (into a temporary name, then renamed: a killed build is redone). */
function build(raw: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of FORMATS) {
    const out = join(dir, f.file);
    if (existsSync(out)) continue;
    console.log(`building ${out} (once)…`);
    const tmp = join(dir, 'tmp');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    f.make(raw, join(tmp, f.file));
    for (const n of execFileSync('ls', [tmp], { encoding: 'utf8' }).trim().split('\n')) renameSync(join(tmp, n), join(dir, n));
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface Run {
  readonly timing: Timing;
  readonly exact: number;
}

function scan(img: string, args: readonly string[] = []): Run {
  const out = join(benchDir, `out-formats-${mib}`);
  rmSync(out, { recursive: true, force: true });
  const timing = timed(bin, ['scan', img, '--out', out, '--quiet', ...args]); // the installed command (its sh line drops NODE_EXTRA_CA_CERTS)
  const { exact } = containersReturned(out);
  rmSync(out, { recursive: true, force: true });
  return { timing, exact };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The linear pass alone over `file`, carved on this thread (jobs 1): wall and CPU seconds. */
async function pass(file: string): Promise<{ seconds: number; cpu: number; lost: number }> {
  const jobs = 1;
  const src = await openImage(file);
  const pool = createCarvePool(jobs, src.size);
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const r = await linearPass(src, { pool, slots: 2 * jobs, margin: MAX_CARVE_LENGTH });
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - wall) / 1000;
  await pool.close();
  await src.close();
  return { seconds, cpu: (used.user + used.system) / 1e6, lost: r.readErrors.length };
}

/** Decoding alone (pread + Adler-32 / inflate of every chunk, as a carving thread does it, no carving) on this thread: medium MB per CPU second. */
async function decodeRate(file: string): Promise<number> {
  const src = await openImage(join(dir, file));
  const buf = new Uint8Array(8 << 20);
  const cpu = process.cpuUsage();
  for (let at = 0; at < src.size; at += buf.length) {
    const plan = (await src.plan!(at, buf.length))!;
    const reader = new PlanReader(plan.pieces, at);
    reader.fill(buf, buf.length);
    plan.settle(reader.lost);
  }
  const used = process.cpuUsage(cpu);
  await src.close();
  return src.size / 1e6 / ((used.user + used.system) / 1e6);
}

/** Each codec's units alone (pread, then Adler-32 or inflate), on this thread: medium MB per CPU second, and the share of the medium. */
async function codecRates(file: string): Promise<string> {
  const src = await openImage(join(dir, file));
  const units = new Map<string, { fd: number; unit: Unit }[]>();
  for (let at = 0; at < src.size; at += 8 << 20) {
    const plan = (await src.plan!(at, 8 << 20))!;
    for (const p of plan.pieces) {
      if (!('unit' in p) || p.skip !== 0) continue;
      if (!units.has(p.unit.codec)) units.set(p.unit.codec, []);
      units.get(p.unit.codec)!.push({ fd: p.fd, unit: p.unit });
    }
    plan.settle([]);
  }
  const out: string[] = [];
  for (const [codec, list] of units) {
    const raw = new Uint8Array(2 * (list[0]?.unit.size ?? 0) + 64);
    let medium = 0;
    const cpu = process.cpuUsage();
    for (const { fd, unit: u } of list) {
      readSync(fd, raw, 0, u.stored, u.at);
      if (typeof decodeUnit(u, raw.subarray(0, u.stored)) === 'string') throw new Error(`${u.where} does not decode`);
      medium += u.size;
    }
    const used = process.cpuUsage(cpu);
    out.push(`${codec}: ${(medium / 1e6 / ((used.user + used.system) / 1e6)).toFixed(0)} MB/s per core (${((100 * medium) / src.size).toFixed(0)}% of the medium, ${list.length} chunks)`);
  }
  await src.close();
  return out.join('; ');
}

const raw = benchImage(mib);
build(raw);
execFileSync('sh', ['-c', `cat ${raw} ${dir}/* >/dev/null`]); // warm the page cache
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${availableParallelism()} cores, default --jobs ${defaultJobs()}; ${rounds} rounds on ${mib} MiB`);

const raws: Run[] = [];
const pairs = new Map<Format, { runs: Run[]; wall: number[]; cpu: number[] }>(FORMATS.map((f) => [f, { runs: [], wall: [], cpu: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const f of FORMATS) {
    const a = scan(raw);
    const b = scan(join(dir, f.file), f.args);
    raws.push(a);
    const p = pairs.get(f)!;
    p.runs.push(b);
    p.wall.push(b.timing.seconds / a.timing.seconds);
    p.cpu.push(b.timing.cpuSeconds / a.timing.cpuSeconds);
  }
}

const bytes = mib * 1024 * 1024;
const row = (name: string, runs: Run[], wall: number[] | null, cpu: number[] | null) => {
  const s = median(runs.map((x) => x.timing.seconds));
  return [
    name, s.toFixed(2), median(runs.map((x) => x.timing.cpuSeconds)).toFixed(2),
    wall ? median(wall).toFixed(2) : '1.00', cpu ? median(cpu).toFixed(2) : '1.00',
    (bytes / 1e6 / s).toFixed(0), Math.max(...runs.map((x) => x.timing.rssMiB)).toFixed(0),
    `${Math.min(...runs.map((x) => x.exact))}/3`,
  ];
};
const table = [row('raw', raws, null, null), ...FORMATS.map((f) => row(f.name, pairs.get(f)!.runs, pairs.get(f)!.wall, pairs.get(f)!.cpu))];
const head = ['format', 'seconds', 'CPU s', 'ratio (wall)', 'ratio (CPU)', 'MB/s', 'peak RSS MiB', 'containers exact'];
const w = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
console.log('\n' + [head, ...table].map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n'));
console.log('\n(medians; each ratio is the median of format / the raw scan just before it; warm page cache; wall and CPU include node start-up and every stage after the pass)');

for (const f of FORMATS.filter((x) => x.target)) {
  const v = median(pairs.get(f)!.wall);
  const c = median(pairs.get(f)!.cpu);
  console.log(`${v <= 1.3 ? 'ok' : '✗ '} ${f.name}: ${v.toFixed(2)}× raw wall, ${c.toFixed(2)}× CPU (target ≤ 1.3)`);
}

// The linear pass alone, in this process, on this thread (worker threads here would load the
// TypeScript sources through tsx: seconds of start-up): raw and each format interleaved again.
const inProcess = FORMATS.filter((f) => !f.args);
const passRaw: { seconds: number; cpu: number }[] = [];
const passes = new Map<Format, { seconds: number[]; cpu: number[]; wall: number[]; cpuRatio: number[] }>(inProcess.map((f) => [f, { seconds: [], cpu: [], wall: [], cpuRatio: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const f of inProcess) {
    const a = await pass(raw);
    const b = await pass(join(dir, f.file));
    if (b.lost) throw new Error(`${f.name}: ${b.lost} read errors`);
    passRaw.push(a);
    const p = passes.get(f)!;
    p.seconds.push(b.seconds);
    p.cpu.push(b.cpu);
    p.wall.push(b.seconds / a.seconds);
    p.cpuRatio.push(b.cpu / a.cpu);
  }
}
const passRow = (name: string, seconds: number[], cpu: number[], wall: number[] | null, cpuRatio: number[] | null) => [
  name, median(seconds).toFixed(2), median(cpu).toFixed(2), wall ? median(wall).toFixed(2) : '1.00', cpuRatio ? median(cpuRatio).toFixed(2) : '1.00',
  (bytes / 1e6 / median(cpu)).toFixed(0),
];
const passTable = [
  passRow('raw', passRaw.map((x) => x.seconds), passRaw.map((x) => x.cpu), null, null),
  ...inProcess.map((f) => { const p = passes.get(f)!; return passRow(f.name, p.seconds, p.cpu, p.wall, p.cpuRatio); }),
];
const passHead = ['linear pass alone, 1 thread', 'seconds', 'CPU s', 'ratio (wall)', 'ratio (CPU)', 'MB per CPU s'];
const pw = passHead.map((h, i) => Math.max(h.length, ...passTable.map((r) => r[i]!.length)));
console.log('\n' + [passHead, ...passTable].map((r) => r.map((c, i) => (i === 0 ? c.padEnd(pw[i]!) : c.padStart(pw[i]!))).join('  ')).join('\n'));
for (const f of FORMATS.filter((x) => x.target)) console.log(`${median(passes.get(f)!.cpuRatio) <= 1.3 ? 'ok' : '✗ '} linear pass, ${f.name}: ${median(passes.get(f)!.cpuRatio).toFixed(2)}× raw CPU (target ≤ 1.3)`);

for (const file of ['none.E01', 'fast.E01']) {
  console.log(`EWF decoding, ${file}: ${(await decodeRate(file)).toFixed(0)} MB/s of medium per core (pread + Adler-32 / inflate per chunk, as a carving thread does it; no carving)`);
  console.log(`  by codec: ${await codecRates(file)}`);
}
console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

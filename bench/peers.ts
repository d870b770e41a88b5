/**
 * The peers on the same image in the same run: each installed tool is timed like keycarve and
 * its output checked against the image's containers (skipped with a note when not installed).
 * A container counts when its header.key, primary.key and masks.key (what the key needs; name.key
 * can be rebuilt) are among the files returned with exactly the right bytes; `as prefix` also
 * counts a file returned with trailing bytes (a carver that cannot tell where a key file ends).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedContainers } from './images.ts';

export interface Timing {
  readonly seconds: number;
  readonly rssMiB: number;
  /** User + system CPU seconds (the measure that holds on a loaded machine). */
  readonly cpuSeconds: number;
}

/** Wall seconds to the microsecond (time's own %e has 10 ms steps: a quarter of fls's run), peak
 * RSS and CPU from /usr/bin/time, whose fork and exec every tool pays alike. */
export function timed(cmd: string, args: string[], cwd?: string): Timing {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...(cwd ? { cwd, env: { ...process.env, HOME: cwd } } : {}) });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const [kb, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ');
  return { seconds, rssMiB: Number(kb) / 1024, cpuSeconds: Number(user) + Number(sys) };
}

const installed = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

function filesUnder(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) {
      const p = join(e.parentPath, e.name);
      if (statSync(p).size <= 1 << 20) out.push(readFileSync(p));
    }
  return out;
}

/** Containers found exactly, and found when trailing bytes are allowed. */
export function containersReturned(dir: string): { exact: number; prefix: number } {
  const files = filesUnder(dir);
  const need = ['header.key', 'primary.key', 'masks.key'];
  let exact = 0;
  let prefix = 0;
  for (const c of expectedContainers().values()) {
    const want = need.map((n) => Buffer.from(c[n]!));
    if (want.every((w) => files.some((f) => f.equals(w)))) exact++;
    if (want.every((w) => files.some((f) => f.length >= w.length && f.subarray(0, w.length).equals(w)))) prefix++;
  }
  return { exact, prefix };
}

// Key-file signatures (what src/carve anchors on): masks, primary, and header.key at offset 4.
const SIGS: [string, number, string][] = [
  ['key', 0, '30360420'], ['key', 0, '30560440'], ['key', 0, '30220420'], ['key', 0, '30420440'],
  ['key', 4, 'a00a06082a8503020225'],
];

export interface PeerRun {
  readonly tool: string;
  readonly timing: Timing | null;
  readonly found: { exact: number; prefix: number } | null;
  readonly note?: string;
}

/** fls's run (its output to /dev/null; no timing when The Sleuth Kit is not installed): run.ts
 * interleaves it with `scan --quick`, whose target is a ratio to it. */
export function fls(img: string): PeerRun {
  const tool = 'fls -r -d';
  if (!installed('fls')) return { tool, timing: null, found: null, note: 'not installed (apt-get install sleuthkit)' };
  const r = spawnSync('fls', ['-r', '-d', img], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const listed = (r.stdout.match(/\.key/g) ?? []).length;
  return { tool, timing: timed('sh', ['-c', `fls -r -d ${img} >/dev/null`]), found: null, note: `lists names only (${listed} deleted key files listed)` };
}

/** Every other peer on `img`, its output under `work` (removed afterwards). */
export function runPeers(img: string, work: string): PeerRun[] {
  const runs: PeerRun[] = [];
  const fresh = (name: string) => {
    const d = join(work, name);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    return d;
  };
  const peer = (tool: string, pkg: string, go: () => { timing: Timing; out: string | null; note?: string }) => {
    if (!installed(tool.split(' ')[0]!)) return runs.push({ tool, timing: null, found: null, note: `not installed (apt-get install ${pkg})` });
    try {
      const r = go();
      runs.push({ tool, timing: r.timing, found: r.out ? containersReturned(r.out) : null, ...(r.note ? { note: r.note } : {}) });
    } catch (e) {
      runs.push({ tool, timing: null, found: null, note: `failed: ${(e as Error).message.split('\n')[0]}` });
    }
  };
  peer('tsk_recover -e', 'sleuthkit', () => {
    const out = fresh('tsk');
    return { timing: timed('tsk_recover', ['-e', img, out]), out };
  });
  peer('photorec /cmd', 'testdisk', () => {
    const cwd = fresh('photorec');
    writeFileSync(join(cwd, 'photorec.sig'), SIGS.map(([e, o, h]) => `${e} ${o} 0x${h}`).join('\n') + '\n');
    const out = join(cwd, 'out');
    const timing = timed('photorec', ['/log', '/d', out, '/cmd', img, 'partition_none,fileopt,everything,disable,custom,enable,search'], cwd);
    return { timing, out: cwd };
  });
  peer('foremost', 'foremost', () => {
    const cwd = fresh('foremost');
    // foremost finds headers at a file's start only: header.key by wildcards over its lengths.
    const conf = SIGS.map(([e, o, h]) => `${e} y 65536 ${'?'.repeat(o)}${h.replace(/../g, (x) => `\\x${x}`)}`);
    writeFileSync(join(cwd, 'foremost.conf'), conf.join('\n') + '\n');
    const out = join(cwd, 'out');
    return { timing: timed('foremost', ['-q', '-c', join(cwd, 'foremost.conf'), '-o', out, '-i', img], cwd), out };
  });
  return runs;
}

/**
 * The bench images: FAT32 full of random and text filler, with three deleted containers in the
 * middle (built once, outside the repository, and reused). `expectedContainers` rebuilds the same
 * containers from their seeds so every tool's output can be checked byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeContainer, writeContainerDir } from '../test/helpers/containers.ts';

export const benchDir = process.env.KEYCARVE_BENCH_DIR ?? '/tmp/keycarve-bench';

const ALGORITHMS = ['gost2001', 'gost2012-256', 'gost2012-512'] as const;

/** The containers every bench image holds (deleted): folder name → file name → bytes. */
export function expectedContainers(): Map<string, Record<string, Uint8Array>> {
  return new Map(ALGORITHMS.map((algorithm, k) => [`bench${k}.000`, makeContainer({ algorithm, seed: `bench-${k}`, name: `bench${k}` }).files]));
}

const m = (img: string, tool: string, ...args: string[]) => execFileSync(tool, ['-i', img, ...args], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });

/** The image of `mib` MiB (built when missing). */
export function benchImage(mib: number): string {
  const img = join(benchDir, `fat32-${mib}.img`);
  if (existsSync(img)) return img;
  mkdirSync(benchDir, { recursive: true });
  console.log(`building ${img} (${mib} MiB, once)…`);
  const tmp = `${img}.tmp`;
  rmSync(tmp, { force: true });
  execFileSync('truncate', ['-s', `${mib}M`, tmp]);
  execFileSync('mkfs.vfat', ['-F', '32', '-n', 'BENCH', tmp], { stdio: 'ignore' });
  const stage = join(benchDir, `stage-${mib}`);
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
      for (const [name, files] of expectedContainers()) {
        const local = writeContainerDir(join(stage, name), files);
        m(tmp, 'mmd', `::/${name}`);
        for (const n of Object.keys(files)) m(tmp, 'mcopy', join(local, n), `::/${name}/${n}`);
        m(tmp, 'mdeltree', `::/${name}`);
      }
  }
  rmSync(stage, { recursive: true, force: true });
  execFileSync('mv', [tmp, img]);
  return img;
}

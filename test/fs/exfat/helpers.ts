// exFAT test images built with the real tools: mkfs.exfat, exfat-fuse on a loop device.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Candidate, Chunk } from '../../../src/carve/types.ts';
import { exfatDirCarver } from '../../../src/carve/exfat-dir.ts';

/** What mkfs + withMount need: pass to requireTools (with anything else the test runs). */
export const EXFAT_TOOLS = ['root', '/dev/fuse', 'mkfs.exfat', 'losetup', 'mount.exfat-fuse', 'fusermount'] as const;

const live = { loops: new Set<string>(), mounts: new Set<string>() };

export function mkfs(img: string, sizeMiB: number, clusterSize?: number): void {
  execFileSync('truncate', ['-s', `${sizeMiB}M`, img]);
  execFileSync('mkfs.exfat', [...(clusterSize ? ['-c', String(clusterSize)] : []), img], { stdio: 'ignore' });
}

/** Mounts `img` through a loop device with exfat-fuse, runs `fn`, and always unmounts. */
export async function withMount(img: string, mnt: string, fn: (dir: string) => void | Promise<void>): Promise<void> {
  mkdirSync(mnt, { recursive: true });
  const loop = execFileSync('losetup', ['-f', '--show', img]).toString().trim();
  live.loops.add(loop);
  try {
    execFileSync('mount.exfat-fuse', [loop, mnt], { stdio: 'ignore' });
    live.mounts.add(mnt);
    try {
      await fn(mnt);
      execFileSync('sync');
    } finally {
      execFileSync('fusermount', ['-u', mnt]);
      live.mounts.delete(mnt);
    }
  } finally {
    execFileSync('losetup', ['-d', loop]);
    live.loops.delete(loop);
  }
}

/** afterAll: anything a failed test left behind. */
export function cleanupAll(): void {
  for (const m of live.mounts) spawnSync('fusermount', ['-u', m], { stdio: 'ignore' });
  for (const l of live.loops) spawnSync('losetup', ['-d', l], { stdio: 'ignore' });
  live.mounts.clear();
  live.loops.clear();
}

/** What the scan does for this carver: every 512-byte boundary whose anchor matches. */
export function carveAll(bytes: Uint8Array): Candidate[] {
  const chunk: Chunk = { base: 0, bytes, page: bytes.length };
  const out: Candidate[] = [];
  for (let s = 0; s + 512 <= bytes.length; s += 512) {
    if (!exfatDirCarver.anchors.some((a) => a.bytes.every((v, i) => bytes[s + a.at + i] === v))) continue;
    out.push(...exfatDirCarver.carve(chunk, s));
  }
  return out;
}

/** Bytes of a file's extents. */
export function extentBytes(img: Uint8Array, extents: readonly { offset: number; length: number }[]): Uint8Array {
  const total = extents.reduce((a, e) => a + e.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of extents) {
    out.set(img.subarray(e.offset, e.offset + e.length), at);
    at += e.length;
  }
  return out;
}

export function readDirFiles(dir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const f of readdirSync(dir)) out[f] = new Uint8Array(readFileSync(join(dir, f)));
  return out;
}

/** The Sleuth Kit on an image: deleted names listed by fls, files written by tsk_recover -e. */
export function runTsk(img: string, outDir: string): { fls: string; recovered: Record<string, Uint8Array> } {
  const fls = spawnSync('fls', ['-r', '-d', '-p', '-f', 'exfat', img], { encoding: 'utf8' }).stdout ?? '';
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  spawnSync('tsk_recover', ['-e', '-f', 'exfat', img, outDir], { stdio: 'ignore' });
  const recovered: Record<string, Uint8Array> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else recovered[`${rel}${e.name}`] = new Uint8Array(readFileSync(p));
    }
  };
  walk(outDir, '');
  return { fls, recovered };
}


// Test helpers: deterministic CryptoPro containers for any test that needs one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { writeContainer, type WriteOptions, type WrittenContainer } from '../../src/format/writer.ts';

/** A deterministic byte stream: SHA-256(seed ‖ counter) blocks. */
export function seededRandom(seed: string | number): (n: number) => Uint8Array {
  const s = new TextEncoder().encode(String(seed));
  let counter = 0;
  let pool = new Uint8Array(0);
  return (n: number) => {
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      if (pool.length === 0) {
        const buf = new Uint8Array(s.length + 4);
        buf.set(s);
        new DataView(buf.buffer).setUint32(s.length, counter++);
        pool = sha256(buf);
      }
      const k = Math.min(pool.length, n - o);
      out.set(pool.subarray(0, k), o);
      pool = pool.subarray(k);
      o += k;
    }
    return out;
  };
}

export type MakeContainerOptions = Partial<Omit<WriteOptions, 'random'>> & { seed?: string | number };

/** writeContainer with test defaults: 2012-256, no password, name "test", reserve copy, seed 1. */
export function makeContainer(opts: MakeContainerOptions = {}): WrittenContainer {
  const { seed = 1, ...rest } = opts;
  return writeContainer({ algorithm: 'gost2012-256', name: 'test', ...rest, random: seededRandom(seed) });
}

/** Writes the files into `dir` (created if needed); returns dir. */
export function writeContainerDir(dir: string, files: Record<string, Uint8Array>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

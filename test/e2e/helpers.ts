import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { scan, type ScanOptions } from '../../src/run/scan-run.ts';

/**
 * A temp folder for the tests of this file (call at its top level): the path is known at once, the
 * folder made in beforeAll and removed in afterAll. A file whose tests all skip runs no hooks, so
 * it makes no folder it could not remove.
 */
export function tempDir(prefix = 'keycarve-test-'): { dir: string; cleanup: () => void } {
  const dir = join(tmpdir(), prefix + randomBytes(6).toString('hex'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  beforeAll(() => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  });
  afterAll(cleanup);
  return { dir, cleanup };
}

export async function scanTo(source: string, out: string, opts: Partial<ScanOptions> = {}) {
  return scan({ source, out, jobs: 2, ...opts });
}

export const readOut = (out: string, rel: string) => new Uint8Array(readFileSync(join(out, rel)));

/** mtools on an image file, no mount; MTOOLS_SKIP_CHECK tolerates our hand-made damage. */
export function mtools(img: string, tool: string, ...args: string[]): Buffer {
  return execFileSync(tool, ['-i', img, ...args], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { scan, type ScanOptions } from '../../src/scan/scan.ts';
export { hasTool } from '../helpers/tools.ts';

export function tempDir(prefix = 'keycarve-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function scanTo(source: string, out: string, opts: Partial<ScanOptions> = {}) {
  return scan({ source, out, jobs: 2, ...opts });
}

export const readOut = (out: string, rel: string) => new Uint8Array(readFileSync(join(out, rel)));

/** mtools on an image file, no mount; MTOOLS_SKIP_CHECK tolerates our hand-made damage. */
export function mtools(img: string, tool: string, ...args: string[]): Buffer {
  return execFileSync(tool, ['-i', img, ...args], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
}

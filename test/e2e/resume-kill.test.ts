/**
 * `scan --resume` after a real `kill -9` of the CLI: midway through the pass, and inside a
 * checkpoint write (temp index written, not yet renamed). The test-only environment makes the
 * CLI SIGKILL itself at that point (a deterministic kill -9) on a 96 MiB sparse image with
 * containers at its start and its end; the resumed run equals one that was never stopped.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeContainer } from '../helpers/containers.ts';
import { outcome } from './resume-outcome.ts';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/keycarve.cjs');
const t = tempDir();
const img = join(t.dir, 'sparse.img');
const SIZE = 96 * 1024 * 1024;
const env = { ...process.env, KEYCARVE_TEST_PAGE: String(128 * 1024) };
const cli = (out: string, extra: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, 'scan', img, '--out', out, '--jobs', '1', '--quiet', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });

let whole: ReturnType<typeof outcome>;
beforeAll(() => {
  // The demo's FAT volume at the start, a container's files in the last sectors, zeros between.
  const fd = openSync(img, 'w');
  writeSync(fd, gunzipSync(readFileSync(join(root, 'samples/demo.img.gz'))), 0, undefined, 0);
  const files = Object.values(makeContainer({ seed: 'end', name: 'at-the-end' }).files);
  let at = SIZE;
  for (const f of files) writeSync(fd, f, 0, f.length, (at -= Math.ceil(f.length / 512) * 512 + 512));
  writeSync(fd, new Uint8Array(512), 0, 512, SIZE - 512);
  closeSync(fd);
  const r = cli(join(t.dir, 'whole'), {});
  expect(r.status, r.stderr).toBe(0);
  whole = outcome(join(t.dir, 'whole'));
}, 120_000);

describe('scan --resume after kill -9', () => {
  // Write 1 is the checkpoint at position 0; a write starts only once the last is done, so the
  // n-th exists only if the pass outlasts n - 1 writes: 3, not more, and 128 KiB pages (768 chunks,
  // each after a turn of the event loop: the sparse image's reads are fast) keep this off the
  // pass's speed.
  for (const kill of ['kill-after=3', 'kill-before-rename=3']) {
    it(`equals the uninterrupted scan (${kill})`, () => {
      const out = join(t.dir, kill);
      const killed = cli(out, { KEYCARVE_TEST_CHECKPOINT: `0 ${kill}` });
      expect(killed.signal).toBe('SIGKILL');
      const index = JSON.parse(readFileSync(join(out, 'scan-checkpoint.json'), 'utf8')) as { state: { pass: { position: number } } };
      expect(index.state.pass.position).toBeLessThan(SIZE); // midway, not after the pass
      expect(index.state.pass.position).toBeGreaterThan(0); // a checkpoint of the pass, not the one before it
      expect(existsSync(join(out, 'scan-checkpoint.json.tmp'))).toBe(kill.startsWith('kill-before-rename'));
      const resumed = cli(out, {}, '--resume');
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(outcome(out)).toEqual(whole);
      expect(JSON.stringify(whole.report)).toContain('at-the-end');
    }, 120_000);
  }

  it('says in one line why another medium is refused, and exits 1', () => {
    const out = join(t.dir, 'refused');
    expect(cli(out, { KEYCARVE_TEST_CHECKPOINT: '0 kill-after=2' }).signal).toBe('SIGKILL');
    const r = spawnSync(process.execPath, [bin, 'scan', join(t.dir, 'whole', 'report.json'), '--out', out, '--resume'], { encoding: 'utf8', env });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^keycarve: .*report\.json is not the medium the checkpoint in .* was made from \(\d+ bytes, it was \d+\); give the medium that scan was reading, or start again without --resume in a new folder\n$/);
  }, 120_000);
});

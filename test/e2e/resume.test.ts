/**
 * `scan --resume`: a scan stopped after N chunks (its AbortSignal, as Ctrl-C does), then resumed,
 * gives the report and files of a scan that never stopped — from several points, twice in a row,
 * with a torn temp index left behind; another medium and a folder without a checkpoint are refused.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScanInterrupted, type ScanOptions } from '../../src/run/scan-run.ts';
import { THREAD_SLOTS } from '../../src/scan/pool.ts';
import { scanTo, tempDir } from './helpers.ts';
import { outcome } from './resume-outcome.ts';

const root = join(import.meta.dirname, '../..');
const t = tempDir();
const img = join(t.dir, 'demo.img');
const PAGE = 1024 * 1024;
const every = { everyMs: 0, everyBytes: Infinity };
const opts: Partial<ScanOptions> = { jobs: 1, page: PAGE, checkpointTiming: every };

/** A scan into `out` stopped once `chunks` chunks are carved. */
async function interrupted(out: string, chunks: number, resume = false): Promise<void> {
  const stop = new AbortController();
  const run = scanTo(img, out, { ...opts, resume, signal: stop.signal, onProgress: (p) => p.bytesDone >= chunks * PAGE && stop.abort() });
  await expect(run).rejects.toThrow(ScanInterrupted);
}

let whole: ReturnType<typeof outcome>;
beforeAll(async () => {
  writeFileSync(img, gunzipSync(readFileSync(join(root, 'samples/demo.img.gz'))));
  await scanTo(img, join(t.dir, 'whole'), opts);
  whole = outcome(join(t.dir, 'whole'));
}, 120_000);

describe('scan --resume', () => {
  it('equals the uninterrupted scan from the start, the middle and near the end', async () => {
    expect(Object.keys(whole.files).length).toBeGreaterThan(8);
    // Near the end: before the last chunks are handed out (those in flight are carved whole).
    const size = statSync(img).size;
    for (const chunks of [1, 17, size / PAGE - THREAD_SLOTS - 2]) {
      const out = join(t.dir, `at-${chunks}`);
      await interrupted(out, chunks);
      expect(readdirSync(out).sort()).toEqual(['partial', 'scan-checkpoint.data', 'scan-checkpoint.json']);
      await scanTo(img, out, { ...opts, resume: true });
      expect(outcome(out)).toEqual(whole);
      expect(existsSync(join(out, 'scan-checkpoint.json'))).toBe(false); // done: nothing left to resume
    }
  }, 120_000);

  it('resumes a resumed scan, ignoring a torn temp index left by a write cut short', async () => {
    const out = join(t.dir, 'twice');
    await interrupted(out, 8);
    await interrupted(out, 25, true);
    writeFileSync(join(out, 'scan-checkpoint.json.tmp'), '{"version":1,"medium":{"si');
    await scanTo(img, out, { ...opts, resume: true });
    expect(outcome(out)).toEqual(whole);
  }, 120_000);

  it('refuses another medium, a folder without a checkpoint, and a plain scan into a checkpoint', async () => {
    const out = join(t.dir, 'other');
    await interrupted(out, 5);
    const other = join(t.dir, 'other.img');
    const bytes = readFileSync(img);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff; // the last sector is sampled
    writeFileSync(other, bytes);
    await expect(scanTo(other, out, { ...opts, resume: true })).rejects.toThrow(/^.*other\.img is not the medium the checkpoint in .* was made from \(its sampled sectors differ\)/);
    writeFileSync(other, bytes.subarray(0, bytes.length - 512));
    await expect(scanTo(other, out, { ...opts, resume: true })).rejects.toThrow(/is not the medium .*bytes, it was/);
    await expect(scanTo(img, out, opts)).rejects.toThrow(/holds an interrupted scan; add --resume/);
    await expect(scanTo(img, join(t.dir, 'fresh'), { ...opts, resume: true })).rejects.toThrow(/holds no checkpoint of an interrupted scan/);
    await scanTo(img, out, { ...opts, resume: true }); // the refusals left the checkpoint usable
    expect(outcome(out)).toEqual(whole);
  }, 120_000);
});

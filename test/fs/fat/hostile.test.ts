/**
 * Hostile FAT metadata costs work in proportion to the medium (issue 14, item 6): 100,000 deleted
 * entries with 20,000 deleted directories pointing back at their own directory, and 500 deleted
 * files whose size reads 0xFFFFFFFF, each written into a 64 MiB mkfs.vfat image beside a real
 * container. Doubling the hostile entries at most doubles the work (reads and bytes read, with
 * slack); the scan still completes and finds the container. Wall times and RSS go to the log only.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyseFat } from '../../../src/fs/fat/index.ts';
import type { MediaReader } from '../../../src/fs/types.ts';
import { scanTo } from '../../e2e/helpers.ts';
import { buildHostileFat, type Hostile } from './hostile.ts';
import { fatTools, fileReader, tmp } from './images.ts';

const CASES: [Hostile, number][] = [
  ['self-dirs', 100_000],
  ['huge-size', 500],
];
const t = tmp('kc-fat-hostile-');
afterAll(t.cleanup);

interface Work {
  readonly reads: number;
  readonly bytes: number;
  readonly files: number;
  readonly problems: string[];
}

async function work(img: string): Promise<Work> {
  const r = fileReader(img);
  let reads = 0;
  let bytes = 0;
  const counted: MediaReader = {
    size: r.size,
    read: (o, n) => {
      reads++;
      bytes += n;
      return r.read(o, n);
    },
  };
  try {
    const started = Date.now();
    const a = (await analyseFat(counted, 0))!;
    console.log(`${img}: ${Date.now() - started} ms, ${reads} reads, ${bytes} bytes, ${a.files.length} files, ${a.problems.length} problems`);
    return { reads, bytes, files: a.files.length, problems: a.problems.map((p) => p.what) };
  } finally {
    r.close();
  }
}

const images = new Map<string, string>();
beforeAll(() => {
  if (!fatTools.ok) return;
  for (const [kind, n] of CASES) for (const k of [n, 2 * n]) images.set(`${kind}-${k}`, buildHostileFat(t.dir, kind, k));
}, 120_000);

for (const [kind, n] of CASES) {
  fatTools.describe(`hostile FAT: ${kind}`, () => {
    it(`doubling ${n} entries at most doubles the work`, async () => {
      const one = await work(images.get(`${kind}-${n}`)!);
      const two = await work(images.get(`${kind}-${2 * n}`)!);
      // Every hostile entry is still looked at: the walk did not stop early.
      expect(two.files - one.files).toBeGreaterThanOrEqual(kind === 'self-dirs' ? (n * 4) / 5 : n);
      expect(two.reads / one.reads).toBeLessThanOrEqual(3);
      expect(two.bytes / one.bytes).toBeLessThanOrEqual(3);
      // One listed problem per hostile entry at most, then a count.
      expect(two.problems.length).toBeLessThanOrEqual(1001);
    }, 120_000);

    it('the scan completes and still finds the real container', async () => {
      const started = Date.now();
      const { report } = await scanTo(images.get(`${kind}-${n}`)!, join(t.dir, `out-${kind}`), { passwords: ['1'] });
      console.log(`scan ${kind}-${n}: ${Date.now() - started} ms, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
      const c = report.containers.find((x) => x.dir === 'containers/keys0001.000');
      expect(c?.status).toBe('verified');
    }, 120_000);
  });
}

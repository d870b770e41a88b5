/**
 * Hives and bins found by the pass, on hostile input (issue 16): a carved base block whose length
 * lies, bins starting inside other bins, a bin whose self-offset lies, and a hundred thousand bin
 * signatures in filler — each a recorded problem or a skip, with bounded reads.
 */
import { beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CARVERS } from '../../../src/carve/index.ts';
import type { Candidate } from '../../../src/carve/types.ts';
import { filesFromCarvedHives } from '../../../src/fs/regf/carved.ts';
import type { MediaReader } from '../../../src/fs/types.ts';
import { carveChunk } from '../../../src/scan/carve-chunk.ts';
import { makeContainer } from '../../helpers/containers.ts';
import { requireTools } from '../../helpers/tools.ts';
import { tempDir } from '../../e2e/helpers.ts';
import { hiveBin } from '../../property/fixtures.ts';
import { buildHive } from './build.ts';

const tools = requireTools('python3');
const t = tempDir('keycarve-regf-carved-');
const c = makeContainer({ seed: 'carved-hostile', name: 'hostile' });
let hive: Buffer;

/** An in-memory medium that counts the bytes read from it. */
function medium(b: Uint8Array): MediaReader & { read_: number } {
  const r = { size: b.length, read_: 0, read: async (o: number, n: number) => (o + n > b.length ? null : ((r.read_ += n), b.slice(o, o + n))) };
  return r;
}
const carve = (img: Uint8Array): Candidate[] => carveChunk({ base: 0, bytes: img, page: img.length }, CARVERS).candidates.filter((x) => x.kind === 'regf' || x.kind === 'hive-bin');
const at = 64 * 1024;
const place = (bytes: Uint8Array, size = 4 << 20) => {
  const img = new Uint8Array(size);
  img.set(bytes, at);
  return img;
};

beforeAll(() => {
  if (!tools.ok) return;
  buildHive(join(t.dir, 'SOFTWARE'), [{ path: 'Crypto Pro\\Settings\\Keys\\hostile', values: c.files }]);
  hive = readFileSync(join(t.dir, 'SOFTWARE'));
});

tools.describe('carved hives and bins on hostile input', () => {
  it('a base block whose bins size lies: the bins that are there are read, the lie is a problem', async () => {
    const b = Buffer.from(hive);
    b.writeUInt32LE(0x7ffff000, 40);
    const img = place(b);
    const m = medium(img);
    const r = await filesFromCarvedHives(carve(img), [], m);
    expect(r.files.map((f) => f.name).sort()).toEqual(Object.keys(c.files).sort());
    expect(r.problems.map((p) => p.what).join('\n')).toMatch(/hive bins size 2147479552 beyond/);
    expect(m.read_).toBeLessThanOrEqual(img.length); // one pass over what is there at most, not 2 GiB
  });

  it('a bin whose self-offset lies: whatever is still found is the right bytes, nothing else', async () => {
    const bins = Buffer.from(hive.subarray(4096));
    for (let b = 0; b < bins.length; b += bins.readUInt32LE(b + 8)) bins.writeUInt32LE(0xfffff000 - b, b + 4);
    const img = place(bins);
    const r = await filesFromCarvedHives(carve(img), [], medium(img));
    for (const f of r.files) {
      const e = f.extents[0]!;
      expect(Buffer.from(img.subarray(e.offset, e.offset + e.length)).equals(Buffer.from(c.files[f.name]!)), f.name).toBe(true);
    }
  });

  it('bins that start inside another bin are skipped and counted', async () => {
    const bin = hiveBin();
    const big = Buffer.from(bin);
    big.writeUInt32LE(8192, 8); // claims 8 KiB: the next bin starts inside it
    const img = new Uint8Array(1 << 20);
    img.set(big, at), img.set(bin, at + 4096);
    const cs = carveChunk({ base: 0, bytes: img, page: img.length }, CARVERS).candidates.filter((x) => x.kind === 'hive-bin');
    expect(cs).toHaveLength(2);
    const r = await filesFromCarvedHives(cs, [], medium(img));
    expect(r.problems.map((p) => p.what).join('\n')).toMatch(/1 hive bins starting inside another bin skipped/);
  });
});

it('bin signatures in filler: 16 384 without container values give no candidates; 100 000 copies of a bin with one are capped', async () => {
  const filler = new Uint8Array(8 << 20); // 16 384 sectors, each a bin header
  for (let s = 0; s < filler.length; s += 512) filler.set([0x68, 0x62, 0x69, 0x6e, 0, 0, 0, 0, 0, 0x10, 0, 0], s);
  expect(carveChunk({ base: 0, bytes: filler, page: filler.length }, CARVERS).candidates.filter((x) => x.kind === 'hive-bin')).toEqual([]);
  const bin = hiveBin();
  const copies: Candidate[] = Array.from({ length: 100_000 }, (_, i) => ({ kind: 'hive-bin', offset: i * 8192, bytes: bin, checks: ['anchor'] }));
  const r = await filesFromCarvedHives(copies, [], medium(new Uint8Array(0)));
  expect(r.problems.map((p) => p.what).join('\n')).toMatch(/95904 more runs of lone hive bins not parsed/);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fatDirCarver } from '../../../src/carve/fat-dir.ts';
import { buildFat12Plain } from './build.ts';
import { carveImage, fatTools, fileReader, tmp } from './images.ts';

let t: ReturnType<typeof tmp>;
beforeAll(() => {
  t = tmp();
});
afterAll(() => t?.cleanup());

describe('fatDirCarver', () => {
  fatTools.it('finds each container folder cluster once, by its `.`/`..` entries', async () => {
    const img = buildFat12Plain(t.dir);
    const r = fileReader(img.path);
    const c = await carveImage(r, fatDirCarver);
    r.close();
    expect(c.every((x) => x.kind === 'fat-dir' && x.bytes.length % 512 === 0 && x.bytes.length <= fatDirCarver.maxLength)).toBe(true);
    const dots = c.filter((x) => x.bytes[0] === 0x2e);
    expect(dots.length).toBe(3);
    expect(new Set(c.map((x) => x.offset)).size).toBe(c.length);
  });

  it('ignores data that only happens to hold "KEY" at an anchor', () => {
    const b = new Uint8Array(1024).fill(0x41);
    b.set([0x4b, 0x45, 0x59], 8);
    expect(fatDirCarver.carve({ base: 0, bytes: b, page: 1024 }, 0)).toEqual([]);
  });
});

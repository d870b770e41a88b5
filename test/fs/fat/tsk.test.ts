// keycarve vs The Sleuth Kit on the same images (tsk_recover -e, fls -r -d): keycarve must get every
// container file exact; the table records where TSK falls short.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { compareWithTsk, summarise } from '../../../scripts/fat-images/compare-tsk.ts';
import { samplesAvailable, tmp } from './images.ts';

const haveTsk = (() => {
  try {
    execFileSync('tsk_recover', ['-V'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

let t: ReturnType<typeof tmp>;
beforeAll(() => {
  t = tmp('kc-tsk-');
});
afterAll(() => t?.cleanup());

describe.skipIf(!haveTsk || !samplesAvailable)('FAT: keycarve vs The Sleuth Kit', () => {
  it('keycarve exact everywhere; TSK wrong or missing on cleared high words, freed-gap fragments, quick format', async () => {
    const { rows, fls } = await compareWithTsk(t.dir);
    console.log(summarise(rows));
    expect(rows.filter((r) => r.keycarve !== 'exact')).toEqual([]);
    const tskBad = (img: string) => rows.filter((r) => r.image === img && r.tsk !== 'exact').length;
    expect(tskBad('fat32-windows-cleared-high-word')).toBeGreaterThan(0);
    // TSK lists the names in the surviving folder but hands back other clusters' bytes.
    expect(rows.some((r) => r.image === 'fat32-windows-cleared-high-word' && r.tsk === 'wrong-bytes')).toBe(true);
    expect(fls['fat32-windows-cleared-high-word']).toMatch(/Live-Folder\.000\/_eader\.key|_eader\.key/);
    expect(tskBad('fat12-fragmented-header')).toBeGreaterThan(0);
  });
});

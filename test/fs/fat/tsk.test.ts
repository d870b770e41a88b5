// keycarve vs The Sleuth Kit on the same images (tsk_recover -e, fls -r -d): keycarve must get every
// container file exact. TSK's figures are printed for comparison only, never asserted: a test
// that needs TSK to be wrong would break the day TSK is fixed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compareWithTsk, summarise } from '../../../scripts/fat-images/compare-tsk.ts';
import { requireTools } from '../../helpers/tools.ts';
import { tmp } from './images.ts';

const tools = requireTools('mkfs.vfat', 'mcopy', 'mmd', 'mdel', 'mdeltree', 'fls', 'tsk_recover');

let t: ReturnType<typeof tmp>;
beforeAll(() => {
  t = tmp('kc-tsk-');
});
afterAll(() => t?.cleanup());

tools.describe('FAT: keycarve vs The Sleuth Kit', () => {
  it('keycarve gets every container file exact on the images TSK is compared on', async () => {
    const { rows } = await compareWithTsk(t.dir);
    console.log(summarise(rows));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.keycarve !== 'exact')).toEqual([]);
  });
});

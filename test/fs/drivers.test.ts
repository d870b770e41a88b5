// The file-system stage probes every driver: a boot sector two drivers claim is reported as
// ambiguous and analysed by the surer one; a plain one is claimed by exactly one driver.
import { describe, expect, it } from 'vitest';
import { analyseMedia, claimVolume, FS_DRIVERS } from '../../src/fs/index.ts';
import type { FsProblem } from '../../src/fs/types.ts';
import { MemorySource } from '../../src/source/memory.ts';

/** A 4 MiB FAT12 superfloppy: BPB at sector 0, empty FATs and root directory. */
function fatImage(oem: string): Uint8Array {
  const img = new Uint8Array(4 << 20);
  const v = new DataView(img.buffer);
  img.set([0xeb, 0x3c, 0x90], 0);
  img.set(Array.from(oem, (c) => c.charCodeAt(0)), 3);
  v.setUint16(11, 512, true); // bytes per sector
  img[13] = 4; // sectors per cluster
  v.setUint16(14, 4, true); // reserved sectors
  img[16] = 2; // FATs
  v.setUint16(17, 512, true); // root entries
  v.setUint16(19, img.length / 512, true); // total sectors
  img[21] = 0xf8; // media
  v.setUint16(22, 8, true); // sectors per FAT
  img[510] = 0x55;
  img[511] = 0xaa;
  for (const fat of [4, 12]) img.set([0xf8, 0xff, 0xff], fat * 512); // media descriptor + EOC
  return img;
}

describe('file-system driver table', () => {
  it('one claimant for a plain FAT boot sector', () => {
    const boot = fatImage('MSDOS5.0').subarray(0, 512);
    expect(FS_DRIVERS.filter((d) => d.probe(boot) !== null).map((d) => d.name)).toEqual(['fat']);
    const problems: FsProblem[] = [];
    expect(claimVolume(boot, 0, problems)?.name).toBe('fat');
    expect(problems).toEqual([]);
  });

  it('a FAT boot sector announcing exFAT is ambiguous, recorded, and analysed as FAT', async () => {
    const img = fatImage('EXFAT   ');
    const boot = img.subarray(0, 512);
    expect(FS_DRIVERS.filter((d) => d.probe(boot) !== null).map((d) => d.name)).toEqual(['exfat', 'fat']);
    const r = await analyseMedia(new MemorySource(img).media(), []);
    expect(r.problems.filter((p) => /ambiguous/.test(p.what))).toEqual([
      { at: 0, what: 'volume at 0: boot sector claimed by fat (1) and exfat (0.5): ambiguous, analysed as fat' },
    ]);
    expect(r.volumes.map((v) => v.type)).toEqual(['fat12']);
  });

  it('the plain image gives the same volume without a problem about claims', async () => {
    const r = await analyseMedia(new MemorySource(fatImage('MSDOS5.0')).media(), []);
    expect(r.volumes.map((v) => v.type)).toEqual(['fat12']);
    expect(r.problems.some((p) => /ambiguous|no file system/.test(p.what))).toBe(false);
  });
});

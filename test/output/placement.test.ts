// byteRuns: exact runs for a fragmented file, a token frame's lead byte skipped, the tail cut at the file's length.
import { describe, expect, it } from 'vitest';
import { byteRuns, placementOf } from '../../src/output/placement.ts';
import type { FileEvidence } from '../../src/fs/types.ts';

const fs = (extents: { offset: number; length: number }[], more: Partial<FileEvidence> = {}): FileEvidence => ({
  evidence: 'fat-entry', name: 'header.key', parentName: 'a.000', parentPath: '/Keys/a.000', folderKey: null, deleted: true, size: 0, extents, confirmed: true, volumeOffset: 0, ...more,
});

describe('byteRuns', () => {
  it('splits a fragmented file over its extents, cut at its length, never rounded to a cluster', () => {
    const f = { offset: 4096, bytes: new Uint8Array(1500), fs: fs([{ offset: 4096, length: 512 }, { offset: 9216, length: 512 }, { offset: 9728, length: 1024 }]) };
    expect(byteRuns(f)).toEqual([
      { fileOffset: 0, imgOffset: 4096, length: 512 },
      { fileOffset: 512, imgOffset: 9216, length: 988 }, // two adjacent extents are one run
    ]);
  });

  it('skips a token frame lead byte', () => {
    const f = { offset: 1025, bytes: new Uint8Array(600), fs: fs([{ offset: 1024, length: 512 }, { offset: 8192, length: 512 }]) };
    expect(byteRuns(f)).toEqual([
      { fileOffset: 0, imgOffset: 1025, length: 511 },
      { fileOffset: 511, imgOffset: 8192, length: 89 },
    ]);
  });

  it('a carved file is one run; resident and rebuilt files have none', () => {
    expect(byteRuns({ offset: 512, bytes: new Uint8Array(70), fs: null })).toEqual([{ fileOffset: 0, imgOffset: 512, length: 70 }]);
    expect(byteRuns({ offset: -1, bytes: new Uint8Array(70), fs: null })).toEqual([]);
    const resident = { offset: -1, bytes: new Uint8Array(70), fs: fs([], { resident: new Uint8Array(70), evidence: 'ntfs-mft' }) };
    expect(placementOf(resident)).toMatchObject({ runs: [], resident: true, alloc: false, originalPath: '/Keys/a.000/header.key' });
  });
});

// Prints what the NTFS analyser (and, with --carve, the linear-pass records) finds on an image.
//   npx tsx scripts/ntfs-images/dump.ts <image> [--carve]
import { openSync, readSync, fstatSync } from 'node:fs';
import { analyseNtfs, parseNtfsBoot } from '../../src/fs/ntfs/index.ts';
import { filesFromRecords } from '../../src/fs/ntfs/records.ts';
import { ntfsRecordCarver } from '../../src/carve/ntfs-record.ts';
import type { Candidate } from '../../src/carve/types.ts';
import type { MediaReader } from '../../src/fs/types.ts';

const path = process.argv[2]!;
const fd = openSync(path, 'r');
const size = fstatSync(fd).size;
const reader: MediaReader = {
  size,
  async read(offset, length) {
    if (offset < 0 || offset >= size) return null;
    const b = new Uint8Array(Math.min(length, size - offset));
    readSync(fd, b, 0, b.length, offset);
    return b;
  },
};
const show = (files: readonly { name: string; parentPath: string | null; parentName: string | null; deleted: boolean; size: number; resident?: Uint8Array; extents: readonly { offset: number; length: number }[]; confirmed: boolean; folderKey: string | null }[]) => {
  for (const f of files)
    console.log(
      `${f.deleted ? 'DEL ' : 'live'} ${(f.parentPath ?? `?(${f.parentName})`) + '/' + f.name} size=${f.size} ${f.resident ? 'resident' : `extents=${f.extents.map((e) => `${e.offset}+${e.length}`).join(',')}`} ${f.confirmed ? 'confirmed' : ''} ${f.folderKey}`,
    );
};
if (process.argv.includes('--carve')) {
  const all = new Uint8Array(size);
  readSync(fd, all, 0, size, 0);
  const recs: Candidate[] = [];
  for (let o = 0; o + 512 <= size; o += 512) recs.push(...ntfsRecordCarver.carve({ base: 0, bytes: all, page: size }, o));
  const boot = parseNtfsBoot(all.subarray(0, 512));
  const r = filesFromRecords(recs, boot ? { offset: 0, clusterSize: boot.clusterSize, totalClusters: boot.totalClusters } : undefined);
  console.log(`carved ${recs.length} records; problems ${r.problems.length}`);
  show(r.files);
  for (const p of r.problems.slice(0, 10)) console.log('problem', p);
} else {
  const r = await analyseNtfs(reader, 0);
  if (!r) console.log('not NTFS');
  else {
    console.log(r.volume);
    show(r.files);
    for (const p of r.problems.slice(0, 20)) console.log('problem', p);
  }
}

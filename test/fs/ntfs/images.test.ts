// Real NTFS images (mkntfs + ntfs-3g): live and deleted containers, resident and non-resident
// header.key, a deleted container inside a deleted folder, and an image whose $MFT start and
// mirror are wiped so only FILE records found by the linear pass describe the files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyseNtfs, probeNtfs } from '../../../src/fs/ntfs/index.ts';
import { filesFromRecords } from '../../../src/fs/ntfs/records.ts';
import { parseNtfsBoot } from '../../../src/fs/ntfs/boot.ts';
import type { FileEvidence } from '../../../src/fs/types.ts';
import { writeFixtureTree } from '../../helpers/fixture-tree.ts';
import { requireTools } from '../../helpers/tools.ts';
import { bytesOf, carveAll, MAKE, NTFS_TOOLS, sample } from './util.ts';
import { WANT_A, WANT_B, type Want } from '../../../scripts/ntfs-images/expected.ts';
import { MemorySource } from '../../../src/source/memory.ts';

const ntfs = requireTools(...NTFS_TOOLS);
const tsk = requireTools('fls');
let dir = '';
let A = new Uint8Array(0);
let B = new Uint8Array(0);

beforeAll(() => {
  if (!ntfs.ok) return;
  dir = mkdtempSync(join(tmpdir(), 'kc-ntfs-'));
  execFileSync('bash', [MAKE, dir, writeFixtureTree(join(dir, 'samples'))], { stdio: 'pipe' });
  A = new Uint8Array(readFileSync(join(dir, 'a.img')));
  B = new Uint8Array(readFileSync(join(dir, 'b.img')));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every file of the sample container is there, bit-exact, in one folder, with names. */
function expectContainer(img: Uint8Array, files: readonly FileEvidence[], w: Want) {
  const want = sample(w.sample);
  const folder = w.path.split('/').pop()!;
  const got = files.filter((f) => f.parentName === folder && f.parentPath === w.path);
  expect(got.map((f) => f.name).sort()).toEqual(Object.keys(want).sort());
  expect(new Set(got.map((f) => f.folderKey)).size).toBe(1);
  for (const f of got) {
    expect(f.deleted, `${w.path}/${f.name} deleted`).toBe(w.deleted);
    expect(f.evidence).toBe('ntfs-mft');
    expect(Buffer.from(bytesOf(img, f)).equals(Buffer.from(want[f.name]!)), `${w.path}/${f.name} bytes`).toBe(true);
  }
  const header = got.find((f) => f.name === 'header.key')!;
  expect(header.resident === undefined).toBe(w.nonResidentHeader);
}

ntfs.describe('NTFS images', () => {
  it('walks the $MFT: live and deleted containers come back bit-exact with names', async () => {
    expect(probeNtfs(A.subarray(0, 512))).toBe(true);
    const r = (await analyseNtfs(new MemorySource(A).media(), 0))!;
    expect(r.volume).toMatchObject({ type: 'ntfs', offset: 0, size: 16 << 20, clusterSize: 4096, label: 'KEYS' });
    for (const w of WANT_A) expectContainer(A, r.files, w);
    // Key files are confirmed by identifyKeyFile (resident bytes, and clusters read back).
    expect(r.files.filter((f) => f.name.endsWith('.key')).every((f) => f.confirmed)).toBe(true);
    const hdr = r.files.find((f) => f.parentName === 'g2001.000' && f.name === 'header.key')!;
    expect(hdr.extents.length).toBe(1);
    expect(hdr.times?.created).toMatch(/^\d{4}-/);
    expect(r.problems).toEqual([]);
  });

  it('uses the backup boot sector when the first sector is gone', async () => {
    const img = A.slice();
    img.fill(0, 0, 512);
    expect(probeNtfs(img.subarray(0, 512))).toBe(false);
    const r = (await analyseNtfs(new MemorySource(img).media(), 0))!;
    expect(r.volume.foundBy).toBe('backup-boot');
    for (const w of WANT_A) expectContainer(img, r.files, w);
  });

  it('falls back to $MFTMirr for record 0', async () => {
    const img = A.slice();
    const boot = parseNtfsBoot(img)!;
    img.fill(0, boot.mftLcn * boot.clusterSize, boot.mftLcn * boot.clusterSize + 1024);
    const r = (await analyseNtfs(new MemorySource(img).media(), 0))!;
    expect(r.problems.some((p) => /MFTMirr/.test(p.what))).toBe(true);
    for (const w of WANT_A) expectContainer(img, r.files, w);
  });

  it('skips and counts a record with a torn fix-up, keeps the rest', async () => {
    const img = A.slice();
    const boot = parseNtfsBoot(img)!;
    const r0 = (await analyseNtfs(new MemorySource(img).media(), 0))!;
    const victim = r0.files.find((f) => f.parentName === 'srv.000' && f.name === 'masks.key')!;
    // Find that record (resident bytes inside it) and break its second block's check value.
    const at = Buffer.from(img).indexOf(Buffer.from(victim.resident!));
    const rec = at - (at % boot.recordSize);
    img[rec + 1022] = img[rec + 1022]! ^ 0xff;
    const r = (await analyseNtfs(new MemorySource(img).media(), 0))!;
    expect(r.problems.some((p) => p.at === rec && /fix-up/.test(p.what))).toBe(true);
    expect(r.files.length).toBe(r0.files.length - 1);
  });

  it('a wiped folder record is named again by its parent index (INDX block and $INDEX_ROOT)', async () => {
    const img = A.slice();
    const boot = parseNtfsBoot(img)!;
    const r0 = (await analyseNtfs(new MemorySource(img).media(), 0))!;
    for (const folder of ['srv.000', 'obnokykb.000']) {
      const num = Number(r0.files.find((f) => f.parentName === folder)!.folderKey!.split(':')[2]);
      // The $MFT is contiguous on this fresh image.
      const at = boot.mftLcn * boot.clusterSize + num * boot.recordSize;
      img.fill(0, at, at + boot.recordSize);
    }
    const r = (await analyseNtfs(new MemorySource(img).media(), 0))!;
    for (const w of WANT_A) expectContainer(img, r.files, w);
  });

  tsk.it('agrees with The Sleuth Kit on which entries are deleted', async () => {
    const fls = execFileSync('fls', ['-r', '-d', '-p', join(dir, 'a.img')]).toString();
    const theirs = fls.split('\n').filter((l) => /^[-r]\/r \* \d+-128/.test(l)).map((l) => '/' + l.split('\t')[1]).sort();
    expect(theirs.length).toBeGreaterThan(0);
    const r = await analyseNtfs(new MemorySource(A).media(), 0);
    const ours = r!.files.filter((f) => f.deleted).map((f) => `${f.parentPath}/${f.name}`).sort();
    expect(ours).toEqual(theirs);
  });

  it('the same records found by the linear pass give the same files (a.img)', () => {
    const boot = parseNtfsBoot(A)!;
    const r = filesFromRecords(carveAll(A), { offset: 0, clusterSize: boot.clusterSize, totalClusters: boot.totalClusters });
    for (const w of WANT_A) expectContainer(A, r.files, w);
  });

  it('wiped $MFT start: the walk fails, the linear-pass records still give every container', async () => {
    const plain = (await analyseNtfs(new MemorySource(B).media(), 0))!;
    expect(plain.volume.clusterSize).toBe(512);
    expect(plain.files).toEqual([]);
    expect(plain.problems.some((p) => /cannot be walked/.test(p.what))).toBe(true);

    const recs = carveAll(B);
    expect(recs.every((c) => c.checks.includes('fixup'))).toBe(true);
    const boot = parseNtfsBoot(B)!;
    const viaRecords = filesFromRecords(recs, { offset: 0, clusterSize: boot.clusterSize, totalClusters: boot.totalClusters });
    for (const w of WANT_B) expectContainer(B, viaRecords.files, w);

    // analyseNtfs given the scan's records: same files, and non-resident ones confirmed.
    const withRecs = (await analyseNtfs(new MemorySource(B).media(), 0, { records: recs }))!;
    for (const w of WANT_B) expectContainer(B, withRecs.files, w);
    expect(withRecs.files.filter((f) => f.name.endsWith('.key')).every((f) => f.confirmed)).toBe(true);

    // No volume known: names, parents and resident data still; non-resident sizes without extents.
    const blind = filesFromRecords(recs);
    const h = blind.files.find((f) => f.parentName === '00000000.000' && f.name === 'header.key')!;
    expect(h).toMatchObject({ size: sample('svkreml_ExtractPkey/00000000.000')['header.key']!.length, extents: [], confirmed: false });
    const m = blind.files.find((f) => f.parentName === '00000000.000' && f.name === 'masks.key')!;
    expect(m.confirmed).toBe(true);
  });
});

// Hostile and odd records built by hand: run-list bombs, attribute-list loops, bad fix-ups,
// folder cycles, sparse data; plus a small synthetic volume for the $MFT walk itself.
import { describe, expect, it } from 'vitest';
import { ntfsRecordCarver } from '../../../src/carve/ntfs-record.ts';
import { filesFromRecords } from '../../../src/fs/ntfs/records.ts';
import { analyseNtfs, parseNtfsBoot, probeNtfs } from '../../../src/fs/ntfs/index.ts';
import { applyFixups, parseRecord } from '../../../src/layout/ntfs-record.ts';
import { decodeRuns } from '../../../src/fs/ntfs/runlist.ts';
import { buildNodes, Folders, refersTo } from '../../../src/fs/ntfs/model.ts';
import { indxEntries } from '../../../src/fs/ntfs/indx.ts';
import { attrList, candidates, carveAll, fileName, nonResident, record, resident, sample } from './util.ts';
import { MemorySource } from '../../../src/source/memory.ts';

const VOL = { offset: 0, clusterSize: 4096, totalClusters: 4096 };
const DATA = 0x80;
const FN = 0x30;
const AL = 0x20;
const MASKS = sample('kov-serg_get-cpcert/g2001.000')['masks.key']!;

function dirRec(num: number, parent: number, name: string, seq = 1, flags = 3) {
  return record({ num, seq, flags, attrs: [resident(FN, fileName(parent, 5, name, 1, true))] });
}
function fileRec(num: number, parent: number, parentSeq: number, name: string, data: Uint8Array, flags = 1) {
  return record({ num, flags, attrs: [resident(FN, fileName(parent, parentSeq, name)), data] });
}
function nr(runs: number[], lastVcn: number, real: number, init?: number) {
  return nonResident(DATA, runs, { lastVcn, alloc: (lastVcn + 1) * 4096, real, ...(init !== undefined ? { init } : {}) });
}

describe('run lists', () => {
  it('decodes a plain and a sparse run list', () => {
    const r = decodeRuns(Uint8Array.from([0x21, 0x02, 0x10, 0x00, 0x01, 0x02, 0x11, 0x01, 0xfe, 0]), 0, 4, 4096);
    expect(r).toEqual({ ok: true, runs: [{ vcn: 0, lcn: 16, length: 2 }, { vcn: 2, lcn: null, length: 2 }, { vcn: 4, lcn: 14, length: 1 }] });
  });
  it.each([
    ['huge length', [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x10]],
    ['2^40 length', [0x16, 0, 0, 0, 0, 0, 1, 0x10]],
    ['offset past the volume', [0x31, 0x01, 0x00, 0x00, 0x10]],
    ['negative LCN', [0x11, 0x01, 0x80]],
    ['more clusters than the VCN span', [0x11, 0x05, 0x10]],
    ['zero length', [0x11, 0x00, 0x10]],
    ['bad header nibble', [0x19, 0x01]],
  ])('rejects %s', (_, runs) => {
    expect(decodeRuns(Uint8Array.from(runs), 0, 0, 4096).ok).toBe(false);
  });
});

describe('filesFromRecords on hostile records', () => {
  it('keeps the good file, skips and counts each bomb, never hangs', () => {
    const recs = [
      record({ num: 64, flags: 3, attrs: [resident(FN, fileName(5, 5, 'good.000', 1, true))] }),
      fileRec(65, 64, 1, 'header.key', nr([0x11, 0x01, 0x10], 0, 100)),
      fileRec(66, 64, 1, 'huge.key', nr([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x10], 0, 100)),
      fileRec(67, 64, 1, 'past.key', nr([0x31, 0x01, 0x00, 0x00, 0x10], 0, 100)),
      fileRec(68, 64, 1, 'overlap.key', nr([0x11, 0x02, 0x10, 0x11, 0x02, 0xff], 3, 16384)),
      fileRec(69, 64, 1, 'span.key', nr([0x11, 0x05, 0x10], 0, 100)),
      fileRec(70, 64, 1, 'sizes.key', nonResident(DATA, [0x11, 0x01, 0x10], { lastVcn: 0, alloc: 4096, real: 2 ** 40 })),
      fileRec(71, 64, 1, 'compressed.key', nonResident(DATA, [0x11, 0x01, 0x10], { lastVcn: 0, alloc: 4096, real: 100, flags: 1 })),
    ];
    const r = filesFromRecords(candidates(recs.map((bytes, i) => ({ at: i * 1024, bytes }))), VOL);
    expect(r.files.map((f) => f.name)).toEqual(['header.key']);
    expect(r.files[0]).toMatchObject({ parentName: 'good.000', parentPath: '/good.000', extents: [{ offset: 16 * 4096, length: 100 }], folderKey: 'ntfs:0:64:1' });
    expect(r.problems.length).toBe(6);
  });

  it('attribute-list loops: lists are never followed, extensions come by their base reference', () => {
    const base = record({
      num: 100,
      attrs: [resident(AL, attrList([{ type: FN, ref: 100 }, { type: DATA, ref: 101 }, { type: DATA, ref: 100 }, { type: DATA, ref: 102 }, { type: DATA, ref: 101 }])), resident(FN, fileName(5, 5, 'masks.key'))],
    });
    const ext = record({ num: 101, base: 100, baseSeq: 1, attrs: [resident(DATA, MASKS)] });
    // An "extension" of an extension, with its own list pointing back at the base.
    const ext2 = record({ num: 102, base: 101, baseSeq: 1, attrs: [resident(AL, attrList([{ type: DATA, ref: 100 }, { type: DATA, ref: 102 }]))] });
    // A record claiming to be its own extension.
    const self = record({ num: 103, base: 103, baseSeq: 1, attrs: [resident(AL, attrList([{ type: DATA, ref: 103 }])), resident(DATA, MASKS)] });
    const r = filesFromRecords(candidates([base, ext, ext2, self].map((bytes, i) => ({ at: i * 1024, bytes }))), VOL);
    expect(r.files.length).toBe(1);
    expect(r.files[0]).toMatchObject({ name: 'masks.key', parentPath: '/', size: 56, confirmed: true });
    expect(Buffer.from(r.files[0]!.resident!).equals(Buffer.from(MASKS))).toBe(true);
  });

  it('an attribute list that excludes an extension keeps it out', () => {
    const base = record({ num: 100, attrs: [resident(AL, attrList([{ type: FN, ref: 100 }])), resident(FN, fileName(5, 5, 'x.key'))] });
    const ext = record({ num: 101, base: 100, baseSeq: 1, attrs: [resident(DATA, MASKS)] });
    const r = filesFromRecords(candidates([base, ext].map((bytes, i) => ({ at: i * 1024, bytes }))), VOL);
    expect(r.files).toEqual([]);
  });

  it('bad fix-ups are skipped and counted', () => {
    const good = fileRec(65, 5, 5, 'a.key', resident(DATA, MASKS));
    const torn = fileRec(66, 5, 5, 'b.key', resident(DATA, MASKS));
    torn[510] = torn[510]! ^ 0x55;
    const c = candidates([{ at: 0, bytes: good }, { at: 1024, bytes: torn }]);
    expect(c.map((x) => x.checks.includes('fixup'))).toEqual([true, false]);
    const r = filesFromRecords(c, VOL);
    expect(r.files.map((f) => f.name)).toEqual(['a.key']);
    expect(r.problems).toEqual([{ at: 1024, what: 'FILE record with a bad fix-up skipped' }]);
    expect(applyFixups(torn, 1024)).toBeNull();
  });

  it('malformed attribute headers make the record fail, not loop', () => {
    const rec = fileRec(65, 5, 5, 'a.key', resident(DATA, MASKS));
    const fixed = applyFixups(rec, 1024)!;
    const first = fixed[0x14]!;
    const zeroLen = fixed.slice();
    zeroLen.set([0, 0, 0, 0], first + 4);
    expect(parseRecord(zeroLen).ok).toBe(false);
    const longLen = fixed.slice();
    longLen.set([0, 0x10, 0, 0], first + 4);
    expect(parseRecord(longLen).ok).toBe(false);
  });

  it('folder cycles and deleted parents', () => {
    const recs = [
      record({ num: 200, flags: 3, attrs: [resident(FN, fileName(201, 1, 'a', 1, true))] }),
      record({ num: 201, flags: 3, attrs: [resident(FN, fileName(200, 1, 'b', 1, true))] }),
      fileRec(202, 200, 1, 'masks.key', resident(DATA, MASKS)),
      // Deleted folder: freeing bumped its sequence to 2; the deleted child still says 1.
      record({ num: 300, seq: 2, flags: 2, attrs: [resident(FN, fileName(5, 5, 'gone.000', 1, true))] }),
      fileRec(301, 300, 1, 'masks.key', resident(DATA, MASKS), 0),
      // Reused folder number: sequence 7 does not match the child's 1 → name unknown.
      record({ num: 400, seq: 7, flags: 3, attrs: [resident(FN, fileName(5, 5, 'other', 1, true))] }),
      fileRec(401, 400, 1, 'masks.key', resident(DATA, MASKS), 0),
    ];
    const r = filesFromRecords(candidates(recs.map((bytes, i) => ({ at: i * 1024, bytes }))), VOL);
    const by = (n: number) => r.files.find((f) => f.folderKey === `ntfs:0:${n}:1`)!;
    expect(by(200)).toMatchObject({ parentName: 'a', parentPath: null });
    expect(by(300)).toMatchObject({ parentName: 'gone.000', parentPath: '/gone.000', deleted: true });
    expect(by(400)).toMatchObject({ parentName: null, parentPath: null });
    expect(by(400).folderNote).toMatch(/folder record \(MFT 400, sequence 1\) was reused by "other" \(sequence 7\)/);
  });

  it('sequence numbers: a record the reference no longer names is not the one it meant', () => {
    // TSK's rule: in use → the same sequence; deleted → one above (bumped when freed), 0xFFFF wraps to 1.
    expect([refersTo({ num: 9, seq: 3 }, { seq: 3, inUse: true }), refersTo({ num: 9, seq: 3 }, { seq: 4, inUse: true })]).toEqual([true, false]);
    expect([refersTo({ num: 9, seq: 3 }, { seq: 4, inUse: false }), refersTo({ num: 9, seq: 3 }, { seq: 5, inUse: false })]).toEqual([true, false]);
    expect(refersTo({ num: 9, seq: 0xffff }, { seq: 1, inUse: false })).toBe(true);
    // A remnant that names a file (desktop.ini now in the folder's old record) is no folder.
    const parsed = parseRecord(applyFixups(fileRec(71, 70, 1, 'masks.key', resident(DATA, MASKS), 0), 1024)!);
    if (!parsed.ok) throw new Error(parsed.why);
    const nodes = buildNodes([{ num: 71, offset: 0, rec: parsed.record }], []);
    const remnant = (isDir: boolean) => new Map([['70:1', { name: 'desktop.ini', parent: { num: 5, seq: 5 }, isDir }]]);
    expect(new Folders(nodes, remnant(false)).resolve({ num: 70, seq: 1 }, 0)).toEqual({ name: null, path: null });
    expect(new Folders(nodes, remnant(true)).resolve({ num: 70, seq: 1 }, 0)).toEqual({ name: 'desktop.ini', path: '/desktop.ini' });
  });

  it('sequence numbers in $ATTRIBUTE_LIST and extension headers: a deleted file keeps its extension, a reused one is refused', () => {
    // Deleted base (seq 1 → 2) whose extension (seq 1 → 2) still says base seq 1 and is listed at seq 1.
    const base = record({ num: 110, seq: 2, flags: 0, attrs: [resident(AL, attrList([{ type: FN, ref: 110 }, { type: DATA, ref: 111, seq: 1 }])), resident(FN, fileName(5, 5, 'masks.key'))] });
    const ext = record({ num: 111, seq: 2, flags: 0, base: 110, baseSeq: 1, attrs: [resident(DATA, MASKS)] });
    // Live base whose list names record 121 at seq 1, but 121 now holds seq 4: another file's extension.
    const base2 = record({ num: 120, attrs: [resident(AL, attrList([{ type: FN, ref: 120 }, { type: DATA, ref: 121, seq: 1 }])), resident(FN, fileName(5, 5, 'primary.key'))] });
    const ext2 = record({ num: 121, seq: 4, base: 120, baseSeq: 1, attrs: [resident(DATA, MASKS)] });
    const r = filesFromRecords(candidates([base, ext, base2, ext2].map((bytes, i) => ({ at: i * 1024, bytes }))), VOL);
    expect(r.files.map((f) => [f.name, f.deleted, f.size])).toEqual([['masks.key', true, 56]]);
  });

  it('sequence numbers in INDX entries: entries of an earlier occupant of the folder record are not its children', () => {
    const entry = (name: string, parentSeq: number) => {
      const fn = fileName(70, parentSeq, name);
      const len = (0x10 + fn.length + 7) & ~7;
      const e = new Uint8Array(len);
      e.set([71, 0, 0, 0, 0, 0, 1, 0]); // child ref 71, seq 1
      e.set([len & 0xff, len >> 8, fn.length & 0xff, fn.length >> 8], 8);
      e.set(fn, 0x10);
      return e;
    };
    const block = new Uint8Array(0x20 + 2 * 0x80);
    block.set([0x10], 0x10); // entries start 0x10 after the node header at 0x10
    block.set(entry('old.key', 1), 0x20);
    block.set(entry('new.key', 2), 0x20 + 0x80);
    expect(indxEntries(block, { num: 70, seq: 2, inUse: true }, 0x10).map((e) => e.name)).toEqual(['new.key']);
    expect(indxEntries(block, { num: 70, seq: 1, inUse: true }, 0x10).map((e) => e.name)).toEqual(['old.key']);
    expect(indxEntries(block, { num: 70, seq: 3, inUse: false }, 0x10).map((e) => e.name)).toEqual(['new.key']);
  });

  it('prefers the Win32 name over the DOS one', () => {
    const rec = record({ num: 65, attrs: [resident(FN, fileName(5, 5, 'PRIMAR~1.KEY', 2)), resident(FN, fileName(5, 5, 'primary2.key', 1)), resident(DATA, MASKS)] });
    expect(filesFromRecords(candidates([{ at: 0, bytes: rec }]), VOL).files[0]!.name).toBe('primary2.key');
  });

  it('random damage never throws', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    const base = fileRec(65, 64, 1, 'header.key', nr([0x21, 0x02, 0x10, 0x00, 0x11, 0x01, 0x7f], 2, 9000));
    for (let i = 0; i < 3000; i++) {
      const b = base.slice();
      for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) b[4 + Math.floor(rnd() * 1020)] = Math.floor(rnd() * 256);
      const r = filesFromRecords(candidates([{ at: 0, bytes: b }]), VOL);
      expect(r.files.length + r.problems.length).toBeLessThanOrEqual(2);
    }
  });
});

describe('boot sector bounds', () => {
  it('an index record size that would set huge INDX reads falls back to 4 KiB', () => {
    const b = new Uint8Array(512);
    b.set([0x4e, 0x54, 0x46, 0x53, 0x20, 0x20, 0x20, 0x20], 3);
    b.set([0x00, 0x02, 8], 0x0b); // 512-byte sectors, 8 per cluster
    b.set([0x00, 0x80], 0x28); // 32768 sectors
    b[0x30] = 4;
    b[0x38] = 2;
    b[0x40] = 0xf6; // 2^10-byte records
    const size = (v: number) => {
      b[0x44] = v;
      return parseNtfsBoot(b)?.indexRecordSize;
    };
    expect([size(1), size(16), size(64)]).toEqual([4096, 65536, 4096]); // 64 clusters = 256 KiB: refused
  });
});

describe('carver', () => {
  it('needs the FILE shape and copes with a record cut by the chunk end', () => {
    const rec = fileRec(65, 5, 5, 'a.key', resident(DATA, MASKS));
    expect(ntfsRecordCarver.anchors).toEqual([{ at: 0, bytes: Uint8Array.of(0x46, 0x49, 0x4c, 0x45) }]);
    expect(ntfsRecordCarver.maxLength).toBe(4096);
    const cut = ntfsRecordCarver.carve({ base: 512, bytes: rec.subarray(0, 700), page: 512 }, 0);
    expect(cut).toMatchObject([{ offset: 512, truncated: true, checks: ['anchor'] }]);
    const bad = rec.slice();
    bad[0x1c] = 3; // allocated size not a power of two
    expect(ntfsRecordCarver.carve({ base: 0, bytes: bad, page: 512 }, 0)).toEqual([]);
    expect(ntfsRecordCarver.carve({ base: 0, bytes: rec, page: 512 }, 1000)).toEqual([]);
    expect(carveAll(new Uint8Array(4096).fill(0x46))).toEqual([]);
  });
  it('handles 4 KiB records', () => {
    const rec = record({ num: 70, size: 4096, attrs: [resident(FN, fileName(5, 5, 'x.key')), resident(DATA, MASKS)] });
    const c = carveAll(rec);
    expect(c.length).toBe(1);
    expect(c[0]!.bytes.length).toBe(4096);
    expect(filesFromRecords(c, VOL).files[0]!.size).toBe(56);
  });
});

// ---- a synthetic volume: 2 MiB, 4 KiB clusters, $MFT of 128 records at LCN 4, mirror at LCN 300 ----

function volume(recs: Map<number, Uint8Array>, mft0?: Uint8Array): Uint8Array {
  const cs = 4096;
  const img = new Uint8Array(2 << 20);
  const boot = new Uint8Array(512);
  boot.set([0xeb, 0x52, 0x90, ...Buffer.from('NTFS    ')]);
  boot.set([0x00, 0x02, 8], 0x0b);
  const dv = new DataView(boot.buffer);
  dv.setBigUint64(0x28, BigInt(img.length / 512 - 1), true);
  dv.setBigUint64(0x30, 4n, true);
  dv.setBigUint64(0x38, 300n, true);
  boot[0x40] = 0xf6; // 2^10 = 1 KiB records
  boot[0x44] = 1;
  boot.set([0x55, 0xaa], 510);
  img.set(boot, 0);
  img.set(boot, img.length - 512);
  const rec0 = mft0 ?? record({ num: 0, attrs: [resident(FN, fileName(5, 5, '$MFT')), nonResident(DATA, [0x11, 32, 4], { lastVcn: 31, alloc: 131072, real: 131072 })] });
  img.set(rec0, 4 * cs);
  img.set(rec0, 300 * cs);
  for (const [n, r] of recs) img.set(r, 4 * cs + n * 1024);
  return img;
}

describe('$MFT walk on a synthetic volume', () => {
  it('materialises sparse and partly initialised small files with their zeros', async () => {
    const img = volume(
      new Map([
        [64, fileRec(64, 5, 5, 'sparse.bin', nr([0x11, 0x01, 0x40, 0x01, 0x01, 0x11, 0x01, 0x01], 2, 3 * 4096))],
        [65, fileRec(65, 5, 5, 'uninit.bin', nr([0x11, 0x01, 0x50], 0, 4000, 10))],
      ]),
    );
    img.fill(0xaa, 0x40 * 4096, 0x42 * 4096);
    img.fill(0xbb, 0x50 * 4096, 0x51 * 4096);
    expect(probeNtfs(img)).toBe(true);
    const r = (await analyseNtfs(new MemorySource(img).media(), 0))!;
    const sp = r.files.find((f) => f.name === 'sparse.bin')!;
    expect(sp.size).toBe(3 * 4096);
    expect([sp.resident![0], sp.resident![4096], sp.resident![8192]]).toEqual([0xaa, 0, 0xaa]);
    const un = r.files.find((f) => f.name === 'uninit.bin')!;
    expect([un.resident![9], un.resident![10], un.resident!.length]).toEqual([0xbb, 0, 4000]);
  });

  it('a $MFT run-list bomb makes the MFT unwalkable, not the process hang', async () => {
    const bomb = record({ num: 0, attrs: [nonResident(DATA, [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 4], { lastVcn: 15, alloc: 65536, real: 65536 })] });
    const r = (await analyseNtfs(new MemorySource(volume(new Map(), bomb)).media(), 0))!;
    expect(r.files).toEqual([]);
    expect(r.problems.some((p) => /cannot be walked/.test(p.what))).toBe(true);
  });

  it('a $MFT attribute list pointing at itself and at garbage is bounded', async () => {
    const rec0 = record({
      num: 0,
      attrs: [
        resident(AL, attrList([{ type: DATA, ref: 0 }, { type: DATA, ref: 1, vcn: 32 }, { type: DATA, ref: 2, vcn: 32 }, { type: DATA, ref: 99999, vcn: 32 }])),
        nonResident(DATA, [0x11, 32, 4], { lastVcn: 31, alloc: 131072 * 2, real: 131072 * 2 }),
      ],
    });
    const img = volume(new Map([[64, fileRec(64, 5, 5, 'masks.key', resident(DATA, MASKS))]]), rec0);
    const r = (await analyseNtfs(new MemorySource(img).media(), 0))!;
    expect(r.files.map((f) => f.name)).toEqual(['masks.key']);
  });

  it('random damage to the MFT never throws', async () => {
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    const clean = volume(new Map([[64, fileRec(64, 5, 5, 'h.key', nr([0x11, 0x01, 0x40], 0, 100))]]));
    for (let i = 0; i < 300; i++) {
      const img = clean.slice();
      for (let k = 0; k < 8; k++) img[4 * 4096 + Math.floor(rnd() * 1024) + (rnd() < 0.5 ? 0 : 64 * 1024)] = Math.floor(rnd() * 256);
      const r = await analyseNtfs(new MemorySource(img).media(), 0);
      expect(r).not.toBeNull();
    }
  });
});

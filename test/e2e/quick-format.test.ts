/**
 * Reassembler end to end (issue 6): several deleted containers of all three algorithms, with and
 * without passwords, a Cyrillic name, a `.001` copy, plus decoys — then the same after a quick
 * format, where only cryptography can group the files. No decoy may ever be intact or verified.
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer, seededRandom, writeContainerDir } from '../helpers/containers.ts';
import { requireTools } from '../helpers/tools.ts';
import { mtools, scanTo, tempDir } from './helpers.ts';
import type { Report } from '../../src/output/report.ts';
import type { WrittenContainer } from '../../src/format/writer.ts';
import type { PassProgress } from '../../src/scan/linear-pass.ts';
import { SWEEP_STAGE } from '../../src/run/scan-run.ts';

const fat = requireTools('mkfs.vfat', 'mcopy', 'mmd', 'mdeltree');
const t = tempDir();
const img = join(t.dir, 'disk.img');
type Fixture = { dir: string; c: WrittenContainer; password: string };
const fixtures: Fixture[] = [];
const sha = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const decoyHashes = new Set<string>();

function build(): void {
  execFileSync('truncate', ['-s', '24M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-s', '2', '-n', 'KEYS', img], { stdio: 'ignore' });
  const k1 = makeContainer({ algorithm: 'gost2001', seed: 'a' }).privateKey;
  const add = (dir: string, c: WrittenContainer, password = '') => fixtures.push({ dir, c, password });
  add('/a2001pw.000', makeContainer({ algorithm: 'gost2001', seed: 'a', privateKey: k1, name: 'a2001pw', password: 'secret1',
    certificate: makeCertificate({ generation: 'gost2001', privateKey: k1, subject: 'Сертификат 2001', padding: 700 }) }), 'secret1');
  add('/b256nopw.000', makeContainer({ algorithm: 'gost2012-256', seed: 'b', name: 'b256nopw' }));
  add('/c512pw.000', makeContainer({ algorithm: 'gost2012-512', seed: 'c', name: 'c512pw', password: 'Пароль7' }), 'Пароль7');
  add('/obnokykb.000', makeContainer({ algorithm: 'gost2012-256', seed: 'd', name: 'Тестовый контейнер Иванова' }));
  const copyOf = fixtures[1]!.c.privateKey;
  add('/b256nopw.001', makeContainer({ algorithm: 'gost2012-256', seed: 'b2', privateKey: copyOf, name: 'b256nopw - копия' }));
  const stage = join(t.dir, 'stage');
  for (const f of fixtures) {
    const local = writeContainerDir(join(stage, f.dir.slice(1)), f.c.files);
    mtools(img, 'mmd', `::${f.dir}`);
    for (const name of Object.keys(f.c.files)) mtools(img, 'mcopy', join(local, name), `::${f.dir}/${name}`);
  }
  // Decoys: key-file shapes with random contents, a header whose MAC is broken, an unrelated certificate.
  const r = seededRandom('decoys');
  const decoys: [string, Uint8Array][] = [
    ['PRIMARY.BIN', Uint8Array.of(0x30, 0x22, 0x04, 0x20, ...r(32))],
    ['MASKS.BIN', Uint8Array.of(0x30, 0x36, 0x04, 0x20, ...r(32), 0x04, 0x0c, ...r(12), 0x04, 0x04, ...r(4))],
  ];
  const broken = makeContainer({ algorithm: 'gost2012-256', seed: 'broken', name: 'broken' }).files['header.key']!.slice();
  broken[40]! ^= 0x01;
  decoys.push(['HDR.BIN', broken]);
  const stranger = makeContainer({ algorithm: 'gost2012-256', seed: 'stranger' }).privateKey;
  decoys.push(['OTHER.CER', makeCertificate({ generation: 'gost2012-256', privateKey: stranger, subject: 'Посторонний' })]);
  for (const [name, bytes] of decoys) {
    decoyHashes.add(sha256(bytes));
    writeFileSync(join(stage, name), bytes);
    mtools(img, 'mcopy', join(stage, name), `::/${name}`);
  }
  for (const f of fixtures) mtools(img, 'mdeltree', `::${f.dir}`);
}

const passwords = ['secret1', 'Пароль7'];
let before: Report;
let after: Report;
let quickAfter: Report;
const quickStages: string[] = [];
const quickProgress: PassProgress[] = [];
const outBefore = join(t.dir, 'out-before');
const outAfter = join(t.dir, 'out-after');
const outQuick = join(t.dir, 'out-quick');

beforeAll(async () => {
  if (!fat.ok) return;
  build();
  ({ report: before } = await scanTo(img, outBefore, { passwords }));
  // Quick format: new FAT and root directory over the same data area.
  execFileSync('mkfs.vfat', ['-F', '16', '-s', '2', '-n', 'NEW', img], { stdio: 'ignore' });
  ({ report: after } = await scanTo(img, outAfter, { passwords }));
  ({ report: quickAfter } = await scanTo(img, outQuick, { passwords, quick: true, onStage: (s) => quickStages.push(s), onProgress: (p) => quickProgress.push(p) }));
}, 300_000);

function checkAll(report: Report, out: string, withNames: boolean) {
  for (const f of fixtures) {
    // masks.key holds a random mask and salt: it identifies the container (headers of copies can be identical).
    const c = report.containers.find((x) => x.files['masks.key']?.sha256 === createHash('sha256').update(f.c.files['masks.key']!).digest('hex'));
    expect(c, f.dir).toBeDefined();
    expect(c!.status, f.dir).toBe('verified');
    // A deleted FAT folder loses its first letter; name.key restores it only for ASCII names.
    if (withNames) expect(c!.dir).toBe(f.dir === '/obnokykb.000' ? 'containers/_bnokykb.000' : `containers${f.dir}`);
    for (const [name, bytes] of Object.entries(f.c.files)) {
      expect(sha(new Uint8Array(readFileSync(join(out, c!.dir, name)))), `${f.dir}/${name}`).toBe(sha(bytes));
    }
  }
}

fat.describe('reassembler end to end', () => {
  it('recovers every deleted container verified, bit-exact, with its folder name', () => {
    checkAll(before, outBefore, true);
    const cyr = before.containers.find((c) => c.dir === 'containers/_bnokykb.000')!;
    expect(cyr.name).toBe('Тестовый контейнер Иванова');
    expect(before.containers.find((c) => c.dir === 'containers/c512pw.000')).toMatchObject({ password: 1, algorithm: 'gost2012-512' });
  });

  it('links the .001 copy to its original', () => {
    const a = before.containers.find((c) => c.dir === 'containers/b256nopw.000')!;
    expect(a.copies).toEqual(['containers/b256nopw.001']);
  });

  it('after a quick format, still recovers every container verified and bit-exact (orphan directory clusters)', () => {
    checkAll(after, outAfter, false);
    for (const c of after.containers) expect(c.evidence.some((e) => e === 'orphan-dir' || e === 'crypto-pairing')).toBe(true);
  });

  it('after a quick format, --quick (no pass) finds them too, reading the free clusters for orphaned folders', () => {
    checkAll(quickAfter, outQuick, false);
    for (const c of quickAfter.containers) expect(c.evidence).toContain('orphan-dir');
    // The sweep is a stage of its own, counted as a pass is: from 0, in order, to every free byte of the 24 MiB volume.
    expect(quickStages).toEqual(['file systems', SWEEP_STAGE, 'reassembling', 'writing']);
    const done = quickProgress.map((x) => x.bytesDone);
    expect(done[0]).toBe(0);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBeGreaterThan(20 << 20);
    expect(done.at(-1)).toBeLessThan(24 << 20);
    expect(quickProgress.every((x) => x.total === 256 << 20 && x.readErrors === 0)).toBe(true);
  });

  it('with no file system at all, groups the files by cryptography alone', async () => {
    // Every key file at a random sector of random filler, in shuffled order: no names, no folders.
    const r = seededRandom('raw');
    const files = fixtures.flatMap((f) => Object.values(f.c.files));
    const sectorsPer = (b: Uint8Array) => Math.ceil(b.length / 512);
    const raw = r(8 << 20);
    const order = files.map((_, i) => i).sort((a, b) => (r(1)[0]! - 128) || a - b);
    let at = 4096;
    for (const i of order) {
      at += 512 * (1 + (r(1)[0]! % 16));
      raw.set(files[i]!, at);
      raw.fill(0, at + files[i]!.length, at + sectorsPer(files[i]!) * 512);
      at += sectorsPer(files[i]!) * 512;
    }
    const rawImg = join(t.dir, 'raw.img');
    writeFileSync(rawImg, raw);
    const out = join(t.dir, 'out-raw');
    const { report } = await scanTo(rawImg, out, { passwords });
    // Files shuffled at random: primary/masks may come back as the reserve pair and vice versa, and
    // copies holding one key may trade pairs — each result must still be a working, proven container.
    const pairsOf = (files: Record<string, { sha256: string }>) => [
      `${files['primary.key']?.sha256}:${files['masks.key']?.sha256}`,
      `${files['primary2.key']?.sha256}:${files['masks2.key']?.sha256}`,
    ];
    for (const f of fixtures) {
      const want = pairsOf(Object.fromEntries(Object.entries(f.c.files).map(([n, b]) => [n, { sha256: sha256(b) }])));
      const c = report.containers.find((x) => pairsOf(x.files).some((p) => want.includes(p)));
      expect(c, f.dir).toBeDefined();
      expect(c!.status, f.dir).toBe('verified');
      expect(c!.evidence).toContain('crypto-pairing');
      expect(c!.files['header.key']!.sha256).toBe(sha256(f.c.files['header.key']!));
      expect(Object.keys(c!.files).sort()).toEqual(Object.keys(f.c.files).sort());
    }
    expect(report.containers).toHaveLength(fixtures.length);
    expect(report.loose).toEqual([]);
    expect(report.volumes).toEqual([]);
  });

  it('never reports a decoy as intact or verified', () => {
    for (const r of [before, after])
      for (const c of r.containers) {
        if (c.status === 'partial') continue;
        expect(Object.values(c.files).some((f) => [...decoyHashes].some((h) => h === f.sha256))).toBe(false);
      }
  });
});

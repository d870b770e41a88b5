/**
 * Token-made containers end to end (issue 14 items 4–5, format notes §11), on files written by the
 * project's writer: a token-form container and a two-key one deleted on a FAT image made by
 * mkfs.vfat/mtools, token-framed folders (Rutoken FF padding, ESMART 01 lead byte) live and deleted,
 * and the same files with no file system at all (raw carve + cryptographic pairing, the second
 * key of a two-key container found by header [11]).
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { frameFiles, type WrittenContainer } from '../../src/format/writer.ts';
import type { Framing } from '../../src/format/framing.ts';
import type { Report, ReportContainer } from '../../src/output/report.ts';
import { makeContainer, seededRandom, writeContainerDir } from '../helpers/containers.ts';
import { requireTools } from '../helpers/tools.ts';
import { mtools, scanTo, tempDir } from './helpers.ts';

const fat = requireTools('mkfs.vfat', 'mcopy', 'mmd', 'mdeltree');
const t = tempDir();
const img = join(t.dir, 'token.img');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Fixture { dir: string; c: WrittenContainer; framing: Framing; deleted: boolean }
const fixtures: Fixture[] = [
  { dir: '/tok256.000', c: makeContainer({ tokenForm: true, seed: 'e2e-tok', name: 'tok256' }), framing: 'none', deleted: true },
  { dir: '/twokey.000', c: makeContainer({ secondKey: true, tokenForm: true, seed: 'e2e-two', name: 'twokey', password: 'pin' }), framing: 'none', deleted: true },
  { dir: '/rutoken.000', c: makeContainer({ tokenForm: true, seed: 'e2e-ru', name: 'rutoken' }), framing: 'ff-padded', deleted: true },
  { dir: '/rutoken2.000', c: makeContainer({ seed: 'e2e-ru2', name: 'rutoken2' }), framing: 'ff-padded', deleted: false },
  { dir: '/esmart.000', c: makeContainer({ algorithm: 'gost2001', seed: 'e2e-es', name: 'esmart' }), framing: 'lead-01', deleted: false },
  { dir: '/esmart2.000', c: makeContainer({ algorithm: 'gost2012-512', seed: 'e2e-es2', name: 'esmart2' }), framing: 'lead-01', deleted: true },
];
const passwords = ['pin'];
let report: Report;
const out = join(t.dir, 'out');

function build(): void {
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-s', '2', '-n', 'TOKEN', img], { stdio: 'ignore' });
  for (const f of fixtures) {
    const files = frameFiles(f.c.files, f.framing);
    const local = writeContainerDir(join(t.dir, 'stage', f.dir.slice(1)), files);
    mtools(img, 'mmd', `::${f.dir}`);
    for (const name of Object.keys(files)) mtools(img, 'mcopy', join(local, name), `::${f.dir}/${name}`);
  }
  for (const f of fixtures) if (f.deleted) mtools(img, 'mdeltree', `::${f.dir}`);
}

beforeAll(async () => {
  if (!fat.ok) return;
  build();
  ({ report } = await scanTo(img, out, { passwords }));
}, 300_000);

/** The container holding this fixture's masks.key (random mask and salt: unique to it). */
const find = (r: Report, f: Fixture): ReportContainer | undefined => r.containers.find((x) => x.files['masks.key']?.sha256 === sha256(f.c.files['masks.key']!));

fat.describe('token-made containers on a FAT image', () => {
  it('a deleted token-form container comes back verified, its 70-byte primary.key bit-exact', () => {
    const f = fixtures[0]!;
    const c = find(report, f);
    expect(c?.status, JSON.stringify(c?.problems)).toBe('verified');
    expect(c).toMatchObject({ deleted: true, dir: 'containers/tok256.000' });
    expect(c!.files['primary.key']!.size).toBe(70);
    expect(sha256(readFileSync(join(out, c!.dir, 'primary.key')))).toBe(sha256(f.c.files['primary.key']!));
  });

  it('a deleted two-key container is verified with both keys named', () => {
    const c = find(report, fixtures[1]!);
    expect(c?.status, JSON.stringify(c?.problems)).toBe('verified');
    expect(c!.keys).toEqual([
      { role: 'exchange', files: ['primary.key', 'masks.key'], verified: true, reserve: false },
      { role: 'signature', files: ['primary2.key', 'masks2.key'], verified: true, reserve: false },
    ]);
    expect(c!.checks.find((x) => x.name === 'key2-fingerprint')?.ok).toBe(true);
  });

  it('token-framed folders (FF padding, 01 lead byte), live and deleted, are trimmed to the DER: verified, files written bare', () => {
    for (const f of fixtures.filter((x) => x.framing !== 'none')) {
      const c = find(report, f);
      expect(c?.status, `${f.dir} ${JSON.stringify(c?.problems)}`).toBe('verified');
      expect(c).toMatchObject({ dir: `containers${f.dir}`, deleted: f.deleted });
      for (const [name, der] of Object.entries(f.c.files)) {
        expect(c!.files[name]!.size, `${f.dir}/${name}`).toBe(der.length);
        expect(sha256(readFileSync(join(out, c!.dir, name))), `${f.dir}/${name}`).toBe(sha256(der));
      }
    }
  });

  it('with no file system, framed token files at sector starts are carved and paired by cryptography', async () => {
    const r = seededRandom('token-raw');
    const raw = r(4 << 20);
    let at = 8192;
    const pick = [fixtures[0]!, fixtures[1]!, fixtures[3]!];
    for (const f of pick)
      for (const bytes of Object.values(frameFiles(f.c.files, f.framing === 'none' ? 'lead-01' : f.framing))) {
        raw.set(bytes, at);
        raw.fill(0, at + bytes.length, at + Math.ceil(bytes.length / 512) * 512);
        at += Math.ceil(bytes.length / 512) * 512 + 512 * (1 + (r(1)[0]! % 8));
      }
    const rawImg = join(t.dir, 'raw.img');
    writeFileSync(rawImg, raw);
    const { report: rr } = await scanTo(rawImg, join(t.dir, 'out-raw'), { passwords });
    for (const f of pick) {
      const c = find(rr, f);
      expect(c?.status, `${f.dir} ${JSON.stringify(c?.problems)}`).toBe('verified');
      expect(c!.evidence).toContain('crypto-pairing');
      expect(c!.files['primary.key']!.sha256).toBe(sha256(f.c.files['primary.key']!));
    }
    // The two-key container's second pair is found by header [11], not taken for a reserve copy.
    const two = find(rr, fixtures[1]!)!;
    expect(two.files['primary2.key']!.sha256).toBe(sha256(fixtures[1]!.c.files['primary2.key']!));
    expect(two.keys.map((k) => [k.role, k.verified])).toEqual([['exchange', true], ['signature', true]]);
  });
});

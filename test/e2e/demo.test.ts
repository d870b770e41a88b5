/**
 * The bundled demo image (samples/demo.img.gz, built by scripts/make-demo-image.ts): every
 * container comes back bit-exact with its original path, the right status and evidence.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer } from '../helpers/containers.ts';
import { readOut, scanTo, tempDir } from './helpers.ts';
import type { Report } from '../../src/output/report.ts';

const t = tempDir();
const img = join(t.dir, 'demo.img');
const out = join(t.dir, 'out');
let report: Report;

// The same seeds as scripts/make-demo-image.ts: the writer is deterministic given its random source.
const ivanovKey = makeContainer({ algorithm: 'gost2012-256', seed: 'ivanov' }).privateKey;
const expected: Record<string, Record<string, Uint8Array>> = {
  'containers/Клиенты/ООО Ромашка/ivanov01.000': makeContainer({
    algorithm: 'gost2012-256', seed: 'ivanov', privateKey: ivanovKey, name: 'ivanov01', password: 'Qwerty12', keyValidity: '20270301120000Z',
    certificate: makeCertificate({ generation: 'gost2012-256', privateKey: ivanovKey, subject: 'Иванов Иван Иванович', padding: 900 }),
  }).files,
  'containers/Keys/petrov.000': makeContainer({ algorithm: 'gost2001', seed: 'petrov', name: 'petrov' }).files,
  'containers/Keys/sidorov.000': makeContainer({ algorithm: 'gost2012-512', seed: 'sidorov', name: 'sidorov', password: 'Йцукен12' }).files,
};

beforeAll(async () => {
  writeFileSync(img, gunzipSync(readFileSync(join(import.meta.dirname, '../../samples/demo.img.gz'))));
  ({ report } = await scanTo(img, out, { passwords: ['Qwerty12'] }));
});

describe('demo image', () => {
  it('finds the FAT32 volume', () => {
    expect(report.volumes.map((v) => [v.type, v.offset, v.label])).toEqual([['fat32', 0, 'FLASH']]);
  });

  it('recovers every container bit-exact under its original path', () => {
    for (const [dir, files] of Object.entries(expected)) {
      const c = report.containers.find((x) => x.dir === dir);
      expect(c, dir).toBeDefined();
      expect(readdirSync(join(out, dir)).sort()).toEqual(Object.keys(files).sort());
      for (const [name, bytes] of Object.entries(files)) expect(Buffer.from(readOut(out, `${dir}/${name}`)).equals(Buffer.from(bytes)), `${dir}/${name}`).toBe(true);
    }
  });

  it('states what it proved, and how', () => {
    const by = (d: string) => report.containers.find((c) => c.dir === d)!;
    const ivanov = by('containers/Клиенты/ООО Ромашка/ivanov01.000');
    expect(ivanov).toMatchObject({ status: 'verified', deleted: true, algorithm: 'gost2012-256', passwordProtected: true, password: 0, passwordVariant: 'as-typed', originalPath: '/Клиенты/ООО Ромашка/ivanov01.000' });
    expect(ivanov.certificate?.subject).toContain('Иванов Иван Иванович');
    expect(ivanov.evidence).toContain('fat-entry');
    // Password typed in the wrong keyboard layout: found as a variant of the given one.
    expect(by('containers/Keys/sidorov.000')).toMatchObject({ status: 'verified', deleted: false, password: 0, passwordVariant: 'other-layout' });
    expect(by('containers/Keys/petrov.000')).toMatchObject({ status: 'verified', deleted: true, passwordProtected: false, password: null });
    // The copy holds the same key: reported once per folder, linked.
    expect(by('containers/Keys/sidorov.001').copies).toEqual(['containers/Keys/sidorov.000']);
    expect(JSON.stringify(report)).not.toContain('Qwerty12');
  });

  it('reads every byte once and keeps metadata re-reads small', () => {
    expect(report.stats.bytesRead).toBeGreaterThanOrEqual(report.source.size);
    // Directory clusters the pass did not retain are fetched again; a handful, counted.
    expect(report.stats.metadataRereads).toBeLessThan(64);
    expect(report.stats.bytesRead - report.source.size).toBeLessThan(1 << 20);
    expect(report.source.readErrors).toEqual([]);
  });
});

/**
 * NTFS through the whole scan (issue 5): mkntfs + ntfs-3g (FUSE) image with containers whose
 * header.key is resident (no certificate) and non-resident (certificate inside), deleted; every
 * container comes back verified and bit-exact under its folder name, with ntfs-mft evidence; a
 * deleted PKCS#12 file and PEM certificate come back under their names and folders (issue 14.3).
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertificate } from '../helpers/certificates.ts';
import { pem } from '../helpers/cert-text.ts';
import { oidTlv, tlv } from '../../src/format/der.ts';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { requireTools } from '../helpers/tools.ts';
import { NTFS_TOOLS } from '../fs/ntfs/util.ts';
import { scanTo, tempDir } from './helpers.ts';
import type { Report } from '../../src/output/report.ts';

const ntfs = requireTools(...NTFS_TOOLS);
const t = tempDir();
const key = makeContainer({ algorithm: 'gost2012-256', seed: 'ntfs-big' }).privateKey;
const fixtures = {
  'Клиенты/big.000': makeContainer({ algorithm: 'gost2012-256', seed: 'ntfs-big', privateKey: key, name: 'big', password: 'pw',
    certificate: makeCertificate({ generation: 'gost2012-256', privateKey: key, subject: 'NTFS', padding: 900 }) }),
  'small.000': makeContainer({ algorithm: 'gost2001', seed: 'ntfs-small', name: 'small' }),
  'live.000': makeContainer({ algorithm: 'gost2012-512', seed: 'ntfs-live', name: 'live' }),
};
// Issue 14.3: a deleted NCA-style key file and its PEM certificate keep their names and folders.
const P12_DIR = 'ЭЦП/Сидоров Сидор';
const P12_NAME = 'AUTH_RSA256_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567.p12';
// PFX{ version 3, authSafe ContentInfo{ id-data, [0] OCTET STRING { SEQUENCE {} } } }: the shape only.
const p12 = tlv(0x30, tlv(0x02, Uint8Array.of(3)), tlv(0x30, oidTlv('1.2.840.113549.1.7.1'), tlv(0xa0, tlv(0x04, tlv(0x30)))));
const certPem = pem(makeCertificate({ generation: 'gost2012-256', privateKey: key, subject: 'Сидоров', padding: 900 }));
let report: Report;
let moved: Report;
const out = join(t.dir, 'out');

beforeAll(async () => {
  if (!ntfs.ok) return;
  const img = join(t.dir, 'ntfs.img');
  const mnt = join(t.dir, 'mnt');
  mkdirSync(mnt);
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkntfs', ['-F', '-Q', '-q', '-s', '512', '-c', '4096', '-L', 'KEYS', img], { stdio: 'ignore' });
  execFileSync('ntfs-3g', [img, mnt]);
  try {
    for (const [dir, c] of Object.entries(fixtures)) writeContainerDir(join(mnt, dir), c.files);
    mkdirSync(join(mnt, P12_DIR), { recursive: true });
    writeFileSync(join(mnt, P12_DIR, P12_NAME), p12);
    writeFileSync(join(mnt, P12_DIR, 'Сидоров.pem'), certPem);
  } finally {
    execFileSync('fusermount', ['-u', mnt]);
  }
  execFileSync('ntfs-3g', [img, mnt]);
  try {
    rmSync(join(mnt, 'Клиенты'), { recursive: true });
    rmSync(join(mnt, 'small.000'), { recursive: true });
    rmSync(join(mnt, 'ЭЦП'), { recursive: true });
  } finally {
    execFileSync('fusermount', ['-u', mnt]);
  }
  ({ report } = await scanTo(img, out, { passwords: ['pw'] }));
  // The same volume 1 MiB into a larger medium with no partition table and its first sector
  // wiped: only the backup boot sector at the volume's end (found by the pass) says where it starts.
  const vol = readFileSync(img);
  vol.fill(0, 0, 512);
  const medium = Buffer.alloc(40 << 20);
  vol.copy(medium, 1 << 20);
  writeFileSync(join(t.dir, 'moved.img'), medium);
  ({ report: moved } = await scanTo(join(t.dir, 'moved.img'), join(t.dir, 'out-moved'), { passwords: ['pw'] }));
}, 120_000);

ntfs.describe('scan of an NTFS volume', () => {
  it('finds the volume and every container, verified, bit-exact, under its folder', () => {
    expect(report.volumes.map((v) => v.type)).toEqual(['ntfs']);
    for (const [dir, c] of Object.entries(fixtures)) {
      const r = report.containers.find((x) => x.dir === `containers/${dir}`);
      expect(r, dir).toBeDefined();
      expect(r!.status, dir).toBe('verified');
      expect(r!.evidence).toContain('ntfs-mft');
      for (const [name, bytes] of Object.entries(c.files)) expect(Buffer.from(readFileSync(join(out, r!.dir, name))).equals(Buffer.from(bytes)), `${dir}/${name}`).toBe(true);
    }
    expect(report.containers.find((x) => x.dir === 'containers/small.000')!.deleted).toBe(true);
    expect(report.containers.find((x) => x.dir === 'containers/live.000')!.deleted).toBe(false);
    expect(report.containers.find((x) => x.dir === 'containers/Клиенты/big.000')!.originalPath).toBe('/Клиенты/big.000');
  });

  it('writes a deleted PKCS#12 file and certificate under their original names and folders', () => {
    const p = report.pkcs12.find((x) => x.originalName === P12_NAME)!;
    expect(p).toMatchObject({ path: `pkcs12/${P12_DIR}/${P12_NAME}`, originalPath: `/${P12_DIR}/${P12_NAME}`, deleted: true });
    expect(p.evidence).toContain('ntfs-mft');
    expect(readFileSync(join(out, p.path)).equals(Buffer.from(p12))).toBe(true);
    const c = report.certificates.find((x) => x.originalName === 'Сидоров.pem')!;
    expect(c).toMatchObject({ path: `certificates/${P12_DIR}/Сидоров.pem`, originalPath: `/${P12_DIR}/Сидоров.pem`, deleted: true, format: 'pem', subject: 'CN=Сидоров, C=RU' });
    expect(readFileSync(join(out, c.path)).equals(Buffer.from(certPem))).toBe(true);
  });

  it('finds a volume whose boot sector and partition table are gone from its carved backup boot sector', () => {
    expect(moved.volumes.map((v) => [v.type, v.offset, v.foundBy])).toEqual([['ntfs', 1 << 20, 'backup-boot']]);
    for (const [dir, c] of Object.entries(fixtures)) {
      const r = moved.containers.find((x) => x.dir === `containers/${dir}`);
      expect(r?.status, dir).toBe('verified');
      expect(r!.files['masks.key']!.sha256).toBe(report.containers.find((x) => x.dir === `containers/${dir}`)!.files['masks.key']!.sha256);
      void c;
    }
  });
});

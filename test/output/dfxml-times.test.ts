/**
 * report.dfxml carries each file's mtime/atime/crtime as the file system keeps them, valid against
 * the DFXML 2.0 schema: FAT (mtools, times in local time of no recorded zone: written without a
 * zone and marked keycarve:zone="unknown", the access date as midnight with prec 86400), exFAT
 * (exfat-fuse) and NTFS (ntfs-3g, UTC). The files' times are set with utimes before they are copied.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileTime } from '../../src/output/placement.ts';
import { scan } from '../../src/run/scan-run.ts';
import { cleanupAll, EXFAT_TOOLS, mkfs, withMount } from '../fs/exfat/helpers.ts';
import { NTFS_TOOLS } from '../fs/ntfs/util.ts';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { requireTools } from '../helpers/tools.ts';
import { tempDir } from '../e2e/helpers.ts';

const SCHEMA = join(import.meta.dirname, '../../../shared/schemas/dfxml/dfxml.xsd');
const t = tempDir();
const c = makeContainer({ algorithm: 'gost2012-256', seed: 'times', name: 'times' });
const WHEN = new Date(Date.UTC(2021, 2, 4, 5, 6, 8)); // an even second: FAT keeps 2 s steps
afterAll(cleanupAll);

/** The container's files in `dir`, each modified and accessed at WHEN. */
function stage(dir: string): string {
  const d = writeContainerDir(dir, c.files);
  for (const f of Object.keys(c.files)) utimesSync(join(d, f), WHEN, WHEN);
  return d;
}

/** Scans `img`, validates report.dfxml and gives the time elements of header.key's fileobject. */
async function headerTimes(img: string, out: string): Promise<string> {
  await scan({ source: img, out, jobs: 1 });
  const doc = join(out, 'report.dfxml');
  const lint = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, doc], { encoding: 'utf8' });
  expect(lint.status, lint.stderr).toBe(0);
  const obj = [...readFileSync(doc, 'utf8').matchAll(/<fileobject>([\s\S]*?)<\/fileobject>/g)].map((m) => m[1]!).find((b) => /times\.000\/header\.key</.test(b));
  expect(obj).toBeDefined();
  return obj!;
}

describe('DFXML file times', () => {
  requireTools('xmllint', 'mkfs.vfat', 'mcopy', 'mmd').it('FAT: local times without a zone, marked so; the access date at midnight, prec 86400', async () => {
    const img = join(t.dir, 'fat.img');
    execFileSync('truncate', ['-s', '8M', img]);
    execFileSync('mkfs.vfat', ['-n', 'TIMES', img], { stdio: 'ignore' });
    const d = stage(join(t.dir, 'fat-src', 'times.000'));
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1', TZ: 'UTC' }; // mtools writes local time: here UTC's wall clock
    execFileSync('mmd', ['-i', img, '::/times.000'], { env });
    for (const f of Object.keys(c.files)) execFileSync('mcopy', ['-m', '-i', img, join(d, f), `::/times.000/${f}`], { env });
    const obj = await headerTimes(img, join(t.dir, 'fat-out'));
    expect(obj).toContain('<mtime keycarve:zone="unknown">2021-03-04T05:06:08</mtime>');
    expect(obj).toMatch(/<atime prec="86400" keycarve:zone="unknown">\d{4}-\d{2}-\d{2}T00:00:00<\/atime>/);
    expect(obj).toMatch(/<crtime keycarve:zone="unknown">\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}<\/crtime>/);
  }, 120_000);

  requireTools('xmllint', ...EXFAT_TOOLS).it('exFAT: the UTC times exfat-fuse records with their offset', async () => {
    const img = join(t.dir, 'exfat.img');
    mkfs(img, 8);
    await withMount(img, join(t.dir, 'mnt-exfat'), (m) => {
      stage(join(m, 'times.000'));
    });
    const obj = await headerTimes(img, join(t.dir, 'exfat-out'));
    // exfat-fuse records the UTC offset: the moment itself, zoned.
    expect(obj).toContain('<mtime>2021-03-04T05:06:08.000Z</mtime><atime>2021-03-04T05:06:08.000Z</atime><crtime>');
  }, 120_000);

  requireTools('xmllint', ...NTFS_TOOLS).it('NTFS: UTC times', async () => {
    const img = join(t.dir, 'ntfs.img');
    const mnt = join(t.dir, 'mnt-ntfs');
    mkdirSync(mnt);
    execFileSync('truncate', ['-s', '8M', img]);
    execFileSync('mkntfs', ['-F', '-Q', '-q', '-s', '512', '-c', '4096', img], { stdio: 'ignore' });
    execFileSync('ntfs-3g', [img, mnt]);
    try {
      stage(join(mnt, 'times.000'));
    } finally {
      execFileSync('fusermount', ['-u', mnt]);
    }
    const obj = await headerTimes(img, join(t.dir, 'ntfs-out'));
    expect(obj).toContain('<mtime>2021-03-04T05:06:08.000Z</mtime><atime>2021-03-04T05:06:08.000Z</atime><crtime>');
  }, 120_000);

  it('never writes a time that is not one (a damaged FAT entry: 31 February, 25:61)', () => {
    expect(fileTime('2021-02-31T10:00:00')).toBeNull();
    expect(fileTime('2021-02-03T25:61:00')).toBeNull();
    expect(fileTime('+010000-01-01T00:00:00.000Z')).toBeNull();
    expect(fileTime('2021-03-04T05:06:08.000')).toEqual({ value: '2021-03-04T05:06:08.000', zoned: false }); // exFAT without its offset
    expect(fileTime('2021-02-03')).toEqual({ value: '2021-02-03T00:00:00', zoned: false, precision: 86400 });
    expect(fileTime('1601-01-01T00:00:00.000Z')).toEqual({ value: '1601-01-01T00:00:00.000Z', zoned: true });
  });
});

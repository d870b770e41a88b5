/**
 * A deleted folder whose MFT record was reused (issue 14, item 2): mkntfs + ntfs-3g, a container in
 * /Ключи/ivanov.000, both folders and the files deleted, then a new file and a new folder take the
 * folders' records (ntfs-3g reuses the lowest free ones). The children still point at the old
 * sequence: they are orphans, the container is named from name.key, and its problems say why.
 * TSK's `fls -r -d -p` listing of the same image goes to the test log for comparison.
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { requireTools } from '../helpers/tools.ts';
import { NTFS_TOOLS, ntfsSession } from '../fs/ntfs/util.ts';
import { scanTo, tempDir } from './helpers.ts';
import type { Report } from '../../src/output/report.ts';

const ntfs = requireTools(...NTFS_TOOLS);
const tsk = requireTools('fls');
const t = tempDir();
const c = makeContainer({ algorithm: 'gost2012-256', seed: 'ntfs-reuse', name: 'ivanov' });
let report: Report;

beforeAll(async () => {
  if (!ntfs.ok) return;
  const img = join(t.dir, 'ntfs.img');
  const mnt = join(t.dir, 'mnt');
  mkdirSync(mnt);
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkntfs', ['-F', '-Q', '-q', '-s', '512', '-c', '4096', img], { stdio: 'ignore' });
  ntfsSession(img, mnt, () => writeContainerDir(join(mnt, 'Ключи', 'ivanov.000'), c.files));
  ntfsSession(img, mnt, () => rmSync(join(mnt, 'Ключи'), { recursive: true }));
  ntfsSession(img, mnt, () => {
    writeFileSync(join(mnt, 'desktop.ini'), '[.ShellClassInfo]\r\n');
    mkdirSync(join(mnt, 'Новая папка'));
  });
  if (tsk.ok) console.log(`fls -r -d -p (The Sleuth Kit):\n${execFileSync('fls', ['-r', '-d', '-p', img]).toString()}`);
  ({ report } = await scanTo(img, join(t.dir, 'out')));
}, 120_000);

ntfs.describe('NTFS folder record reused by a new file', () => {
  it('the container is an orphan named from name.key, not placed under the new occupant, and says why', () => {
    expect(report.containers).toHaveLength(1);
    const r = report.containers[0]!;
    expect(r.status).toBe('verified');
    expect(r.deleted).toBe(true);
    expect(r.dir).toBe('containers/ivanov.000');
    expect(r.originalPath ?? '').not.toMatch(/desktop\.ini|Новая папка/);
    expect(r.problems.some((p) => /original folder record \(MFT \d+, sequence \d+\) was reused by "(desktop\.ini|Новая папка)"/.test(p))).toBe(true);
  });
});

/**
 * Registry containers on an NTFS volume (issue 16, item 6), made by mkntfs + ntfs-3g (FUSE) with
 * SOFTWARE hives written by hivex: a live Windows/System32/config/SOFTWARE, a RegBack/SOFTWARE
 * deleted through ntfs-3g, and the bins of a third hive (no base block) written by dd into clusters
 * freed by deleting a filler file — next to an ordinary folder container. A raw image holding a hive
 * at a sector start and nothing else checks the carved base block on its own.
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../../src/output/report.ts';
import { makeContainer, writeContainerDir } from '../../helpers/containers.ts';
import { requireTools } from '../../helpers/tools.ts';
import { scanTo, tempDir } from '../../e2e/helpers.ts';
import { NTFS_TOOLS, ntfsSession } from '../ntfs/util.ts';
import { buildHive } from './build.ts';

const tools = requireTools(...NTFS_TOOLS, 'hivexsh', 'python3');
const t = tempDir('keycarve-regf-ntfs-');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const SID = 'S-1-5-21-3623811015-3361044348-30300820-1013';
const USER_KEYS = `WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys`;
const live = makeContainer({ seed: 'ntfs-live', name: 'live-key', password: 'pin' });
const old = makeContainer({ seed: 'ntfs-old', algorithm: 'gost2012-512', name: 'old-key', password: 'pin' });
const lone = makeContainer({ seed: 'ntfs-bin', name: 'bin-key', password: 'pin' });
const folder = makeContainer({ seed: 'ntfs-folder', name: 'folderkey', password: 'pin' });
const FILLER = 0xa5;
let ntfsReport: Report;
let rawReport: Report;

/** The first cluster (4096-aligned) of the image holding nothing but filler bytes. */
function fillerCluster(img: Buffer): number {
  for (let at = 0; at + 4096 <= img.length; at += 4096) if (img[at] === FILLER && img.subarray(at, at + 4096).every((x) => x === FILLER)) return at;
  throw new Error('filler clusters not found');
}

beforeAll(async () => {
  if (!tools.ok) return;
  const hive = (name: string, keys: Parameters<typeof buildHive>[1]) => (buildHive(join(t.dir, name), keys), join(t.dir, name));
  const noise = { path: 'Microsoft\\Windows NT\\CurrentVersion', values: { unrelated: new Uint8Array(700).fill(3) } };
  const liveHive = hive('live', [noise, { path: `${USER_KEYS}\\live-key`, values: live.files }]);
  const oldHive = hive('old', [noise, { path: `${USER_KEYS}\\old-key`, values: old.files }]);
  const binHive = hive('bins', [{ path: 'Crypto Pro\\Settings\\Keys\\bin-key', values: lone.files }]);
  const img = join(t.dir, 'ntfs.img');
  const mnt = join(t.dir, 'mnt');
  mkdirSync(mnt);
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkntfs', ['-F', '-Q', '-q', '-s', '512', '-c', '4096', img], { stdio: 'ignore' });
  ntfsSession(img, mnt, () => {
    const config = join(mnt, 'Windows', 'System32', 'config');
    mkdirSync(join(config, 'RegBack'), { recursive: true });
    copyFileSync(liveHive, join(config, 'SOFTWARE'));
    copyFileSync(oldHive, join(config, 'RegBack', 'SOFTWARE'));
    writeContainerDir(join(mnt, 'Users', 'ivan', 'AppData', 'Local', 'Crypto Pro', 'folderk.000'), folder.files);
    writeFileSync(join(mnt, 'filler.bin'), Buffer.alloc(256 * 1024, FILLER));
  });
  ntfsSession(img, mnt, () => {
    rmSync(join(mnt, 'Windows', 'System32', 'config', 'RegBack', 'SOFTWARE'));
    rmSync(join(mnt, 'filler.bin'));
  });
  // The third hive's bins, without their base block, into the filler's freed clusters.
  const bins = readFileSync(binHive).subarray(4096);
  expect(bins.length).toBeLessThanOrEqual(256 * 1024);
  const at = fillerCluster(readFileSync(img));
  execFileSync('dd', [`if=${binHive}`, `of=${img}`, 'bs=4096', 'skip=1', `seek=${at / 4096}`, 'conv=notrunc'], { stdio: 'ignore' });
  ({ report: ntfsReport } = await scanTo(img, join(t.dir, 'out-ntfs'), { passwords: ['pin'] }));
  // A raw image: 1 MiB of zeros, the old hive at a sector start, zeros after.
  const raw = join(t.dir, 'raw.img');
  writeFileSync(raw, Buffer.concat([Buffer.alloc((1 << 20) + 512), readFileSync(oldHive), Buffer.alloc(1 << 20)]));
  ({ report: rawReport } = await scanTo(raw, join(t.dir, 'out-raw'), { passwords: ['pin'] }));
}, 300_000);

const find = (r: Report, c: { files: Record<string, Uint8Array> }) => r.containers.find((x) => x.files['masks.key']?.sha256 === sha(c.files['masks.key']!));
function expectExact(r: Report, out: string, c: { files: Record<string, Uint8Array> }) {
  const got = find(r, c);
  expect(got?.status, JSON.stringify(got?.problems)).toBe('verified');
  for (const [name, bytes] of Object.entries(c.files)) expect(sha(readFileSync(join(t.dir, out, got!.dir, name))), name).toBe(sha(bytes));
  return got!;
}

tools.describe('registry containers on NTFS', () => {
  it('the live hive, the deleted hive and the lone bins each give their container, verified and byte-identical, next to the folder container', () => {
    const where = (c: { files: Record<string, Uint8Array> }) => {
      const x = find(ntfsReport, c)!;
      return `${x.dir} ← ${x.originalPath ?? '?'} (deleted ${x.deleted}; ${x.problems.join('; ') || 'no notes'})`;
    };
    console.log(['where each container came from:', ...[live, old, lone, folder].map(where)].join('\n  '));
    expect(expectExact(ntfsReport, 'out-ntfs', live)).toMatchObject({ deleted: false, originalPath: `HKLM\\SOFTWARE\\${USER_KEYS}\\live-key` });
    const gone = expectExact(ntfsReport, 'out-ntfs', old);
    expect(gone).toMatchObject({ deleted: true, originalPath: `HKLM\\SOFTWARE\\${USER_KEYS}\\old-key` });
    // ntfs-3g's rm leaves the record's runs: the deleted file is read (its base block is not carved again).
    expect(gone.problems).toEqual(['registry: in hive file /Windows/System32/config/RegBack/SOFTWARE (deleted)']);
    expect(find(ntfsReport, live)!.problems).toEqual(['registry: in hive file /Windows/System32/config/SOFTWARE']);
    const bin = expectExact(ntfsReport, 'out-ntfs', lone);
    expect(bin).toMatchObject({ deleted: true, originalPath: 'HKLM\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\bin-key', dir: 'containers/registry/machine/bin-key.000' });
    expect(bin.problems.join('\n')).toMatch(/from lone hive bins at offset \d+/);
    const f = expectExact(ntfsReport, 'out-ntfs', folder);
    expect(f).toMatchObject({ deleted: false });
    expect(f.evidence).toContain('ntfs-mft');
    expect(f.originalPath).toMatch(/Crypto Pro\/folderk\.000$/);
  });

  it('a hive no file system lists is carved from its base block at a sector start', () => {
    const got = expectExact(rawReport, 'out-raw', old);
    expect(got).toMatchObject({ deleted: true, originalPath: `HKLM\\SOFTWARE\\${USER_KEYS}\\old-key` });
    expect(got.problems.join('\n')).toMatch(new RegExp(`hive no file lists, its base block carved at offset ${(1 << 20) + 512}`));
    expect(rawReport.containers).toHaveLength(1); // the hive's bins are not read a second time as lone bins
  });
});

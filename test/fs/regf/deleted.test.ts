/**
 * Deleted registry containers grouped by their parent (issue 16, item 4): a SOFTWARE hive written
 * by hivex with three containers under one user's Keys; two deleted the way Windows deletes
 * (deleteLikeWindows: cells freed, the nk keeps its value list) and one by hivex whose freed value
 * list is then wiped, so nothing names its values. The first two come back grouped by their keys,
 * with their key paths; the third only by cryptography (the reassembler's pairing).
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containersInHive } from '../../../src/fs/regf/index.ts';
import type { FileEvidence } from '../../../src/fs/types.ts';
import type { Report } from '../../../src/output/report.ts';
import { makeContainer } from '../../helpers/containers.ts';
import { requireTools } from '../../helpers/tools.ts';
import { mtools, scanTo, tempDir } from '../../e2e/helpers.ts';
import { buildHive, deleteLikeWindows, nodeOffsets } from './build.ts';

const tools = requireTools('hivexsh', 'python3', 'mkfs.vfat', 'mmd', 'mcopy');
const t = tempDir('keycarve-regf-del-');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const SID = 'S-1-5-21-1004336348-1177238915-682003330-1001';
const KEYS = `WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys`;
const alpha = makeContainer({ seed: 'del-alpha', name: 'alpha-key', password: 'pin' });
const beta = makeContainer({ seed: 'del-beta', algorithm: 'gost2012-512', name: 'beta-key', password: 'pin' });
const gamma = makeContainer({ seed: 'del-gamma', name: 'gamma-key', password: 'pin' });
const hivePath = () => join(t.dir, 'SOFTWARE');
const pathOf = (name: string) => `HKLM\\SOFTWARE\\${KEYS}\\${name}`;
const asFile = (bytes: Uint8Array): FileEvidence => ({
  evidence: 'fat-entry', name: 'SOFTWARE', parentName: null, parentPath: null, folderKey: null, deleted: false,
  size: bytes.length, extents: [{ offset: 0, length: bytes.length }], confirmed: true, volumeOffset: 0,
});
let report: Report;
const out = () => join(t.dir, 'out');

/** Zeroes every 4-byte word naming one of gamma's vk cells: its freed value list no longer says whose they were. */
function wipeGammaList(b: Buffer): void {
  const vks: number[] = [];
  for (let i = 4096; i + 24 < b.length; i += 8) {
    if (b.toString('latin1', i + 4, i + 6) !== 'vk') continue;
    const size = b.readUInt32LE(i + 8);
    const data = 4096 + b.readUInt32LE(i + 12) + 4;
    const name = b.toString('latin1', i + 24, i + 24 + b.readUInt16LE(i + 6));
    const want = gamma.files[name];
    if (want && size === want.length && data + size <= b.length && sha(b.subarray(data, data + size)) === sha(want)) vks.push(i - 4096);
  }
  expect(vks).toHaveLength(6);
  for (let i = 4096; i + 4 <= b.length; i += 4) if (vks.includes(b.readUInt32LE(i))) b.writeUInt32LE(0, i);
}

beforeAll(async () => {
  if (!tools.ok) return;
  buildHive(hivePath(), [
    { path: 'Microsoft\\Windows\\CurrentVersion', values: { unrelated: new Uint8Array(300).fill(7) } },
    { path: `${KEYS}\\alpha-key`, values: alpha.files },
    { path: `${KEYS}\\beta-key`, values: beta.files },
    { path: `${KEYS}\\gamma-key`, values: gamma.files, deleted: true },
  ]);
  const [keys, a, b] = nodeOffsets(hivePath(), [KEYS, `${KEYS}\\alpha-key`, `${KEYS}\\beta-key`]);
  const hive = readFileSync(hivePath());
  deleteLikeWindows(hive, a!, keys!);
  deleteLikeWindows(hive, b!, keys!);
  wipeGammaList(hive);
  writeFileSync(hivePath(), hive);
  // hivex still reads the edited hive, and no longer lists the deleted keys.
  const listing = `import hivex, sys\nh = hivex.Hivex(sys.argv[1])\nprint(len(h.node_children(${keys})))`;
  expect(execFileSync('/usr/bin/python3', ['-c', listing, hivePath()]).toString().trim()).toBe('0');
  const img = join(t.dir, 'disk.img');
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-n', 'WINDOWS', img], { stdio: 'ignore' });
  mtools(img, 'mmd', '::/Windows');
  mtools(img, 'mcopy', hivePath(), '::/Windows/SOFTWARE');
  ({ report } = await scanTo(img, out(), { passwords: ['pin'] }));
}, 300_000);

tools.describe('deleted registry containers', () => {
  it('the reader groups the values of each deleted key by the key that still lists them; the orphaned ones stay loose', () => {
    const bytes = new Uint8Array(readFileSync(hivePath()));
    const r = containersInHive(bytes, asFile(bytes));
    if (typeof r === 'string') throw new Error(r);
    for (const c of [alpha, beta]) {
      const mine = r.files.filter((f) => sha(bytes.subarray(f.extents[0]!.offset, f.extents[0]!.offset + f.size)) === sha(c.files[f.name]!));
      expect(mine.map((f) => f.name).sort()).toEqual(Object.keys(c.files).sort());
      expect(new Set(mine.map((f) => f.folderKey)).size).toBe(1);
      expect(mine[0]!.folderKey).not.toBeNull();
      expect(mine.every((f) => f.deleted && f.parentPath === pathOf(c === alpha ? 'alpha-key' : 'beta-key'))).toBe(true);
    }
    const loose = r.files.filter((f) => f.folderKey === null);
    expect(loose.map((f) => f.name).sort()).toEqual(Object.keys(gamma.files).sort());
  });

  it('all three come out verified and byte-identical: two by their keys (with their paths), one by cryptographic pairing', () => {
    for (const [c, name] of [[alpha, 'alpha-key'], [beta, 'beta-key'], [gamma, 'gamma-key']] as const) {
      const got = report.containers.find((x) => x.files['masks.key']?.sha256 === sha(c.files['masks.key']!));
      expect(got?.status, `${name}: ${JSON.stringify(got?.problems)}`).toBe('verified');
      expect(got).toMatchObject({ deleted: true });
      expect(got!.evidence).toContain('registry');
      if (c === gamma) {
        expect(got!.evidence).toContain('crypto-pairing');
        expect(got!.originalPath).toBeNull();
      } else {
        expect(got!.evidence).not.toContain('crypto-pairing');
        expect(got!.originalPath).toBe(pathOf(name));
        expect(got!.dir).toMatch(new RegExp(`^containers/registry/${SID}/`));
      }
      for (const [file, bytes] of Object.entries(c.files)) expect(sha(readFileSync(join(out(), got!.dir, file))), `${name}/${file}`).toBe(sha(bytes));
    }
  });
});

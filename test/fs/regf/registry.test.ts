/**
 * Containers kept in the registry (issue 16): SOFTWARE hives written by hivex holding writer-made
 * containers (user store under WOW6432Node, machine store without it, one deleted by hivex), read
 * directly and as files on a FAT image made by mkfs.vfat/mtools; and hostile hives.
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containersInHive } from '../../../src/fs/regf/index.ts';
import type { FileEvidence } from '../../../src/fs/types.ts';
import type { Report } from '../../../src/output/report.ts';
import { makeContainer } from '../../helpers/containers.ts';
import { requireTools } from '../../helpers/tools.ts';
import { mtools, scanTo, tempDir } from '../../e2e/helpers.ts';
import { buildHive } from './build.ts';

const tools = requireTools('hivexsh', 'python3', 'mkfs.vfat', 'mmd', 'mcopy');
const t = tempDir('keycarve-regf-');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const SID = 'S-1-5-21-1004336348-1177238915-682003330-1001';

const user = makeContainer({ seed: 'reg-user', name: 'le-dfa0f60b-4b16', password: 'pin' });
const machine = makeContainer({ seed: 'reg-machine', algorithm: 'gost2012-512', name: 'machinekey' });
const gone = makeContainer({ seed: 'reg-gone', name: 'deletedkey' });
const hivePath = () => join(t.dir, 'SOFTWARE');

const asFile = (bytes: Uint8Array): FileEvidence => ({
  evidence: 'fat-entry', name: 'SOFTWARE', parentName: null, parentPath: null, folderKey: null, deleted: false,
  size: bytes.length, extents: [{ offset: 0, length: bytes.length }], confirmed: true, volumeOffset: 0,
});

let report: Report;
const out = () => join(t.dir, 'out');

beforeAll(async () => {
  if (!tools.ok) return;
  buildHive(hivePath(), [
    { path: 'Microsoft\\Windows\\CurrentVersion', values: { unrelated: new Uint8Array(300).fill(7) } },
    { path: `WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys\\le-dfa0f60b-4b16`, values: user.files },
    { path: 'Crypto Pro\\Settings\\Keys\\machinekey', values: machine.files },
    { path: `WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys\\deletedkey`, values: gone.files, deleted: true },
  ]);
  const img = join(t.dir, 'disk.img');
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-n', 'WINDOWS', img], { stdio: 'ignore' });
  mtools(img, 'mmd', '::/Windows');
  mtools(img, 'mmd', '::/Windows/config');
  mtools(img, 'mcopy', hivePath(), '::/Windows/config/SOFTWARE');
  ({ report } = await scanTo(img, out(), { passwords: ['pin'] }));
}, 300_000);

tools.describe('registry-stored containers', () => {
  it('the reader finds the live values of both stores and the deleted ones in free cells', () => {
    const bytes = new Uint8Array(readFileSync(hivePath()));
    const r = containersInHive(bytes, asFile(bytes));
    if (typeof r === 'string') throw new Error(r);
    expect(r.problems).toEqual([]);
    const live = r.files.filter((f) => !f.deleted);
    expect(live.map((f) => `${f.parentPath}\\${f.name}`).sort()).toEqual([
      ...Object.keys(machine.files).map((n) => `HKLM\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\machinekey\\${n}`),
      ...Object.keys(user.files).map((n) => `HKLM\\SOFTWARE\\WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys\\le-dfa0f60b-4b16\\${n}`),
    ].sort());
    const deleted = r.files.filter((f) => f.deleted);
    expect(deleted.map((f) => f.name).sort()).toEqual(Object.keys(gone.files).sort());
    for (const f of deleted) {
      const e = f.extents[0]!;
      expect(sha(bytes.subarray(e.offset, e.offset + e.length))).toBe(sha(gone.files[f.name]!));
    }
  });

  it('live registry containers come out of a FAT image verified, byte-identical, under registry/<SID or machine>/', () => {
    for (const [c, path, dir] of [
      [user, `HKLM\\SOFTWARE\\WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys\\le-dfa0f60b-4b16`, `containers/registry/${SID}/le-dfa0f.000`],
      [machine, 'HKLM\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\machinekey', 'containers/registry/machine/machinek.000'],
    ] as const) {
      const got = report.containers.find((x) => x.originalPath === path);
      expect(got?.status, JSON.stringify(got?.problems)).toBe('verified');
      expect(got).toMatchObject({ dir, deleted: false });
      expect(got!.evidence).toContain('registry');
      for (const [name, bytes] of Object.entries(c.files)) expect(sha(readFileSync(join(out(), dir, name))), name).toBe(sha(bytes));
    }
  });

  it('the deleted container is grouped by cryptography from its freed cells and verifies', () => {
    const got = report.containers.find((x) => x.files['masks.key']?.sha256 === sha(gone.files['masks.key']!));
    expect(got?.status, JSON.stringify(got?.problems)).toBe('verified');
    expect(got).toMatchObject({ deleted: true });
    for (const [name, bytes] of Object.entries(gone.files)) if (got!.files[name]) expect(sha(readFileSync(join(out(), got!.dir, name)))).toBe(sha(bytes));
  });
});

tools.describe('hostile hives: a recorded problem, never a throw or a hang', () => {
  const base = () => new Uint8Array(readFileSync(hivePath()));
  const run = (b: Uint8Array) => {
    const r = containersInHive(b, asFile(b));
    return typeof r === 'string' ? [r] : r.problems;
  };
  it('a truncated hive is read as far as it goes', () => {
    const b = base().subarray(0, 4096 + 2048);
    expect(run(b).join('\n')).toMatch(/truncated/);
  });
  it('a bin whose size lies stops the walk there', () => {
    const b = base();
    Buffer.from(b.buffer, b.byteOffset).writeUInt32LE(0x7ffff000, 4096 + 8);
    expect(run(b).join('\n')).toMatch(/bin at 0: size/);
  });
  const patchAll = (b: Uint8Array, sigs: string[], at: number, value: (i: number) => number) => {
    const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
    for (let i = 4096; i + 20 < b.length; i += 8) if (sigs.includes(buf.toString('latin1', i + 4, i + 6))) buf.writeUInt32LE(value(i), i + at);
    return b;
  };
  it('a subkey list whose entries point at the list itself', () => {
    const b = patchAll(base(), ['lh', 'lf', 'li'], 8, (i) => i - 4096);
    expect(run(b).join('\n')).toMatch(/is no key node/);
  });
  it('a 2 GiB value length is refused, not allocated', () => {
    const b = patchAll(base(), ['vk'], 8, () => 0x7fffffff);
    expect(run(b).join('\n')).toMatch(/data size 2147483647 over/);
  });
  it('a root key whose subkey list is an ri naming itself', () => {
    const b = base();
    const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
    const root = 4096 + buf.readUInt32LE(36) + 4;
    const list = buf.readUInt32LE(root + 28);
    buf.write('ri', 4096 + list + 4, 'latin1');
    buf.writeUInt32LE(list, 4096 + list + 8);
    expect(run(b).join('\n')).toMatch(/index list/);
  });
});

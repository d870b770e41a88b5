/**
 * Transaction logs (issue 16, item 2). hivex writes clean hives and no logs, so the dirty hive and
 * its SOFTWARE.LOG1 are made here by a script following msuhanov/regf "New format": hivex writes the
 * hive twice — before and after adding a container — the older copy becomes the primary file marked
 * dirty (primary sequence number one past the secondary), and the 4 KiB pages that differ become one
 * HvLE entry (dirty-page references, pages, Marvin32 hashes) in the log. A SOFTWARE.LOG2 in the old
 * format (DIRT) sits beside it. The container that exists only in the log must come back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { marvin32, REGISTRY_LOG_SEED } from '../../../src/crypto/marvin32.ts';
import { containersInHive } from '../../../src/fs/regf/index.ts';
import { logEntries, replayLogs } from '../../../src/fs/regf/log.ts';
import type { FileEvidence } from '../../../src/fs/types.ts';
import type { Report } from '../../../src/output/report.ts';
import { makeContainer } from '../../helpers/containers.ts';
import { requireTools } from '../../helpers/tools.ts';
import { mtools, scanTo, tempDir } from '../../e2e/helpers.ts';
import { buildHive } from './build.ts';

const tools = requireTools('hivexsh', 'python3', 'mkfs.vfat', 'mmd', 'mcopy');
const t = tempDir('keycarve-regf-log-');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const KEYS = 'Crypto Pro\\Settings\\Keys';
const before = makeContainer({ seed: 'log-before', name: 'in-primary', password: 'pin' });
const logged = makeContainer({ seed: 'log-only', algorithm: 'gost2012-512', name: 'only-in-log', password: 'pin' });
let primary: Buffer;
let log1: Buffer;
let report: Report;
const asFile = (bytes: Uint8Array): FileEvidence => ({
  evidence: 'fat-entry', name: 'SOFTWARE', parentName: null, parentPath: null, folderKey: null, deleted: false,
  size: bytes.length, extents: [{ offset: 0, length: bytes.length }], confirmed: true, volumeOffset: 0,
});

const hash = (b: Uint8Array): Buffer => {
  const [p0, p1] = marvin32(b, REGISTRY_LOG_SEED[0], REGISTRY_LOG_SEED[1]);
  const h = Buffer.alloc(8);
  h.writeUInt32LE(p0, 0), h.writeUInt32LE(p1, 4);
  return h;
};
const checksum = (b: Buffer) => {
  let sum = 0;
  for (let i = 0; i < 508; i += 4) sum = (sum ^ b.readUInt32LE(i)) >>> 0;
  b.writeUInt32LE(sum === 0xffffffff ? 0xfffffffe : sum === 0 ? 1 : sum, 508);
};

/** A new-format log: the new hive's first sector as base block (file type 6), one HvLE entry. */
function newFormatLog(older: Buffer, newer: Buffer, seq: number): Buffer {
  const pages: { rel: number; bytes: Buffer }[] = [];
  for (let at = 4096; at < newer.length; at += 4096) {
    const page = newer.subarray(at, at + 4096);
    if (at + 4096 > older.length || !page.equals(older.subarray(at, at + 4096))) pages.push({ rel: at - 4096, bytes: page });
  }
  const size = Math.ceil((40 + 8 * pages.length + 4096 * pages.length) / 512) * 512;
  const e = Buffer.alloc(size);
  e.write('HvLE', 0, 'latin1');
  e.writeUInt32LE(size, 4), e.writeUInt32LE(0, 8), e.writeUInt32LE(seq, 12), e.writeUInt32LE(newer.readUInt32LE(40), 16), e.writeUInt32LE(pages.length, 20);
  pages.forEach((p, i) => (e.writeUInt32LE(p.rel, 40 + 8 * i), e.writeUInt32LE(4096, 44 + 8 * i), p.bytes.copy(e, 40 + 8 * pages.length + 4096 * i)));
  hash(e.subarray(40)).copy(e, 24);
  hash(e.subarray(0, 32)).copy(e, 32);
  const base = Buffer.from(newer.subarray(0, 512));
  base.writeUInt32LE(6, 28), base.writeUInt32LE(seq, 4), base.writeUInt32LE(seq, 8);
  checksum(base);
  return Buffer.concat([base, e]);
}

describe('Marvin32', () => {
  it('gives the .NET runtime test vectors (seed 0x004FB61A001BDBCC)', () => {
    const h = (b: number[]) => marvin32(Uint8Array.from(b), 0x001bdbcc, 0x004fb61a).map((x) => x.toString(16).padStart(8, '0')).reverse().join('');
    expect(h([])).toBe('30ed35c100cd3c7d');
    expect(h([0xaf])).toBe('48e73fc77d75ddc1');
    expect(h([0x37, 0xf4, 0x95])).toBe('f0b07c789b8cf7e8');
    expect(h([0xab, 0x42, 0x7e, 0xa8, 0xd1, 0x0f, 0xc7])).toBe('e11847e4f0678c41');
  });
});

beforeAll(async () => {
  if (!tools.ok) return;
  const a = join(t.dir, 'old'), b = join(t.dir, 'new');
  const keys = [{ path: 'Microsoft\\Windows', values: { unrelated: new Uint8Array(200).fill(9) } }, { path: `${KEYS}\\in-primary`, values: before.files }];
  buildHive(a, keys);
  copyFileSync(a, b);
  // The same hive, one container more: hivex appends to what is there.
  execFileSync('/usr/bin/python3', ['-c', `import hivex, sys, json
h = hivex.Hivex(sys.argv[1], write=True)
n = h.root()
for p in ['Crypto Pro', 'Settings', 'Keys']: n = h.node_get_child(n, p)
n = h.node_add_child(n, 'only-in-log')
h.node_set_values(n, [{'key': k, 't': 3, 'value': bytes.fromhex(v)} for k, v in json.loads(sys.argv[2]).items()])
h.commit(None)`, b, JSON.stringify(Object.fromEntries(Object.entries(logged.files).map(([k, v]) => [k, Buffer.from(v).toString('hex')])))]);
  const older = readFileSync(a);
  const newer = readFileSync(b);
  const seq = older.readUInt32LE(8);
  log1 = newFormatLog(older, newer, seq);
  primary = Buffer.from(older);
  primary.writeUInt32LE(seq + 1, 4); // dirty: the primary sequence number moved on, the secondary did not
  checksum(primary);
  const log2 = Buffer.alloc(1024);
  older.copy(log2, 0, 0, 512);
  log2.writeUInt32LE(1, 28), log2.write('DIRT', 512, 'latin1');
  const img = join(t.dir, 'disk.img');
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-n', 'WINDOWS', img], { stdio: 'ignore' });
  mtools(img, 'mmd', '::/config');
  for (const [name, bytes] of [['SOFTWARE', primary], ['SOFTWARE.LOG1', log1], ['SOFTWARE.LOG2', log2]] as const) {
    writeFileSync(join(t.dir, name), bytes);
    mtools(img, 'mcopy', join(t.dir, name), `::/config/${name}`);
  }
  ({ report } = await scanTo(img, join(t.dir, 'out'), { passwords: ['pin'] }));
}, 300_000);

tools.describe('a dirty hive and its transaction logs', () => {
  it('the container is only in the log: the primary alone does not have it, the replayed hive does', () => {
    const alone = containersInHive(primary, asFile(primary));
    if (typeof alone === 'string') throw new Error(alone);
    expect(alone.problems.join('\n')).toMatch(/hive is dirty/);
    expect(alone.files.some((f) => f.parentPath?.endsWith('only-in-log'))).toBe(false);
    const entries = logEntries(log1);
    expect(typeof entries === 'string' ? entries : entries.length).toBe(1);
    const r = replayLogs(primary, [{ offset: 0, length: primary.length }], [{ name: 'SOFTWARE.LOG1', bytes: log1, extents: [{ offset: 1 << 30, length: log1.length }] }]);
    expect(r.applied).toBe(1);
    const after = containersInHive(r.bytes, { ...asFile(r.bytes), extents: r.extents });
    if (typeof after === 'string') throw new Error(after);
    expect(after.problems).toEqual([]);
    const mine = after.files.filter((f) => f.parentPath === `HKLM\\SOFTWARE\\${KEYS}\\only-in-log`);
    expect(mine.map((f) => f.name).sort()).toEqual(Object.keys(logged.files).sort());
    // Its bytes are read from the log file's extents, not from the primary's.
    expect(mine.some((f) => f.extents.some((e) => e.offset >= 1 << 30))).toBe(true);
  });

  it('a log entry whose hash is wrong is not applied', () => {
    const bad = Buffer.from(log1);
    bad[512 + 40 + 100]! ^= 1;
    expect(replayLogs(primary, [{ offset: 0, length: primary.length }], [{ name: 'L', bytes: bad, extents: [{ offset: 0, length: bad.length }] }]).applied).toBe(0);
  });

  it('on a FAT image both containers come back verified and byte-identical; the old-format log is reported, not applied', () => {
    for (const [c, name] of [[before, 'in-primary'], [logged, 'only-in-log']] as const) {
      const got = report.containers.find((x) => x.originalPath === `HKLM\\SOFTWARE\\${KEYS}\\${name}`);
      expect(got?.status, `${name}: ${JSON.stringify(got?.problems)}`).toBe('verified');
      expect(got).toMatchObject({ deleted: false });
      expect(got!.problems).toEqual(['registry: in hive file /config/SOFTWARE, after 1 log entry from SOFTWARE.LOG1']);
      for (const [file, bytes] of Object.entries(c.files)) expect(sha(readFileSync(join(t.dir, 'out', got!.dir, file))), `${name}/${file}`).toBe(sha(bytes));
    }
    expect(report.problems.map((p) => p.what).join('\n')).toMatch(/SOFTWARE\.LOG2: an old-format \(DIRT\) log: not applied/);
  });
});

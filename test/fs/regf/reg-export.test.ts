/**
 * .reg exports of writer-made containers (issue 16 item 5), written in both encodings as regedit
 * (5.00, UTF-16LE with BOM, wrapped lines) and scripts (REGEDIT4, cp1251, one long line) do: on a FAT
 * image made by mkfs.vfat/mtools (one live under a name that says nothing, one deleted with mdel), in
 * a raw image with no file system where only the carver finds them, and handed to `assemble`.
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REG_CARVE_MAX } from '../../../src/format/reg-export.ts';
import type { Report, ReportContainer } from '../../../src/output/report.ts';
import { assemble } from '../../../src/run/assemble-run.ts';
import { makeCertificate } from '../../helpers/certificates.ts';
import { makeContainer, seededRandom } from '../../helpers/containers.ts';
import { regFile } from '../../helpers/reg-export.ts';
import { requireTools } from '../../helpers/tools.ts';
import { mtools, scanTo, tempDir } from '../../e2e/helpers.ts';

const tools = requireTools('mkfs.vfat', 'mmd', 'mcopy', 'mdel');
const t = tempDir('keycarve-regexport-');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const SID = 'S-1-5-21-3623811015-3361044348-30300820-1013';
const USERS = `HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys`;
const MACHINE = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Crypto Pro\\Settings\\Keys';

const base = makeContainer({ seed: 'rx-user', name: 'le-5c1b4e2a' });
const cert = makeCertificate({ generation: 'gost2012-256', privateKey: base.privateKey, subject: 'CN=Иванов', padding: 900 });
// A header holding a certificate (~2 KiB): dozens of regedit continuation lines.
const user = makeContainer({ seed: 'rx-user', name: 'le-5c1b4e2a', password: 'pin', privateKey: base.privateKey, certificate: cert });
const machine = makeContainer({ seed: 'rx-machine', algorithm: 'gost2012-512', name: 'Ключ Ivanov-1' });
const gone = makeContainer({ seed: 'rx-gone', algorithm: 'gost2001', name: 'oldkey' });
const raw16 = makeContainer({ seed: 'rx-raw16', name: 'rawutf16' });
const cyrOnly = makeContainer({ seed: 'rx-cyr', name: 'Ключ' });
const raw8 = makeContainer({ seed: 'rx-raw8', name: 'rawansi', password: 'pin' });
// Eight containers with certificates: ~80 KB of UTF-16 text, past the carver's 64 KiB (read on from the medium).
const many = Array.from({ length: 8 }, (_, i) => {
  const k = makeContainer({ seed: `rx-many${i}`, name: `many${i}` });
  const certificate = makeCertificate({ generation: 'gost2012-256', privateKey: k.privateKey, subject: `CN=many${i}`, padding: 900 });
  return makeContainer({ seed: `rx-many${i}`, name: `many${i}`, privateKey: k.privateKey, certificate });
});

const userReg = regFile([{ path: `${USERS}\\le-5c1b4e2a`, values: user.files }], '5.00');
const machineReg = regFile([{ path: `${MACHINE}\\Ключ Ivanov-1`, values: machine.files }], 'REGEDIT4');
const goneReg = regFile([{ path: `${USERS.toUpperCase()}\\oldkey`, values: gone.files }], 'REGEDIT4');

let fat: Report;
let rawReport: Report;
let assembled: Report;
const outFat = () => join(t.dir, 'out-fat');
const outRaw = () => join(t.dir, 'out-raw');
const outAsm = () => join(t.dir, 'out-asm');

beforeAll(async () => {
  if (!tools.ok) return;
  for (const [n, b] of [['user.reg', userReg], ['machine.txt', machineReg], ['gone.reg', goneReg]] as const) writeFileSync(join(t.dir, n), b);
  const img = join(t.dir, 'fat.img');
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-n', 'BACKUP', img], { stdio: 'ignore' });
  mtools(img, 'mmd', '::/Backup');
  mtools(img, 'mcopy', join(t.dir, 'user.reg'), '::/Backup/keys.reg');
  mtools(img, 'mcopy', join(t.dir, 'machine.txt'), '::/Backup/notes.txt');
  mtools(img, 'mcopy', join(t.dir, 'gone.reg'), '::/old.reg');
  mtools(img, 'mdel', '::/old.reg');
  ({ report: fat } = await scanTo(img, outFat(), { passwords: ['pin'] }));

  // No file system: seeded noise, the two texts at sector starts, each ended by a NUL run.
  const rawImg = new Uint8Array(seededRandom('rx-noise')(2 * 1024 * 1024));
  const r16 = regFile([{ path: `${USERS}\\rawutf16`, values: raw16.files }], '5.00');
  const r8 = regFile([{ path: `${MACHINE}\\rawansi`, values: raw8.files }], 'REGEDIT4');
  rawImg.set([...r16, 0, 0, 0, 0], 512 * 700);
  rawImg.set([...r8, 0, 0], 512 * 2500);
  const big = regFile(many.map((c, i) => ({ path: `${USERS}\\many${i}`, values: c.files })), '5.00');
  expect(big.length).toBeGreaterThan(REG_CARVE_MAX);
  rawImg.set([...big, 0, 0], 512 * 3000);
  writeFileSync(join(t.dir, 'raw.img'), rawImg);
  ({ report: rawReport } = await scanTo(join(t.dir, 'raw.img'), outRaw(), { passwords: ['pin'] }));

  const inputs = join(t.dir, 'inputs', 'export');
  mkdirSync(inputs, { recursive: true });
  writeFileSync(join(inputs, 'containers.reg'), regFile([{ path: `${USERS}\\le-5c1b4e2a`, values: user.files }, { path: `${MACHINE}\\Ключ Ivanov-1`, values: machine.files }, { path: `${MACHINE}\\Ключ`, values: cyrOnly.files }], '5.00'));
  ({ report: assembled } = await assemble({ inputs: [join(t.dir, 'inputs')], out: outAsm(), passwords: ['pin'] }));
}, 300_000);

const byMasks = (r: Report, c: { files: Record<string, Uint8Array> }) => r.containers.filter((x) => x.files['masks.key']?.sha256 === sha(c.files['masks.key']!));

function expectExact(out: string, got: ReportContainer | undefined, c: { files: Record<string, Uint8Array> }) {
  expect(got?.status, JSON.stringify(got?.problems)).toBe('verified');
  expect(Object.keys(got!.files).sort()).toEqual(Object.keys(c.files).sort());
  for (const [name, bytes] of Object.entries(c.files)) expect(sha(readFileSync(join(out, got!.dir, name))), name).toBe(sha(bytes));
}

tools.describe('.reg exports on a FAT image (mkfs.vfat, mtools)', () => {
  it('a live UTF-16LE export becomes its container: verified, byte-identical, under registry/<SID>/', () => {
    const got = byMasks(fat, user);
    expect(got).toHaveLength(1); // the carved copy of the same text is the listed file, not a second container
    expectExact(outFat(), got[0], user);
    expect(got[0]).toMatchObject({
      dir: `containers/registry/${SID}/le-5c1b4.000`,
      deleted: false,
      evidence: ['reg-export'],
      originalPath: `HKLM\\SOFTWARE\\WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys\\le-5c1b4e2a`,
    });
    expect(got[0]!.files['header.key']!.from).toBe('/Backup/keys.reg');
  });

  it('a REGEDIT4 (cp1251) export under a name that says nothing: found by its header line, Cyrillic key name kept', () => {
    const got = byMasks(fat, machine);
    expect(got).toHaveLength(1);
    expectExact(outFat(), got[0], machine);
    expect(got[0]).toMatchObject({ dir: 'containers/registry/machine/Ivanov-1.000', originalPath: 'HKLM\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\Ключ Ivanov-1', name: 'Ключ Ivanov-1' });
    expect(got[0]!.files['name.key']!.from).toBe('/Backup/notes.txt');
  });

  it('a deleted export (mdel) comes back marked deleted', () => {
    const got = byMasks(fat, gone);
    expect(got).toHaveLength(1);
    expectExact(outFat(), got[0], gone);
    expect(got[0]).toMatchObject({ deleted: true, dir: `containers/registry/${SID}/oldkey.000` });
    expect(got[0]!.files['header.key']!.from).toBe('/_ld.reg'); // listed by the deleted directory entry (first letter lost), not only carved
  });
});

tools.describe('.reg text in a raw image: only the carver finds it', () => {
  it('both encodings are carved, parsed and verified, byte-identical', () => {
    expect(rawReport.volumes).toEqual([]);
    expect(rawReport.stats.candidatesByKind['reg-export']).toBe(3);
    for (const [c, dir] of [[raw16, `containers/registry/${SID}/rawutf16.000`], [raw8, 'containers/registry/machine/rawansi.000']] as const) {
      const got = byMasks(rawReport, c);
      expect(got).toHaveLength(1);
      expectExact(outRaw(), got[0], c);
      expect(got[0]).toMatchObject({ dir, evidence: ['reg-export'], deleted: true });
    }
  });

  it('an export longer than the carver takes is read on from the medium: all eight of its containers', () => {
    for (const [i, c] of many.entries()) {
      const got = byMasks(rawReport, c);
      expect(got, `many${i}`).toHaveLength(1);
      expectExact(outRaw(), got[0], c);
    }
  });
});

tools.describe('assemble of a folder holding a .reg export', () => {
  it('each container key of the export is a container of its own, verified and byte-identical', () => {
    expect(assembled.containers).toHaveLength(3);
    expect(byMasks(assembled, cyrOnly)[0]).toMatchObject({ dir: 'containers/registry/machine/container.000', name: 'Ключ' }); // no ASCII in the name, no offset on a medium
    expectExact(outAsm(), byMasks(assembled, cyrOnly)[0], cyrOnly);
    expectExact(outAsm(), byMasks(assembled, user)[0], user);
    expectExact(outAsm(), byMasks(assembled, machine)[0], machine);
    expect(byMasks(assembled, machine)[0]!.files['masks.key']!.from).toBe(join(t.dir, 'inputs', 'export', 'containers.reg'));
  });
});

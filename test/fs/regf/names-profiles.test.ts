/**
 * Key names and owners in a SOFTWARE hive written by hivex (python3-hivex), issue 16 items 1 and 3:
 * a Cyrillic container key (hivex, like Windows, stores it UTF-16LE: no COMP_NAME flag), a Latin-1
 * one (stored 1 byte/char with COMP_NAME — Latin-1 by the spec, so "ü" must not read as cp1251 "ь"),
 * and ProfileList naming the SID's profile folder, which the report's containers of that SID carry —
 * the hive's own and those of a .reg export of the same SID on the same FAT image (mkfs.vfat/mtools).
 */
import { beforeAll, expect, it } from 'vitest';
import AjvModule from 'ajv';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cells, openHive, parseNk } from '../../../src/fs/regf/hive.ts';
import type { Report } from '../../../src/output/report.ts';
import { makeContainer } from '../../helpers/containers.ts';
import { regFile } from '../../helpers/reg-export.ts';
import { requireTools } from '../../helpers/tools.ts';
import { mtools, scanTo, tempDir } from '../../e2e/helpers.ts';
import { buildHive } from './build.ts';

const tools = requireTools('hivexsh', 'python3', 'mkfs.vfat', 'mmd', 'mcopy');
const t = tempDir('keycarve-regnames-');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const SID = 'S-1-5-21-2127521184-1604012920-1887927527-1105';
const OTHER = 'S-1-5-21-2127521184-1604012920-1887927527-1106';
const PROFILE = 'C:\\Users\\Петров';

const cyr = makeContainer({ seed: 'rn-cyr', name: 'Ключ Petrov' });
const latin = makeContainer({ seed: 'rn-latin', name: 'Schluessel' }); // name.key is cp1251, which has no ü
const exported = makeContainer({ seed: 'rn-reg', name: 'exported' });
const unowned = makeContainer({ seed: 'rn-other', name: 'noprofile' });

let report: Report;
const out = () => join(t.dir, 'out');
const hive = () => join(t.dir, 'SOFTWARE');

beforeAll(async () => {
  if (!tools.ok) return;
  buildHive(hive(), [
    { path: `Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\${SID}`, strings: { ProfileImagePath: PROFILE, Flags: 'not a path' } },
    { path: 'Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-18', strings: { ProfileImagePath: '%systemroot%\\system32\\config\\systemprofile' } },
    { path: `WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys\\Ключ Petrov`, values: cyr.files },
    { path: `WOW6432Node\\Crypto Pro\\Settings\\Users\\${OTHER}\\Keys\\noprofile`, values: unowned.files },
    { path: 'Crypto Pro\\Settings\\Keys\\Schlüssel', values: latin.files },
  ]);
  writeFileSync(join(t.dir, 'export.reg'), regFile([{ path: `HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID.toLowerCase()}\\Keys\\exported`, values: exported.files }], '5.00'));
  const img = join(t.dir, 'disk.img');
  execFileSync('truncate', ['-s', '16M', img]);
  execFileSync('mkfs.vfat', ['-F', '16', '-n', 'WINDOWS', img], { stdio: 'ignore' });
  for (const d of ['::/Windows', '::/Windows/System32', '::/Windows/System32/config', '::/Temp']) mtools(img, 'mmd', d);
  mtools(img, 'mcopy', hive(), '::/Windows/System32/config/SOFTWARE');
  mtools(img, 'mcopy', join(t.dir, 'export.reg'), '::/Temp/export.reg');
  ({ report } = await scanTo(img, out()));
}, 300_000);

const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const ajv = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } })({ allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, '../../../schema/report.schema.json'), 'utf8')) as object);

const found = (c: { files: Record<string, Uint8Array> }) => report.containers.filter((x) => x.files['masks.key']?.sha256 === sha(c.files['masks.key']!));

tools.describe('registry key names and profile paths (hivex-built hive)', () => {
  it('hivex stores the Cyrillic name UTF-16LE and the Latin-1 one compressed: the reader reads both right', () => {
    const h = openHive(new Uint8Array(readFileSync(hive())));
    if (typeof h === 'string') throw new Error(h);
    const flags = new Map<string, number>();
    for (const c of cells(h, [])) {
      const k = parseNk(c.data, c.rel);
      if (k) flags.set(k.name, c.data[2]! & 0x20);
    }
    expect(flags.get('Ключ Petrov')).toBe(0);
    expect(flags.get('Schlüssel')).toBe(0x20);
    expect([...flags.keys()]).not.toContain('Schlьssel'); // cp1251 would read 0xFC as "ь"
  });

  it('the containers keep their key names in originalPath, verified and byte-identical', () => {
    for (const [c, path] of [
      [cyr, `HKLM\\SOFTWARE\\WOW6432Node\\Crypto Pro\\Settings\\Users\\${SID}\\Keys\\Ключ Petrov`],
      [latin, 'HKLM\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\Schlüssel'],
    ] as const) {
      const got = found(c);
      expect(got).toHaveLength(1);
      expect(got[0], JSON.stringify(got[0]!.problems)).toMatchObject({ status: 'verified', originalPath: path, deleted: false });
      for (const [name, bytes] of Object.entries(c.files)) expect(sha(readFileSync(join(out(), got[0]!.dir, name))), name).toBe(sha(bytes));
    }
  });

  it("ProfileList's path goes with the SID's containers — from the hive and from a .reg export — and only with them", () => {
    expect(found(cyr)[0]).toMatchObject({ dir: `containers/registry/${SID}/Petrov.000`, profilePath: PROFILE });
    expect(found(exported)[0]).toMatchObject({ status: 'verified', evidence: ['reg-export'], profilePath: PROFILE });
    expect(found(unowned)[0]!.profilePath).toBeUndefined();
    expect(found(latin)[0]!.profilePath).toBeUndefined(); // the machine store has no owner
    const json = JSON.parse(readFileSync(join(out(), 'report.json'), 'utf8')) as Report;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true); // profilePath and 'reg-export' are in the schema
    expect(json.containers.find((c) => c.dir === found(cyr)[0]!.dir)!.profilePath).toBe(PROFILE);
  });
});

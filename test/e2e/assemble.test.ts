/**
 * `keycarve assemble` (issue 17) on files written by the project's writer: a Rutoken export named by
 * hex file IDs with FF padding, ESMART framing under decimal IDs in nested folders, a PhotoRec-style
 * flat folder of three shuffled containers with decoys, partial copies, primary+masks+certificate
 * only (header rebuilt, name.key made), a header next to another container's keys. Every output
 * folder is checked again by verifyContainer (what `keycarve verify` runs); the inputs stay byte-identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readContainerDir } from '../../src/cli/container-dir.ts';
import { verifyContainer } from '../../src/format/container.ts';
import { frameFiles, type WrittenContainer } from '../../src/format/writer.ts';
import type { Report, ReportContainer } from '../../src/output/report.ts';
import { assemble } from '../../src/run/assemble-run.ts';
import { roleFromName } from '../../src/run/assemble-inputs.ts';
import { makeCertificate } from '../helpers/certificates.ts';
import { makeContainer, seededRandom, writeContainerDir } from '../helpers/containers.ts';
import { tempDir } from './helpers.ts';

const t = tempDir('keycarve-assemble-');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const ID: Record<string, number> = { 'masks.key': 1, 'primary.key': 2, 'header.key': 3, 'masks2.key': 4, 'primary2.key': 5, 'name.key': 6 };

const rutoken = makeContainer({ tokenForm: true, seed: 'as-ru', name: 'rutoken' });
const esmart = makeContainer({ algorithm: 'gost2001', seed: 'as-es', name: 'esmart' });
const flat = [makeContainer({ seed: 'as-f1', name: 'flat1' }), makeContainer({ seed: 'as-f2', name: 'flat2', password: 'pw' }), makeContainer({ algorithm: 'gost2012-512', seed: 'as-f3', name: 'flat3' })];
const copyC = makeContainer({ seed: 'as-copy', name: 'copy' });
const nameOnly = makeContainer({ seed: 'as-nm', name: 'nameonly' });
const certKey = makeContainer({ seed: 'as-cert' }).privateKey;
const cert = makeCertificate({ generation: 'gost2012-256', privateKey: certKey, subject: 'Ivanov Petr', padding: 80 });
const certC = makeContainer({ seed: 'as-cert', privateKey: certKey, name: 'ivanov' });
const [mixA, mixB] = [makeContainer({ seed: 'as-mA', name: 'mixa' }), makeContainer({ seed: 'as-mB', name: 'mixb' })];

const inputs = join(t.dir, 'in');
const out = join(t.dir, 'out');
let report: Report;
let before: Map<string, string>;

function tree(dir: string, into = new Map<string, string>()): Map<string, string> {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) tree(p, into);
    else into.set(p, sha(readFileSync(p)));
  }
  return into;
}

function build(): void {
  const ru = frameFiles(rutoken.files, 'ff-padded');
  writeContainerDir(join(inputs, 'export/0A00'), Object.fromEntries(Object.entries(ru).map(([n, b]) => [`0A0${ID[n]}`, b])));
  const es = frameFiles(esmart.files, 'lead-01');
  writeContainerDir(join(inputs, 'esmart/4096/4096'), Object.fromEntries(Object.entries(es).map(([n, b]) => [String(0x0a00 + ID[n]!), b])));
  // PhotoRec: f<sector>.key, three containers shuffled, and decoys shaped like key files.
  const rnd = seededRandom('shuffle');
  const all = flat.flatMap((c) => Object.values(c.files));
  const decoys = [Uint8Array.of(0x30, 0x22, 0x04, 0x20, ...rnd(32)), Uint8Array.of(0x30, 0x36, 0x04, 0x20, ...rnd(32), 0x04, 0x0c, ...rnd(12), 0x04, 0x04, ...rnd(4))];
  const shuffled = [...all, ...decoys].map((b) => ({ b, k: rnd(4).join() })).sort((x, y) => x.k.localeCompare(y.k));
  writeContainerDir(join(inputs, 'recup_dir.1'), Object.fromEntries(shuffled.map(({ b }, i) => [`f${String(1000 + i * 8).padStart(7, '0')}.key`, b])));
  const pick = (c: WrittenContainer, ...names: string[]) => Object.fromEntries(names.map((n) => [n, c.files[n]!]));
  writeContainerDir(join(inputs, 'copy/copy.000'), pick(copyC, 'header.key', 'primary.key', 'masks.key'));
  writeContainerDir(join(inputs, 'nameonly'), pick(nameOnly, 'primary.key', 'masks.key', 'name.key'));
  writeContainerDir(join(inputs, 'ivanov'), { ...pick(certC, 'primary.key', 'masks.key'), 'Ivanov.cer': cert });
  writeContainerDir(join(inputs, 'mixed'), { ...pick(mixA, 'header.key'), ...pick(mixB, 'primary.key', 'masks.key') });
  writeFileSync(join(inputs, 'notes.txt'), 'not a key');
}

beforeAll(async () => {
  build();
  before = tree(inputs);
  ({ report } = await assemble({ inputs: [inputs], out, passwords: ['pw'] }));
}, 120_000);
afterAll(() => t.cleanup());

/** The container holding one of this fixture's masks files (random mask and salt: unique to it); a reserve pair may land in either slot. */
const byMasks = (c: WrittenContainer): ReportContainer | undefined =>
  report.containers.find((x) => [c.files['masks.key'], c.files['masks2.key']].some((m) => m && [x.files['masks.key']?.sha256, x.files['masks2.key']?.sha256].includes(sha(m))));
const bytesOut = (c: ReportContainer, role: string) => new Uint8Array(readFileSync(join(out, c.dir, role)));

async function verifyOut(c: ReportContainer, passwords: string[] = ['pw']) {
  return verifyContainer((await readContainerDir(join(out, c.dir))).files, passwords);
}

describe('keycarve assemble', () => {
  it('a Rutoken export named by hex file IDs, FF-padded: verified, the six files trimmed to their DER', async () => {
    const c = byMasks(rutoken);
    expect(c?.status, JSON.stringify(c?.problems)).toBe('verified');
    for (const [role, der] of Object.entries(rutoken.files)) expect(sha(bytesOut(c!, role)), role).toBe(sha(der));
    expect(c!.files['primary.key']!.size).toBe(70);
    expect(c!.files['header.key']!.from).toBe(join(inputs, 'export/0A00/0A03'));
    expect((await verifyOut(c!)).status.kind).toBe('verified');
  });

  it('ESMART framing under decimal IDs in nested folders: verified, byte-exact', () => {
    const c = byMasks(esmart);
    expect(c?.status, JSON.stringify(c?.problems)).toBe('verified');
    for (const [role, der] of Object.entries(esmart.files)) expect(sha(bytesOut(c!, role)), role).toBe(sha(der));
  });

  it('a flat PhotoRec folder of three shuffled containers: each verified by cryptographic pairing; no decoy in a verified or intact container', async () => {
    for (const f of flat) {
      const c = byMasks(f);
      expect(c?.status, JSON.stringify(c?.problems)).toBe('verified');
      expect(c!.files['header.key']!.sha256).toBe(sha(f.files['header.key']!));
      const keys = new Set(['primary.key', 'masks.key', 'primary2.key', 'masks2.key'].map((r) => sha(f.files[r]!)));
      for (const role of ['primary.key', 'masks.key', 'primary2.key', 'masks2.key']) expect(keys.has(c!.files[role]?.sha256 ?? ''), role).toBe(true);
      expect(c!.evidence).toContain('crypto-pairing');
      expect((await verifyOut(c!)).status.kind).toBe('verified');
    }
    const real = new Set([rutoken, esmart, ...flat, copyC, nameOnly, certC, mixA, mixB].flatMap((c) => Object.values(c.files).map(sha)));
    for (const c of report.containers.filter((x) => x.status !== 'partial'))
      for (const [role, f] of Object.entries(c.files)) if (f.offset >= 0) expect(real.has(f.sha256), `${c.dir} ${role}`).toBe(true);
  });

  it('a partial copy (header, primary, masks) and primary+masks+name stay partial, saying what is missing', () => {
    const copy = byMasks(copyC);
    expect(copy?.status).toBe('partial');
    expect(copy!.problems).toContain('name.key missing');
    expect(copy!.dir).toBe('containers/in/copy/copy.000');
    const n = byMasks(nameOnly);
    expect(n?.status).toBe('partial');
    expect(n!.problems).toContain('header.key missing');
  });

  it('primary + masks + certificate: verified with a rebuilt header and a name.key from the CN', async () => {
    const c = byMasks(certC);
    expect(c?.status, JSON.stringify(c?.problems)).toBe('verified');
    expect(c!.name).toBe('IvanovPe');
    expect(c!.dir).toBe('containers/in/IvanovPe.000');
    expect(c!.problems.some((p) => p.startsWith('header rebuilt from certificate Ivanov.cer'))).toBe(true);
    const v = await verifyOut(c!);
    expect(v.status.kind, JSON.stringify(v.problems)).toBe('verified');
  });

  it('a header next to another container\'s primary/masks is not verified', () => {
    const c = byMasks(mixB);
    expect(c?.status).toBe('partial');
    expect(c!.files['header.key']?.sha256).toBe(sha(mixA.files['header.key']!));
  });

  it('report.json: mode assemble, the inputs as the source; the inputs are byte-identical', () => {
    const r = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(r.mode).toBe('assemble');
    expect(r.source.inputs).toEqual([inputs]);
    expect(readFileSync(join(out, 'summary.txt'), 'utf8').length).toBeGreaterThan(0);
    expect(tree(inputs)).toEqual(before);
  });

  it('--cert gives the certificate from elsewhere; --out inside an input folder is refused', async () => {
    const keys = writeContainerDir(join(t.dir, 'certonly'), { 'a1': certC.files['primary.key']!, 'b2': certC.files['masks.key']! });
    const cfile = join(t.dir, 'ivanov.pem');
    writeFileSync(cfile, `-----BEGIN CERTIFICATE-----\n${Buffer.from(cert).toString('base64')}\n-----END CERTIFICATE-----\n`);
    const { report: r } = await assemble({ inputs: [keys], out: join(t.dir, 'out2'), certs: [cfile] });
    expect(r.containers.map((c) => c.status)).toEqual(['verified']);
    await expect(assemble({ inputs: [inputs], out: join(inputs, 'results') })).rejects.toThrow(/inside the input folder/);
    await expect(assemble({ inputs: [keys], out: join(t.dir, 'out3'), certs: [join(keys, 'a1')] })).rejects.toThrow(/holds no certificate/);
  });

  it('token file IDs break ties only within the content\'s kind', () => {
    expect(roleFromName('0A05', 'primary')).toBe('primary2.key');
    expect(roleFromName('2564', 'masks')).toBe('masks2.key');
    expect(roleFromName('F002', 'primary')).toBe('primary.key');
    expect(roleFromName('0A05', 'masks')).toBeNull();
    expect(roleFromName('f0001234.key', 'primary')).toBeNull();
  });
});


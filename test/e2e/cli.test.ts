/**
 * The command line as a technician meets it: exit codes, one-line errors, never overwriting, the
 * --json report valid against schema/report.schema.json, and nothing written outside --out.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import AjvModule from 'ajv';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/keycarve.cjs');
const t = tempDir();
const img = join(t.dir, 'demo.img');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

beforeAll(() => writeFileSync(img, gunzipSync(readFileSync(join(root, 'samples/demo.img.gz')))));

describe('keycarve CLI', () => {
  it('scan --json prints a report that validates against the committed schema', () => {
    const r = run('scan', img, '--out', join(t.dir, 'o1'), '--password', 'Qwerty12', '--json', '--jobs', '2');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
    const ajv = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } })({ allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schema/report.schema.json'), 'utf8')));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    // The file written to --out is the same report.
    expect(JSON.parse(readFileSync(join(t.dir, 'o1/report.json'), 'utf8')).containers).toEqual(report.containers);
    expect(report.containers.length).toBe(4);
  });

  it('scan --quick answers from the file-system metadata alone', () => {
    const r = run('scan', img, '--out', join(t.dir, 'quick'), '--password', 'Qwerty12', '--quick', '--json');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.mode).toBe('quick');
    expect(report.containers.filter((c: { status: string }) => c.status === 'verified')).toHaveLength(4);
    // No pass: no carver ran. What it read is the metadata and the demo's free clusters (its folders' lost entries live there).
    expect(report.stats.carvers).toEqual({});
    expect(report.stats.candidates).toBe(0);
  });

  it('refuses a non-empty --out with a one-line error and exit 1, touching nothing', () => {
    const out = join(t.dir, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'client data');
    const r = run('scan', img, '--out', out, '--quiet');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not empty/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });

  it('refuses an --out that is the source itself', () => {
    const r = run('scan', img, '--out', img);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/keycarve:/);
  });

  it('says clearly when the source cannot be read', () => {
    const r = run('scan', join(t.dir, 'missing.img'), '--out', join(t.dir, 'o2'));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on a usage error', () => {
    expect(run('scan', img).status).toBe(2); // --out missing
    expect(run('scan', img, '--out', join(t.dir, 'o3'), '--jobs', 'lots').status).toBe(2);
    expect(run('frobnicate').status).toBe(2);
  });

  it('verify exits 0 on a recovered container and 1 on a damaged one', () => {
    const dir = join(t.dir, 'o1/containers/Keys/petrov.000');
    expect(run('verify', dir).status).toBe(0);
    const h = readFileSync(join(dir, 'header.key'));
    h[30]! ^= 1;
    writeFileSync(join(dir, 'header.key'), h);
    const r = run('verify', dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/header\.key/);
  });
});

/**
 * What the technician reads after `keycarve scan … 2>&1 | tee log`: progress lines in the log,
 * summary.txt equal to the printed summary, and a report.json that says when, how (passwords
 * masked) and with which --map the scan ran, valid against the committed schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import AjvModule from 'ajv';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/keycarve.cjs');
const t = tempDir();
const img = join(t.dir, 'demo.img');
const pwFile = join(t.dir, 'passwords.txt');
// Test-only: a short interval between the plain progress lines (10 s otherwise).
const env = { ...process.env, KEYCARVE_PROGRESS_INTERVAL_MS: '100' };
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env, stdio: ['ignore', 'pipe', 'pipe'] });

const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const ajv = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } })({ allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schema/report.schema.json'), 'utf8')));

type Run = { startedAt: string; commandLine: string[] | null; map: { path: string; applied: string; unreadRanges?: number } | null };
let first: ReturnType<typeof run>;
let before = 0;

beforeAll(() => {
  writeFileSync(img, gunzipSync(readFileSync(join(root, 'samples/demo.img.gz'))));
  writeFileSync(pwFile, 'Tajna-1\nQwerty12\n');
  before = Date.now();
  first = run('scan', img, '--out', join(t.dir, 'o1'), '--password', 'Wrong-Pw-1', '--password=Wrong-Pw-2', '--passwords-file', pwFile, '--map', join(t.dir, 'scan.map'), '--jobs', '2');
}, 120_000);
afterAll(() => t.cleanup());

const report = (out: string) => JSON.parse(readFileSync(join(t.dir, out, 'report.json'), 'utf8')) as { run: Run; tool: { version: string }; containers: { status: string }[] };

describe('scan output a technician reads', () => {
  it('prints plain progress lines and the stages when stderr is not a terminal', () => {
    expect(first.status, first.stderr).toBe(0);
    const lines = first.stderr.trim().split('\n');
    const progress = lines.filter((l) => l.startsWith('keycarve: read '));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    for (const l of progress) expect(l).toMatch(/^keycarve: read [\d.]+ k?M?B of 41\.9 MB \(\d+%\), ([\d.]+|--) MB\/s, ETA [-\d:]+, containers ≈ \d+, read errors 0$/);
    expect(progress.at(-1)).toMatch(/\(100%\).*containers ≈ 4,/); // the demo's four containers, not its raw candidates
    for (const stage of ['reading', 'file systems', 'reassembling', 'writing']) expect(lines).toContain(`keycarve: ${stage}…`);
  });

  it('writes summary.txt equal to the printed summary, which ends naming report.html and report.dfxml', () => {
    expect(readFileSync(join(t.dir, 'o1/summary.txt'), 'utf8')).toBe(first.stdout);
    expect(first.stdout).toMatch(/4 containers \(4 verified\)/);
    const o1 = join(t.dir, 'o1');
    expect(first.stdout).toContain(`reports: ${join(o1, 'report.html')} (to read or send), ${join(o1, 'report.dfxml')} (DFXML, for forensic suites)\n`);
  });

  it('records start time, version, masked command line and the --map written, valid against the schema', () => {
    const r = report('o1');
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    const started = Date.parse(r.run.startedAt);
    expect(started).toBeGreaterThanOrEqual(before - 1000);
    expect(started).toBeLessThanOrEqual(Date.now());
    expect(r.tool.version).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    expect(r.run.commandLine).toEqual(['keycarve', 'scan', img, '--out', join(t.dir, 'o1'), '--password', '***', '--password=***', '--passwords-file', pwFile, '--map', join(t.dir, 'scan.map'), '--jobs', '2']);
    expect(r.run.map).toEqual({ path: join(t.dir, 'scan.map'), applied: 'written' });
    expect(r.containers.filter((c) => c.status === 'verified')).toHaveLength(4); // the file's password was used
  });

  it('lets no password reach any file in --out or the terminal', () => {
    const seen = [first.stdout, first.stderr, readFileSync(join(t.dir, 'o1/report.json'), 'utf8'), readFileSync(join(t.dir, 'o1/summary.txt'), 'utf8')].join('\n');
    for (const pw of ['Wrong-Pw-1', 'Wrong-Pw-2', 'Tajna-1', 'Qwerty12']) expect(seen).not.toContain(pw);
  });

  it('records an existing --map as read, with its unread ranges', () => {
    const r2 = run('scan', img, '--out', join(t.dir, 'o2'), '--map', join(t.dir, 'scan.map'), '--quiet');
    expect(r2.status, r2.stderr).toBe(0);
    const r = report('o2');
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    expect(r.run.map).toEqual({ path: join(t.dir, 'scan.map'), applied: 'read', unreadRanges: 0 });
    expect(r2.stderr).toBe(''); // --quiet: no progress, no stages
    expect(readFileSync(join(t.dir, 'o2/summary.txt'), 'utf8')).toBe(r2.stdout);
  });

  it('--json keeps stderr silent and still writes summary.txt', () => {
    const r3 = run('scan', img, '--out', join(t.dir, 'o3'), '--json', '--quick');
    expect(r3.status, r3.stderr).toBe(0);
    expect(r3.stderr).toBe('');
    expect(JSON.parse(r3.stdout).run.commandLine).toEqual(['keycarve', 'scan', img, '--out', join(t.dir, 'o3'), '--json', '--quick']);
    expect(readFileSync(join(t.dir, 'o3/summary.txt'), 'utf8')).toMatch(/quick scan/);
  });
});

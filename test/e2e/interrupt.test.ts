/**
 * Ctrl-C is a normal event: the real CLI on a FAT image (mkfs.vfat + mtools) gets a real SIGINT
 * mid-pass (the test-only environment makes it send one to itself after its n-th checkpoint, so
 * the point is deterministic). It exits 130 with one line saying how to resume, leaves the
 * checkpoint and what it had found so far in --out/partial (report.json "complete": false, valid
 * against the schema; report.dfxml valid DFXML marking the rest not scanned), restores the cursor
 * on a terminal, and `--resume` replaces the partial results by those of a scan that never
 * stopped. Two Ctrl-C in a row exit at once with a checkpoint that still resumes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { requireTools } from '../helpers/tools.ts';
import { mtools, tempDir } from './helpers.ts';
import { outcome } from './resume-outcome.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/keycarve.cjs');
const SCHEMA = join(root, '../shared/schemas/dfxml/dfxml.xsd');
const tools = requireTools('mkfs.vfat', 'mcopy', 'mmd', 'script', 'xmllint');
const t = tempDir();
const img = join(t.dir, 'fat.img');
const SIZE = 24 * 1024 * 1024;
const early = makeContainer({ algorithm: 'gost2012-256', seed: 'int-early', name: 'early' });
const late = makeContainer({ algorithm: 'gost2001', seed: 'int-late', name: 'late' });
const env = { ...process.env, KEYCARVE_TEST_PAGE: String(256 * 1024) };
const cli = (out: string, extra: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, 'scan', img, '--out', out, '--jobs', '1', '--quiet', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
const ctrlC = (n: number, times = 1) => ({ KEYCARVE_TEST_CHECKPOINT: `0 sigint-after=${n}x${times}` });

const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const ajv = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } })({ allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schema/report.schema.json'), 'utf8')));

interface PartialReport {
  complete: boolean;
  source: { size: number; passedTo?: number };
  containers: { name: string; dir: string }[];
}
const partialReport = (out: string) => JSON.parse(readFileSync(join(out, 'partial', 'report.json'), 'utf8')) as PartialReport;
const LINE = /^keycarve: scan interrupted at \d+%; its checkpoint is in .* and what it found so far in .*partial — run the same command (with --resume|again) to continue\n$/;

let whole: ReturnType<typeof outcome>;
beforeAll(() => {
  if (!tools.ok) return;
  // One container at the start of the data area, 16 MiB of filler, one container behind it.
  execFileSyncQuiet('truncate', ['-s', String(SIZE), img]);
  execFileSyncQuiet('mkfs.vfat', ['-F', '16', '-n', 'CTRLC', img]);
  const put = (name: string, files: Record<string, Uint8Array>) => {
    const dir = writeContainerDir(join(t.dir, name), files);
    mtools(img, 'mmd', `::/${name}`);
    for (const f of Object.keys(files)) mtools(img, 'mcopy', join(dir, f), `::/${name}/${f}`);
  };
  put('early.000', early.files);
  writeFileSync(join(t.dir, 'filler.bin'), Buffer.alloc(16 << 20, 0x5a));
  mtools(img, 'mcopy', join(t.dir, 'filler.bin'), '::/FILLER.BIN');
  put('late.000', late.files);
  const r = cli(join(t.dir, 'whole'), {});
  expect(r.status, r.stderr).toBe(0);
  whole = outcome(join(t.dir, 'whole'));
}, 120_000);

function execFileSyncQuiet(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${cmd} failed`);
}

describe('Ctrl-C during scan', () => {
  tools.it('exits 130 with one line, a checkpoint and partial results marked incomplete; --resume replaces them', () => {
    expect(whole.report).toMatchObject({ complete: true });
    expect(JSON.stringify(whole.report)).toContain('"late"');
    const out = join(t.dir, 'once');
    const r = cli(out, ctrlC(3));
    expect(r.status, r.stderr).toBe(130);
    expect(r.stderr).toMatch(LINE);
    expect(readdirSync(out).sort()).toEqual(['partial', 'scan-checkpoint.data', 'scan-checkpoint.json']);
    const part = partialReport(out);
    expect(validate(part), JSON.stringify(validate.errors)).toBe(true);
    expect(part.complete).toBe(false);
    expect(part.source.passedTo).toBeGreaterThan(0);
    expect(part.source.passedTo).toBeLessThan(SIZE);
    // The container the pass had passed is written; the one behind the filler is not there yet.
    expect(part.containers.map((c) => c.name)).toContain('early');
    expect(part.containers.map((c) => c.name)).not.toContain('late');
    const early0 = part.containers.find((c) => c.name === 'early')!;
    expect(readFileSync(join(out, 'partial', early0.dir, 'primary.key'))).toEqual(Buffer.from(early.files['primary.key']!));
    const dfxml = join(out, 'partial', 'report.dfxml');
    const lint = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, dfxml], { encoding: 'utf8' });
    expect(lint.status, lint.stderr).toBe(0);
    expect(readFileSync(dfxml, 'utf8')).toContain(`img_offset="${part.source.passedTo}" len="${SIZE - part.source.passedTo!}" type="not-scanned"`);
    expect(readFileSync(join(out, 'partial', 'summary.txt'), 'utf8')).toMatch(/^INTERRUPTED: partial results/);
    expect(readFileSync(join(out, 'partial', 'report.html'), 'utf8')).toContain('<b>Interrupted scan — partial results.</b>');

    const resumed = cli(out, {}, '--resume');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(existsSync(join(out, 'partial'))).toBe(false);
    expect(outcome(out)).toEqual(whole);
  }, 120_000);

  tools.it('a resume interrupted again replaces the partial results; a file of the user in partial/ stops the resume', () => {
    const out = join(t.dir, 'again');
    expect(cli(out, ctrlC(3)).status).toBe(130);
    const first = partialReport(out).source.passedTo!;
    const again = cli(out, ctrlC(4), '--resume');
    expect(again.status, again.stderr).toBe(130);
    expect(again.stderr).toMatch(/run the same command again to continue\n$/);
    expect(partialReport(out).source.passedTo).toBeGreaterThan(first);
    writeFileSync(join(out, 'partial', 'notes.txt'), 'mine');
    const refused = cli(out, {}, '--resume');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^keycarve: --out .*: partial\/notes\.txt was not written by the interrupted scan; move it away to resume\n$/);
    rmSync(join(out, 'partial', 'notes.txt'));
    mkdirSync(join(out, 'partial', 'mine'));
    expect(cli(out, {}, '--resume').stderr).toMatch(/partial\/mine was not written by the interrupted scan/);
    rmSync(join(out, 'partial', 'mine'), { recursive: true });
    expect(cli(out, {}, '--resume').status).toBe(0);
    expect(outcome(out)).toEqual(whole);
  }, 120_000);

  tools.it('a second Ctrl-C exits at once, leaving a checkpoint that resumes', () => {
    const out = join(t.dir, 'twice');
    const r = cli(out, ctrlC(3, 2));
    expect(r.status).toBe(130);
    expect(r.stderr).toMatch(/^keycarve: stopped at once; the last checkpoint in .* is whole — run the same command with --resume to continue\n$/);
    expect(existsSync(join(out, 'scan-checkpoint.json'))).toBe(true);
    const resumed = cli(out, {}, '--resume');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(outcome(out)).toEqual(whole);
  }, 120_000);

  tools.it('on a terminal: the progress bar is stopped and the cursor shown again before the line', () => {
    const out = join(t.dir, 'tty');
    // script(1) gives the CLI a pseudo-terminal; -e returns its exit code.
    const cmd = [process.execPath, bin, 'scan', img, '--out', out, '--jobs', '1'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120_000, env: { ...env, ...ctrlC(3) } });
    expect(r.status, r.stdout).toBe(130);
    const hide = r.stdout.indexOf('\x1b[?25l');
    const show = r.stdout.lastIndexOf('\x1b[?25h');
    expect(hide).toBeGreaterThanOrEqual(0);
    expect(show).toBeGreaterThan(hide);
    expect(r.stdout.indexOf('keycarve: scan interrupted at')).toBeGreaterThan(show);
  }, 120_000);
});

/**
 * Ctrl-C during `keycarve password`, for real: the CLI process gets SIGINT once it has saved its
 * --state, exits 130 with the resume hint, leaves a state file without the password, and
 * `--resume` then finds the password. The first run uses the TypeScript KDF (KEYCARVE_NO_NATIVE=1:
 * at most a few hundred guesses before the state appears), the resumed one the native KDF — the
 * state does not depend on the engine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeContainer, writeContainerDir } from '../helpers/containers.ts';
import { tempDir } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/keycarve.cjs');
const t = tempDir();
afterAll(() => t.cleanup());

const PASSWORD = '0999'; // candidate 1001 of ?d?d?d?d (after the empty password)

describe('keycarve password and SIGINT', () => {
  it('exits 130 with the hint, saves a state without the password, and --resume finds it', async () => {
    const dir = writeContainerDir(join(t.dir, 'sigint.000'), makeContainer({ algorithm: 'gost2012-256', password: PASSWORD, seed: 'sigint' }).files);
    const state = join(t.dir, 'search.state');
    const args = [bin, 'password', dir, '--mask', '?d?d?d?d', '--variants', 'none', '--no-likely', '--jobs', '1', '--state', state];
    const child = spawn(process.execPath, args, { env: { ...process.env, KEYCARVE_NO_NATIVE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    // The first periodic save (after 5 s of searching) says it has progressed.
    for (let i = 0; i < 600 && !existsSync(state) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(state), `no state file; stdout: ${out} stderr: ${err}`).toBe(true);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, err).toBe(130);
    const m = /keycarve password: interrupted after (\d+) candidates — continue with --resume --state (.+)\n/.exec(err);
    expect(m, err).not.toBeNull();
    expect(m![2]).toBe(state);
    const saved = readFileSync(state, 'utf8');
    expect(saved).not.toContain(PASSWORD);
    const done = (JSON.parse(saved) as { done: number }).done;
    expect(done).toBe(Number(m![1]));
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(1001);
    expect(out).toBe('');

    const resumed = spawnSync(process.execPath, [...args, '--resume', '--jobs', '2'], { encoding: 'utf8', timeout: 300_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`Password found: ${PASSWORD}`);
    expect(readFileSync(state, 'utf8')).not.toContain(PASSWORD);
  }, 360_000);
});

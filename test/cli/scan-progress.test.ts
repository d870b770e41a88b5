/**
 * What `scan` shows while it runs: a plain line every 10 s when stderr is a log, nothing under
 * --quiet/--json, an ETA that stays `--` until the average rate means something, containers
 * rather than raw candidates; and the command line as the report records it, passwords masked.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { etaText, findsText, MIN_ELAPSED_S, plainLine, scanProgress } from '../../src/cli/scan-progress.ts';
import { maskCommandLine } from '../../src/cli/command-line.ts';
import type { PassProgress } from '../../src/scan/linear-pass.ts';

const p = (bytesDone: number, extra: Partial<PassProgress> = {}): PassProgress => ({ bytesDone, total: 1e9, candidates: 45, macHeaders: 4, pkcs12: 0, readErrors: 0, bytesLost: 0, ...extra });

describe('progress figures', () => {
  it('shows no ETA over the first seconds, then remaining bytes at the average rate', () => {
    expect(etaText(p(100e6), 0.2)).toBe('--');
    expect(etaText(p(100e6), MIN_ELAPSED_S - 0.01)).toBe('--');
    expect(etaText(p(0), 30)).toBe('--');
    expect(etaText(p(250e6), 10)).toBe('0:30'); // 750 MB left at 25 MB/s
    expect(etaText(p(1e6), 10)).toBe('2:46:30');
    expect(etaText(p(1e9), 0.5)).toBe('0:00'); // done: the figures are final however short the pass
  });

  it('counts containers, not raw candidates', () => {
    expect(findsText(p(0))).toBe('containers ≈ 4');
    expect(findsText(p(0, { pkcs12: 2 }))).toBe('containers ≈ 4, PKCS#12 2');
  });

  it('writes one plain line with bytes, %, rate, ETA, containers and read errors', () => {
    expect(plainLine(p(500e6, { readErrors: 2, bytesLost: 1024 }), 20)).toBe(
      'keycarve: read 500 MB of 1.0 GB (50%), 25.0 MB/s, ETA 0:20, containers ≈ 4, read errors 2 (1.0 kB lost)\n',
    );
  });
});

describe('progress on stderr', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const sink = (isTTY: boolean) => {
    const lines: string[] = [];
    return { lines, stream: { isTTY, write: (s: string) => lines.push(s) } };
  };

  it('not a terminal: the stage lines, one progress line every 10 s, and the totals at the end of the pass', () => {
    const s = sink(false);
    let t = 0;
    const pr = scanProgress(s.stream, {}, () => t);
    pr.stage('reading');
    pr.update(p(10e6));
    t = 9_000;
    vi.advanceTimersByTime(9_000);
    expect(s.lines).toEqual(['keycarve: reading…\n']);
    t = 10_000;
    vi.advanceTimersByTime(1_000);
    pr.update(p(300e6));
    t = 20_000;
    vi.advanceTimersByTime(10_000);
    pr.update(p(1e9, { macHeaders: 6 }));
    pr.stage('file systems');
    pr.stop();
    expect(s.lines).toEqual([
      'keycarve: reading…\n',
      'keycarve: read 10.0 MB of 1.0 GB (1%), 1.0 MB/s, ETA 16:30, containers ≈ 4, read errors 0\n',
      'keycarve: read 300 MB of 1.0 GB (30%), 15.0 MB/s, ETA 0:47, containers ≈ 4, read errors 0\n',
      'keycarve: read 1.0 GB of 1.0 GB (100%), 50.0 MB/s, ETA 0:00, containers ≈ 6, read errors 0\n',
      'keycarve: file systems…\n',
    ]);
    vi.advanceTimersByTime(60_000);
    expect(s.lines).toHaveLength(5); // the timer is gone with the pass
  });

  it("not a terminal, --quick: the sweep of free clusters gets the pass's lines, from its first count to the next stage", () => {
    const s = sink(false);
    let t = 0;
    const pr = scanProgress(s.stream, {}, () => t);
    const q = (bytesDone: number) => p(bytesDone, { total: 256 << 20, candidates: 0, macHeaders: 0 });
    pr.stage('file systems');
    t = 5_000;
    vi.advanceTimersByTime(5_000);
    expect(s.lines).toEqual(['keycarve: file systems…\n']); // nothing counted yet, no line
    pr.stage('free clusters, up to 256 MiB a volume, for orphaned folders');
    pr.update(q(0));
    t = 15_000;
    pr.update(q(100e6));
    vi.advanceTimersByTime(10_000);
    pr.update(q(128 << 20));
    pr.stage('reassembling');
    vi.advanceTimersByTime(60_000);
    pr.stop();
    expect(s.lines).toEqual([
      'keycarve: file systems…\n',
      'keycarve: free clusters, up to 256 MiB a volume, for orphaned folders…\n',
      'keycarve: read 100 MB of 268 MB (37%), 6.7 MB/s, ETA 0:25, containers ≈ 0, read errors 0\n',
      'keycarve: read 134 MB of 268 MB (50%), 8.9 MB/s, ETA 0:15, containers ≈ 0, read errors 0\n',
      'keycarve: reassembling…\n',
    ]);
  });

  it('--quiet and --json: nothing at all', () => {
    for (const o of [{ quiet: true }, { json: true }])
      for (const tty of [false, true]) {
        const s = sink(tty);
        const pr = scanProgress(s.stream, o);
        pr.stage('reading');
        pr.update(p(1e6));
        vi.advanceTimersByTime(30_000);
        pr.stage('writing');
        pr.stop();
        expect(s.lines).toEqual([]);
      }
  });
});

describe('command line in report.json', () => {
  it('masks every --password value, in both spellings, and nothing else', () => {
    const argv = ['scan', '/dev/sdb', '--password', 'Qwerty12', '--out', 'o', '--password=s3cr3t', '--passwords-file', 'pw.txt', '--password', '--out'];
    expect(maskCommandLine(argv)).toEqual(['scan', '/dev/sdb', '--password', '***', '--out', 'o', '--password=***', '--passwords-file', 'pw.txt', '--password', '***']);
  });
});

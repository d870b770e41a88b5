/**
 * `keycarve scan` as a function (the CLI and the tests call this): one linear pass over the source,
 * the file-system stage over what the pass retained, the reassembler, and the output folder.
 */
import { resolve } from 'node:path';
import { CARVERS, MAX_CARVE_LENGTH } from '../carve/index.ts';
import type { Candidate } from '../carve/types.ts';
import { analyseMedia } from '../fs/index.ts';
import type { FsAnalysis } from '../fs/types.ts';
import { OutDir } from '../output/out-dir.ts';
import type { MapUse, Report } from '../output/report.ts';
import { writeOutput } from '../output/write-output.ts';
import { reassemble, type Reassembly } from '../reassemble/index.ts';
import { mergeEvidence } from '../reassemble/key-files.ts';
import { passwordVariants } from '../reassemble/password-variants.ts';
import { openSource } from '../source/open.ts';
import { isOnDevice } from '../source/same-device.ts';
import type { ByteRange, ByteSource } from '../source/types.ts';
import { linearPass, type PassProgress } from './linear-pass.ts';
import { metadataObserver } from './metadata-plan.ts';
import { createCarvePool, defaultJobs } from './pool.ts';
import { RetainedStore, RetentionPlan, retainCandidates, retainedReader } from './retained.ts';
import { VERSION } from '../version.ts';

export interface ScanOptions {
  readonly source: string;
  readonly out: string;
  readonly passwords?: readonly string[];
  readonly jobs?: number;
  /** Only the file-system metadata and the extents it points to (no linear pass). */
  readonly quick?: boolean;
  /** Ranges a ddrescue map marks as not rescued: containers touching them are damaged. */
  readonly unreadable?: readonly ByteRange[];
  readonly onProgress?: (p: PassProgress) => void;
  readonly onStage?: (stage: string) => void;
  readonly signal?: AbortSignal;
  /** Test hook: scan this source instead of opening `source`. */
  readonly sourceOverride?: ByteSource;
  readonly retries?: number;
  /** For report.run: the masked command line (null when scan() is called as a function) and the --map use. */
  readonly commandLine?: readonly string[] | null;
  readonly map?: MapUse | null;
  /** Width the summary (summary.txt, and what the CLI prints) is laid out for. */
  readonly summaryWidth?: number;
}

export class ScanError extends Error {}

export async function scan(opts: ScanOptions): Promise<{ report: Report; reassembly: Reassembly }> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const jobs = Math.max(1, opts.jobs ?? defaultJobs());
  // Open the source first: a missing or unreadable source must not leave an empty --out behind.
  const source = opts.sourceOverride ?? (await openSource(opts.source, { retries: opts.retries ?? 0 }));
  try {
    if (!opts.sourceOverride && (await isOnDevice(resolve(opts.out), resolve(opts.source))))
      throw new ScanError(`--out ${opts.out} is on the medium being scanned; write the results to another drive`);
    const out = await OutDir.prepare(opts.out).catch((e: Error) => {
      throw new ScanError(e.message);
    });
    const store = new RetainedStore();
    let candidates: Candidate[] = [];
    let bytesRead = 0;
    let readErrors: ByteRange[] = [];
    const calls: Record<string, number> = {};
    if (!opts.quick) {
      const plan = new RetentionPlan(store, 256 * 1024 * 1024);
      const pool = createCarvePool(jobs, source.size);
      try {
        opts.onStage?.('reading');
        const r = await linearPass(source, {
          pool,
          slots: 2 * jobs,
          margin: MAX_CARVE_LENGTH,
          workersRead: !opts.map && !opts.unreadable?.length,
          observe: metadataObserver(plan, source.size),
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        candidates = r.candidates;
        bytesRead = r.bytesRead;
        readErrors = r.readErrors;
        Object.assign(calls, r.calls);
        if (r.alerts.length) for (const a of r.alerts) console.warn(`keycarve: carver ${a.carver} failed at ${a.offset}: ${a.error}`);
      } finally {
        await pool.close();
      }
      retainCandidates(store, candidates);
    }
    opts.onStage?.('file systems');
    const reader = retainedReader(store, source, source.size);
    const fs: FsAnalysis = await analyseMedia(reader, candidates);
    opts.onStage?.('reassembling');
    const merged = await mergeEvidence(candidates, fs.files, reader);
    const variants = passwordVariants(opts.passwords ?? []);
    const reassembly = reassemble(merged, variants);
    const damaged = [...readErrors, ...(opts.unreadable ?? []), ...reader.rereads.bad];
    markDamaged(reassembly, damaged);

    const seconds = (performance.now() - started) / 1000;
    const byKind: Record<string, number> = {};
    for (const c of candidates) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
    const report: Report = {
      tool: { name: 'keycarve', version: VERSION },
      run: { startedAt, commandLine: opts.commandLine ? [...opts.commandLine] : null, map: opts.map ?? null },
      source: { path: opts.source, size: source.size, sectorSize: source.sectorSize, readErrors },
      mode: opts.quick ? 'quick' : 'full',
      volumes: fs.volumes.map((v) => ({ ...v })),
      containers: [],
      pkcs12: [],
      certificates: [],
      loose: [],
      problems: [...fs.problems, ...merged.conflicts.map((what) => ({ at: -1, what }))],
      stats: {
        bytesRead: bytesRead + reader.rereads.bytes,
        seconds: Math.round(seconds * 1000) / 1000,
        mbPerSecond: seconds > 0 ? Math.round((bytesRead / 1e6 / seconds) * 10) / 10 : 0,
        candidates: candidates.length,
        candidatesByKind: byKind,
        metadataRereads: reader.rereads.count,
        retainedBytes: store.size,
        bytesLost: readErrors.reduce((n, r) => n + r.length, 0),
        pairing: reassembly.pairing,
      },
    };
    opts.onStage?.('writing');
    await writeOutput(out, reassembly, report, { out: opts.out, ...(opts.summaryWidth ? { width: opts.summaryWidth } : {}) });
    return { report, reassembly };
  } finally {
    if (!opts.sourceOverride) await source.close();
  }
}

/** A container with a byte on an unreadable sector is damaged, whatever its checks said. */
function markDamaged(r: Reassembly, bad: readonly ByteRange[]): void {
  if (bad.length === 0) return;
  for (const c of r.containers) {
    for (const [role, k] of Object.entries(c.files)) {
      const ranges = k!.fs?.extents.length ? k!.fs.extents : [{ offset: k!.offset, length: k!.bytes.length }];
      const hit = ranges.some((x) => bad.some((b) => x.offset < b.offset + b.length && b.offset < x.offset + x.length));
      if (hit) {
        c.problems.push(`${role} lies on unreadable sectors (zero-filled)`);
        (c.result as { status: string }).status = 'partial';
      }
    }
  }
}

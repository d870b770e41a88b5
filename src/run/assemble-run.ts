/**
 * `keycarve assemble` as a function: loose files (a token export, a partial copy, PhotoRec's flat
 * folder) → containers. The inputs are walked and classified by content (assemble-inputs.ts),
 * described as file-system evidence, and handed to the same merge → reassemble → write steps as
 * scan (scan-run.ts reassembleAndWrite). The inputs are only read.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileProblem } from '../file-errors.ts';
import { REPORT_FILES, type Report } from '../output/report.ts';
import type { Reassembly } from '../reassemble/index.ts';
import { VERSION } from '../version.ts';
import { asEvidence, classify, walkInputs, type Classified, type Walked } from './assemble-inputs.ts';
import { openOut, reassembleAndWrite, ScanError } from './scan-run.ts';

export interface AssembleOptions {
  readonly inputs: readonly string[];
  readonly out: string;
  readonly passwords?: readonly string[];
  /** Certificate files to prove keys with and rebuild headers from. */
  readonly certs?: readonly string[];
  readonly commandLine?: readonly string[] | null;
  readonly summaryWidth?: number;
}

/** Nothing to read from: the bytes come from the inputs, already in memory. */
const NO_MEDIUM = { size: 0, read: async () => null };

export async function assemble(opts: AssembleOptions): Promise<{ report: Report; reassembly: Reassembly }> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  if (opts.inputs.length === 0) throw new ScanError('assemble needs at least one file or folder to read');
  await checkPaths(opts);
  const out = await openOut(opts.out);
  const walked = await walkInputs(opts.inputs);
  const certs = await walkInputs(opts.certs ?? []);
  const found = classifyAll(walked, certs, opts.certs ?? []);
  const { files, problems } = asEvidence(found);
  return reassembleAndWrite(out, { candidates: [], files, reader: NO_MEDIUM }, { ...opts, reassemble: { regenerateName: true } }, (merged, reassembly) =>
    assembleReport(opts, { startedAt, seconds: (performance.now() - started) / 1000, walked, found, problems: [...problems, ...merged.conflicts], pairing: reassembly.pairing }),
  );
}

/** Every input readable, and --out neither one of them nor inside an input folder (nothing is written to the inputs). */
async function checkPaths(opts: AssembleOptions): Promise<void> {
  const outReal = await realOut(opts.out);
  for (const [label, p] of [...opts.inputs.map((p) => [p, p]), ...(opts.certs ?? []).map((p) => [`--cert ${p}`, p])] as [string, string][]) {
    const st = await stat(p).catch((e: unknown) => {
      throw new ScanError(fileProblem(label, e));
    });
    const real = await realpath(p);
    if (st.isDirectory() && (outReal === real || outReal.startsWith(real + sep)))
      throw new ScanError(`--out ${opts.out} is inside the input folder ${p}; write the results somewhere else (assemble never writes to its inputs)`);
  }
}

/** --out's real path, through its nearest existing parent (it may not exist yet). */
async function realOut(out: string): Promise<string> {
  const abs = resolve(out);
  const real = await realpath(abs).catch(() => null);
  if (real) return real;
  const parent = dirname(abs);
  return parent === abs ? abs : join(await realOut(parent), basename(abs));
}

function classifyAll(walked: Walked, certs: Walked, certPaths: readonly string[]): Classified[] {
  const given = certs.files.map((f) => classify(f));
  const bad = given.findIndex((c) => c?.kind !== 'x509');
  if (bad >= 0) throw new ScanError(`--cert ${certPaths[bad] ?? certs.files[bad]!.path} holds no certificate (DER, PEM, Base64 or PKCS#7); give the container's .cer file`);
  return [...walked.files.map((f) => classify(f)), ...given].filter((c): c is Classified => c !== null);
}

interface AssembleFacts {
  readonly startedAt: string;
  readonly seconds: number;
  readonly walked: Walked;
  readonly found: readonly Classified[];
  readonly problems: readonly string[];
  readonly pairing: Report['stats']['pairing'];
}

/** report.json for assemble: scan's schema, mode 'assemble', the inputs as the source, what was skipped as problems. */
function assembleReport(opts: AssembleOptions, f: AssembleFacts): Report {
  const { walked } = f;
  const bytesRead = walked.files.reduce((n, x) => n + x.bytes.length, 0);
  const byKind: Record<string, number> = {};
  for (const c of f.found) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  const problems = [
    ...walked.problems,
    ...(walked.skipped.symlinks ? [`${walked.skipped.symlinks} symbolic link(s) not followed`] : []),
    ...(walked.skipped.large ? [`${walked.skipped.large} file(s) larger than 4 MiB skipped (no key file, certificate or PKCS#12 is that large)`] : []),
    ...f.found.filter((c) => c.extra > 0).map((c) => `${c.file.path}: ${c.extra} bytes after the ${c.kind} key file's DER value ignored`),
    ...f.problems,
  ];
  return {
    tool: { name: 'keycarve', version: VERSION },
    complete: true,
    run: { startedAt: f.startedAt, commandLine: opts.commandLine ? [...opts.commandLine] : null, map: null },
    source: { path: opts.inputs.join(' '), size: bytesRead, sectorSize: 512, readErrors: [], inputs: [...opts.inputs] },
    mode: 'assemble',
    reports: REPORT_FILES,
    volumes: [],
    containers: [],
    pkcs12: [],
    certificates: [],
    loose: [],
    problems: problems.map((what) => ({ at: -1, what })),
    carverFailures: [],
    stats: {
      bytesRead,
      seconds: Math.round(f.seconds * 1000) / 1000,
      mbPerSecond: 0,
      candidates: f.found.length,
      candidatesByKind: byKind,
      metadataRereads: 0,
      retainedBytes: 0,
      bytesLost: 0,
      pairing: f.pairing,
      carvers: {},
    },
  };
}

// `keycarve password <container-dir | file.p12> [--candidate <pw>]... [--wordlist <file>]...
//   [--mask <mask>]... [--custom1..4 <set>] [--variants layout,caps,case|none] [--no-likely]
//   [--jobs n] [--state <file> [--resume]] [--json]`
// Finds a forgotten password (cryptopro-format.md §12). Exit 0 found (the container verified with
// it), 1 not found or could not run, 2 usage, 130 Ctrl-C. The password is printed on stdout only — never
// written to a file: the --state file holds only how far the search got.

import { createHash } from 'node:crypto';
import { readFile, stat, writeFile, rename } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileProblem } from '../file-errors.ts';
import { toJson } from './verify.ts';
import { readContainerDir } from './container-dir.ts';
import { lineIo, type CommandIo, type LineIo } from './io.ts';
import { passwordsFromFile } from './passwords-file.ts';
import { MAX_PKCS12_SIZE } from '../format/pkcs12.ts';
import {
  candidateStream, candidateTotal, MaskError, parseCharset, parseMask, VARIANT_KINDS, type CandidateSpec, type VariantKind,
} from '../reassemble/password-candidates.ts';
import { confirmContainer, makeTester, type PasswordTarget } from '../reassemble/password-check.ts';
import { searchPasswords, type SearchProgress } from '../run/password-search.ts';

export interface PasswordOptions {
  candidate: string[];
  wordlist: string[];
  mask: string[];
  custom1?: string;
  custom2?: string;
  custom3?: string;
  custom4?: string;
  variants?: string;
  likely?: boolean;
  jobs?: number;
  state?: string;
  resume?: boolean;
  json?: boolean;
}

/** Usage problems commander cannot express; null when the options are consistent. */
function usageProblem(o: PasswordOptions): string | null {
  if (o.resume && !o.state) return '--resume needs --state <file> (the file an earlier run saved its position in)';
  for (const v of (o.variants ?? '').split(',').filter((x) => x && x !== 'none'))
    if (!VARIANT_KINDS.includes(v as VariantKind)) return `--variants ${o.variants}: unknown variant ${v} — use layout, caps, case or none`;
  return null;
}

export async function passwordCommand(path: string, o: PasswordOptions, commandIo: CommandIo): Promise<number> {
  const io = lineIo(commandIo);
  const usage = usageProblem(o);
  if (usage) {
    io.err(`keycarve password: ${usage}`);
    return 2;
  }
  let spec: CandidateSpec;
  let target: PasswordTarget;
  try {
    spec = await buildSpec(o, commandIo);
    target = await readTarget(path);
  } catch (e) {
    io.err(`keycarve password: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof MaskError ? 2 : 1;
  }
  const tester = makeTester(target);
  if (typeof tester === 'string') {
    io.err(`keycarve password: ${path}: ${tester}`);
    return 1;
  }
  return search(path, target, spec, o, commandIo, io);
}

async function buildSpec(o: PasswordOptions, commandIo: CommandIo): Promise<CandidateSpec> {
  const custom = [o.custom1, o.custom2, o.custom3, o.custom4].map((s) => (s === undefined ? '' : parseCharset(s)));
  const wordlists: string[][] = [];
  for (const f of o.wordlist) wordlists.push(await passwordsFromFile(f, commandIo, !!o.json, '--wordlist'));
  const variants = (o.variants ?? VARIANT_KINDS.join(',')).split(',').filter((v): v is VariantKind => VARIANT_KINDS.includes(v as VariantKind));
  return { likely: o.likely !== false, candidates: o.candidate, wordlists, masks: o.mask.map((m) => parseMask(m, custom)), variants };
}

/** A folder is a container; a file is a PFX. Errors are one line naming the path. */
async function readTarget(path: string): Promise<PasswordTarget> {
  const st = await stat(path).catch((e) => Promise.reject(new Error(fileProblem(path, e))));
  if (st.isDirectory()) {
    const { files } = await readContainerDir(path).catch((e) => Promise.reject(new Error(fileProblem(path, e))));
    if (Object.keys(files).length === 0) throw new Error(`${path} holds no CryptoPro key files — give the container folder itself, e.g. …/abcdefgh.000, or a .p12/.pfx file`);
    return { kind: 'container', files };
  }
  if (st.size > MAX_PKCS12_SIZE) throw new Error(`${path} is larger than a PKCS#12 file can be — give a container folder or a .p12/.pfx file`);
  const bytes = await readFile(path).catch((e) => Promise.reject(new Error(fileProblem(path, e))));
  return { kind: 'pkcs12', bytes: new Uint8Array(bytes) };
}

// --- the search, its state file and its report

interface State {
  readonly version: 1;
  /** What was searched: a digest of the target and the candidate options (never a password). */
  readonly search: string;
  readonly done: number;
}

/** A digest of the target and the options: a --state file from another search is refused. */
function searchKey(target: PasswordTarget, spec: CandidateSpec): string {
  const h = createHash('sha256');
  if (target.kind === 'pkcs12') h.update(target.bytes);
  else for (const b of Object.values(target.files)) if (b) h.update(b);
  h.update(JSON.stringify(spec));
  return h.digest('hex');
}

async function loadState(file: string, key: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch((e) => Promise.reject(new Error(fileProblem(`--state ${file}`, e))));
  let s: Partial<State>;
  try {
    s = JSON.parse(text) as Partial<State>;
  } catch {
    throw new Error(`--state ${file} is not a keycarve password state file — give the file an earlier run saved, or start without --resume`);
  }
  if (s.version !== 1 || typeof s.done !== 'number') throw new Error(`--state ${file} is not a keycarve password state file — give the file an earlier run saved, or start without --resume`);
  if (s.search !== key) throw new Error(`--state ${file} was saved by a search of another target or other candidates — repeat that command line, or start without --resume`);
  return s.done;
}

/** Written beside itself and renamed: a Ctrl-C mid-write leaves the old state whole. */
async function saveState(file: string, key: string, done: number): Promise<void> {
  const s: State = { version: 1, search: key, done };
  await writeFile(`${file}.tmp`, JSON.stringify(s) + '\n');
  await rename(`${file}.tmp`, file);
}

async function search(path: string, target: PasswordTarget, spec: CandidateSpec, o: PasswordOptions, commandIo: CommandIo, io: LineIo): Promise<number> {
  const key = searchKey(target, spec);
  let skip = 0;
  try {
    if (o.resume) skip = await loadState(o.state!, key);
  } catch (e) {
    io.err(`keycarve password: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const total = candidateTotal(spec);
  const jobs = o.jobs ?? availableParallelism();
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  let lastSave = Date.now();
  const progress = progressPrinter(commandIo, total, skip, !!o.json);
  const onProgress = (p: SearchProgress) => {
    progress(p);
    if (o.state && Date.now() - lastSave > 5000) {
      lastSave = Date.now();
      void saveState(o.state, key, p.done).catch(() => {});
    }
  };
  let r: Awaited<ReturnType<typeof searchPasswords>>;
  try {
    r = await searchPasswords(target, candidateStream(spec), { jobs, skip, onProgress, signal: stop.signal });
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress(null);
  }
  if (o.state) {
    try {
      await saveState(o.state, key, r.done);
    } catch (e) {
      io.err(`keycarve password: ${fileProblem(`--state ${o.state}`, e, 'write')}`);
    }
  }
  return report(path, target, r, total, o, io);
}

function report(path: string, target: PasswordTarget, r: { found: string | null; done: number; interrupted: boolean }, total: bigint, o: PasswordOptions, io: LineIo): number {
  const verified = r.found !== null && target.kind === 'container' ? confirmContainer(target.files, r.found) : null;
  if (o.json) {
    io.out(JSON.stringify({ path, found: r.found !== null, password: r.found, tried: r.done, total: total.toString(), interrupted: r.interrupted, container: verified ? toJson(path, verified) : null }, null, 2));
  } else if (r.found !== null) {
    io.out(`Password found: ${r.found}`);
    if (verified) io.out(`Container ${path}: ${verified.status.kind.toUpperCase()} — ${verified.checks.filter((c) => c.ok && c.name.startsWith('key')).map((c) => c.detail).join('; ')}`);
    else io.out(`PKCS#12 ${path}: the MAC matches with this password`);
  } else if (r.interrupted) {
    io.err(`keycarve password: interrupted after ${r.done} candidates${o.state ? ` — continue with --resume --state ${o.state}` : ' — add --state <file> to be able to resume'}`);
  } else {
    io.out(`Password not found: ${r.done} candidates tried (${total} before duplicates were dropped) — widen the search with --wordlist or --mask`);
  }
  return r.found !== null ? 0 : r.interrupted ? 130 : 1; // 130: stopped by Ctrl-C, as scan
}

/** On a terminal: one \r line (rate, done/total, ETA); elsewhere nothing (the final line says it). */
function progressPrinter(commandIo: CommandIo, total: bigint, skip: number, quiet: boolean): (p: SearchProgress | null) => void {
  const err = commandIo.stderr;
  if (quiet || !err.isTTY) return () => {};
  let last = 0;
  return (p) => {
    if (p === null) return void err.write('\n');
    if (Date.now() - last < 500) return;
    last = Date.now();
    const rate = ((p.done - skip) * 1000) / Math.max(1, p.elapsedMs);
    const left = Number(total) - p.done;
    const eta = rate > 0 ? formatEta(left / rate) : '?';
    err.write(`\r${p.done}/${total} candidates, ${rate.toFixed(1)}/s, ETA ${eta}   `);
  };
}

function formatEta(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 120) return `${Math.ceil(s)} s`;
  if (s < 7200) return `${Math.ceil(s / 60)} min`;
  if (s < 172800) return `${Math.ceil(s / 3600)} h`;
  return `${Math.ceil(s / 86400)} days`;
}

/**
 * The only code that writes: an output directory that was empty when the scan began, files opened
 * with 'wx' so nothing is ever overwritten, every name through safeName().
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rmdir, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { errnoCode, fileProblem } from '../file-errors.ts';
import { CHECKPOINT_FILE, isCheckpointFile } from './checkpoint-file.ts';
import { safeName, safePath } from './safe-name.ts';

/** statfs f_type of the kernel's pseudo file systems: a folder there cannot hold our files. */
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
  [0x42494e4d, 'binfmt_misc'],
]);

/** Less than this free and the scan would fail half-way through writing (report.html alone can be MBs). */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

/**
 * Where an interrupted scan writes what it found so far (report.json "complete": false), apart
 * from the final results so that these are never written over. Its log names every path written
 * there, appended before the file is made: a resume accepts the folder only when it holds nothing
 * else, and removes exactly those files when it writes its own results (final, or a new partial).
 */
export const PARTIAL_DIR = 'partial';
const PARTIAL_LOG = '.keycarve-written';

export class OutDir {
  private readonly taken = new Set<string>();
  private constructor(
    readonly root: string,
    private readonly log: string | null = null,
  ) {}

  /**
   * Creates `root` or accepts it when it exists and is empty; refuses anything else. Proves the
   * folder writable (a probe file, created and removed) with room to spare, so an unusable --out
   * fails before the scan reads the medium. Errors are one line in words, naming --out.
   * `resume`: the folder must hold a scan checkpoint and nothing else (results come only at the end).
   */
  static async prepare(root: string, opts: { resume?: boolean } = {}): Promise<OutDir> {
    const abs = resolve(root);
    const label = `--out ${root}`;
    const st = await statOrNull(abs, label);
    if (st && !st.isDirectory()) throw new Error(`${label} exists and is not a directory — give a new folder`);
    const names = st ? await readdir(abs).catch((e) => Promise.reject(new Error(fileProblem(label, e, 'write')))) : [];
    if (opts.resume) {
      if (!names.includes(CHECKPOINT_FILE)) throw new Error(`${label} holds no checkpoint of an interrupted scan; run the scan without --resume`);
      if (!names.every((n) => isCheckpointFile(n) || n === PARTIAL_DIR)) throw new Error(`${label} holds more than a checkpoint (results already written?); nothing to resume — give a new folder`);
      await partialFiles(abs, label);
    } else if (names.includes(CHECKPOINT_FILE)) throw new Error(`${label} holds an interrupted scan; add --resume to continue it, or give a new folder`);
    else if (names.length > 0) throw new Error(`${label} is not empty; keycarve never overwrites — give a new folder`);
    if (!st && (await lstat(abs).catch(() => null))?.isSymbolicLink()) throw new Error(`${label} is a link to a folder that does not exist — give a new folder`);
    const made = await makeFolders(abs, label);
    try {
      await probe(abs, label);
    } catch (e) {
      for (const d of made.reverse()) await rmdir(d).catch(() => undefined);
      throw e;
    }
    return new OutDir(abs);
  }

  /** The partial results' folder, emptied of an earlier interruption's (only keycarve's own files). */
  async partial(): Promise<OutDir> {
    await removePartial(this.root);
    const dir = join(this.root, PARTIAL_DIR);
    try {
      await mkdir(dir);
      await writeFile(join(dir, PARTIAL_LOG), '', { flag: 'wx' });
    } catch (e) {
      throw new Error(fileProblem(`cannot write ${dir}`, e, 'write'));
    }
    return new OutDir(dir, join(dir, PARTIAL_LOG));
  }

  /** Reserves a unique relative path under `area` for a file or folder name. */
  reserve(area: string, pathSegments: readonly string[], name: string, next: (n: string, taken: (x: string) => boolean) => string): string {
    const dir = [area, ...pathSegments.map((p) => safeName(p))].join('/');
    const chosen = next(safeName(name), (n) => this.taken.has(`${dir}/${n}`.toLowerCase()));
    this.taken.add(`${dir}/${chosen}`.toLowerCase());
    return `${dir}/${chosen}`;
  }

  /**
   * Synchronous calls inside: the files are small and written one after another at the end of a
   * run, and each asynchronous call is a round trip through libuv's pool (the bench's 22 files:
   * ~4 ms synchronous, ~12 ms asynchronous, measured).
   */
  async writeFile(rel: string, bytes: Uint8Array | string): Promise<void> {
    const abs = resolve(this.root, rel);
    if (!abs.startsWith(this.root + sep)) throw new Error(`refusing to write outside --out: ${rel}`);
    try {
      // recursive is safe here: root exists and is a real folder (prepare proved it)
      mkdirSync(join(abs, '..'), { recursive: true });
      if (this.log) appendFileSync(this.log, rel + '\n');
      writeFileSync(abs, bytes, { flag: 'wx' });
    } catch (e) {
      throw new Error(fileProblem(`cannot write ${abs}`, e, 'write'));
    }
  }

  rel(abs: string): string {
    return relative(this.root, abs);
  }
}

/** The files an interrupted scan wrote into PARTIAL_DIR and that are there (relative to it), or
 * null when there is no such folder; refuses a file there that its log does not name. */
async function partialFiles(root: string, label: string): Promise<string[] | null> {
  const dir = join(root, PARTIAL_DIR);
  const log = await readFile(join(dir, PARTIAL_LOG), 'utf8').catch((e) => (errnoCode(e) === 'ENOENT' ? null : Promise.reject(new Error(fileProblem(label, e)))));
  if (log === null) {
    if (await statOrNull(dir, label)) throw new Error(`${label}: ${PARTIAL_DIR}/ was not written by keycarve (no ${PARTIAL_LOG}); move it away to resume`);
    return null;
  }
  const ours = new Set(log.split('\n').filter(Boolean));
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((e) => Promise.reject(new Error(fileProblem(label, e))));
  const rel = (d: (typeof entries)[number]) => relative(dir, join(d.parentPath, d.name));
  const there = entries.filter((d) => !d.isDirectory()).map(rel).filter((f) => f !== PARTIAL_LOG);
  const folders = new Set([...ours].flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join(sep))));
  const foreign = there.find((f) => !ours.has(f)) ?? entries.filter((d) => d.isDirectory()).map(rel).find((d) => !folders.has(d));
  if (foreign !== undefined) throw new Error(`${label}: ${PARTIAL_DIR}/${foreign} was not written by the interrupted scan; move it away to resume`);
  return there; // found inside the folder, so never a path outside it whatever the log says
}

/** Removes the partial results (their files, then the emptied folders), if any. */
export async function removePartial(root: string): Promise<void> {
  const label = `--out ${root}`;
  const files = await partialFiles(root, label);
  if (!files) return;
  const dir = join(root, PARTIAL_DIR);
  try {
    for (const f of files) await unlink(join(dir, f));
    const folders = new Set(files.flatMap((f) => f.split(sep).slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join(sep))));
    for (const d of [...folders].sort((a, b) => b.length - a.length)) await rmdir(join(dir, d));
    await unlink(join(dir, PARTIAL_LOG));
    await rmdir(dir);
  } catch (e) {
    throw new Error(fileProblem(`${label}: cannot remove the partial results in ${dir}`, e, 'write'));
  }
}

async function statOrNull(p: string, label: string) {
  return stat(p).catch((e) => (errnoCode(e) === 'ENOENT' ? null : Promise.reject(new Error(fileProblem(label, e, 'write')))));
}

/**
 * mkdir -p by hand, returning the folders it made. Node's `mkdir({ recursive: true })` spins
 * forever at 100 % CPU on /proc: procfs answers ENOENT for a new name, which Node reads as
 * "parent missing", makes the parent (EEXIST), and retries the child, endlessly.
 */
async function makeFolders(abs: string, label: string): Promise<string[]> {
  const missing: string[] = [];
  let p = abs;
  while (!(await statOrNull(p, label))) {
    missing.unshift(p);
    if (dirname(p) === p) break;
    p = dirname(p);
  }
  const fsType = PSEUDO_FS.get(Number((await statfs(p).catch(() => null))?.type ?? -1));
  if (fsType) throw new Error(`${label} is on ${p}, the kernel's ${fsType} file system, which cannot hold files — choose a folder on a drive`);
  const made: string[] = [];
  for (const d of missing) {
    try {
      await mkdir(d);
      made.push(d);
    } catch (e) {
      for (const m of made.reverse()) await rmdir(m).catch(() => undefined);
      throw new Error(fileProblem(`${label}: cannot create the folder${d === abs ? '' : ` ${d}`}`, e, 'write'));
    }
  }
  return made;
}

/** A small file created and removed, then the free space: both fail fast on a read-only or full drive. */
async function probe(abs: string, label: string): Promise<void> {
  const file = join(abs, '.keycarve-write-test');
  try {
    await writeFile(file, 'keycarve', { flag: 'wx' });
    await unlink(file);
  } catch (e) {
    await unlink(file).catch(() => undefined);
    throw new Error(fileProblem(`${label}: cannot write there`, e, 'write'));
  }
  const fs = await statfs(abs).catch(() => null);
  // blocks 0: the file system does not say (some FUSE ones); the probe above is all we know
  if (fs && fs.blocks > 0 && fs.bavail * fs.bsize < MIN_FREE_BYTES) throw new Error(`${label}: less than 16 MB free on that drive — free some space or choose another drive`);
}

export { safePath };

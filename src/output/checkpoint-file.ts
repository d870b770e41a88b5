/**
 * The checkpoint of an interrupted scan, kept in --out as two files: `scan-checkpoint.json`, small,
 * replaced atomically (written to a temp file in --out, synced, renamed over), and
 * `scan-checkpoint.data`, an append-only journal of what the pass kept (candidates, retained
 * bytes). The JSON names the journal length it covers; bytes past it are a torn append and are
 * cut off on resume. Appending keeps a checkpoint's cost to what is new since the last one, so a
 * 256 MiB retained store is written once, not every few seconds.
 */
import { open, readFile, rename, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, fileProblem } from '../file-errors.ts';

export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_FILE = 'scan-checkpoint.json';
export const CHECKPOINT_DATA = 'scan-checkpoint.data';
const TEMP = `${CHECKPOINT_FILE}.tmp`;

/** The files a checkpoint may leave in --out (a temp from an interrupted write included). */
export const isCheckpointFile = (name: string): boolean => name === CHECKPOINT_FILE || name === CHECKPOINT_DATA || name === TEMP;

/** Which medium a checkpoint belongs to: its size and a hash of sampled sectors. */
export interface MediumId {
  readonly size: number;
  readonly sampleSha256: string;
}

export interface CheckpointIndex {
  readonly version: number;
  readonly medium: MediumId;
  readonly dataLength: number;
  /** The scan's own state (src/run/checkpoint.ts gives it a shape). */
  readonly state: unknown;
}

/** A journal record: plain JSON fields plus byte fields (a candidate's bytes, a retained segment). */
export type JournalRecord = Readonly<Record<string, unknown>>;

/** One record: u32 LE header length, the JSON header, then the byte fields back to back. A byte
 * field that is a prefix of an earlier one (a candidate's bytes within its sectors) is not repeated. */
function encode(rec: JournalRecord): Buffer {
  const plain: Record<string, unknown> = {};
  const blobs: [string, number, number?][] = [];
  const payload: Uint8Array[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (!(v instanceof Uint8Array)) {
      plain[k] = v;
      continue;
    }
    const within = payload.findIndex((p) => p.length >= v.length && Buffer.from(p.buffer, p.byteOffset, v.length).equals(v));
    if (within >= 0) blobs.push([k, v.length, within]);
    else {
      blobs.push([k, v.length]);
      payload.push(v);
    }
  }
  const head = Buffer.from(JSON.stringify({ p: plain, b: blobs }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  return Buffer.concat([len, head, ...payload]);
}

function decode(data: Buffer, end: number): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (let at = 0; at < end; ) {
    const hl = data.readUInt32LE(at);
    const head = JSON.parse(data.toString('utf8', at + 4, at + 4 + hl)) as { p: Record<string, unknown>; b: [string, number, number?][] };
    at += 4 + hl;
    const rec = { ...head.p };
    const own: Uint8Array[] = [];
    for (const [k, n, within] of head.b) {
      if (within !== undefined) rec[k] = own[within]!.subarray(0, n);
      else {
        rec[k] = own[own.length] = new Uint8Array(data.subarray(at, at + n));
        at += n;
      }
    }
    out.push(rec);
  }
  return out;
}

/** Appends to the journal and replaces the index; each write durable before the rename. */
export class CheckpointWriter {
  private constructor(private readonly root: string, private dataLength: number) {}

  /** A new journal, or (resuming) the one there cut to what its index covers. */
  static async open(root: string, resumeFrom?: CheckpointIndex): Promise<CheckpointWriter> {
    const data = join(root, CHECKPOINT_DATA);
    await (resumeFrom ? truncate(data, resumeFrom.dataLength) : open(data, 'wx').then((h) => h.close())).catch((e) => {
      throw new Error(fileProblem(`cannot write the checkpoint ${data}`, e, 'write'));
    });
    return new CheckpointWriter(root, resumeFrom?.dataLength ?? 0);
  }

  /**
   * `durable` false: no fsync (the rename still makes it whole after a crash of the process, not
   * of the machine) — for the checkpoint at position 0, whose loss costs nothing to redo.
   * `beforeRename` is a test hook: it runs once the temp index is complete, before it counts.
   */
  async write(medium: MediumId, state: unknown, records: readonly JournalRecord[], beforeRename?: () => void, durable = true): Promise<void> {
    const data = join(this.root, CHECKPOINT_DATA);
    const temp = join(this.root, TEMP);
    try {
      const bytes = Buffer.concat(records.map(encode));
      await writeAt(data, 'r+', bytes, this.dataLength, durable);
      this.dataLength += bytes.length;
      const index: CheckpointIndex = { version: CHECKPOINT_VERSION, medium, dataLength: this.dataLength, state };
      await writeAt(temp, 'w', Buffer.from(JSON.stringify(index)), 0, durable);
      beforeRename?.();
      await rename(temp, join(this.root, CHECKPOINT_FILE));
      if (durable) await syncFolder(this.root);
    } catch (e) {
      throw new Error(fileProblem(`cannot write the checkpoint in ${this.root}`, e, 'write'));
    }
  }
}

async function writeAt(path: string, flags: string, bytes: Buffer, at: number, sync: boolean): Promise<void> {
  const h = await open(path, flags);
  try {
    await h.write(bytes, 0, bytes.length, at);
    if (sync) await h.datasync();
  } finally {
    await h.close();
  }
}

/** The rename itself survives a power cut only once the folder is synced (not every file system can). */
async function syncFolder(root: string): Promise<void> {
  const h = await open(root, 'r').catch(() => null);
  await h?.sync().catch(() => undefined);
  await h?.close();
}

/** The checkpoint in `root` with its journal, or null when there is none. A temp index is ignored. */
export async function readCheckpoint(root: string): Promise<{ index: CheckpointIndex; records: JournalRecord[] } | null> {
  const file = join(root, CHECKPOINT_FILE);
  const text = await readFile(file, 'utf8').catch((e) => (errnoCode(e) === 'ENOENT' ? null : Promise.reject(new Error(fileProblem(`cannot read the checkpoint ${file}`, e)))));
  if (text === null) return null;
  let index: CheckpointIndex;
  try {
    index = JSON.parse(text) as CheckpointIndex;
  } catch {
    throw new Error(`the checkpoint ${file} is damaged; start again without --resume in a new folder`);
  }
  if (index.version !== CHECKPOINT_VERSION)
    throw new Error(`the checkpoint ${file} is format ${String(index.version)}, this keycarve reads ${CHECKPOINT_VERSION}; start again without --resume in a new folder`);
  const data = await readFile(join(root, CHECKPOINT_DATA)).catch((e) => Promise.reject(new Error(fileProblem(`cannot read the checkpoint journal in ${root}`, e))));
  if (data.length < index.dataLength) throw new Error(`the checkpoint journal in ${root} is shorter than its index says; start again without --resume in a new folder`);
  return { index, records: decode(data, index.dataLength) };
}

/** After the results are written: the checkpoint has served (index first, so no half is ever read). */
export async function removeCheckpoint(root: string): Promise<void> {
  for (const f of [CHECKPOINT_FILE, TEMP, CHECKPOINT_DATA]) await rm(join(root, f), { force: true });
}

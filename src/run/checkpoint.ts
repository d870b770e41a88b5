/**
 * `scan --resume`: what a checkpoint holds and when it is written. The linear pass reports its
 * state at each whole chunk (src/scan/linear-pass.ts onChunkDone); with it go the retention
 * plan, the metadata observer's volume starts, and — journaled as they appear — the candidates
 * and the bytes retained. Restoring all of them at `position` and passing on from there gives
 * the scan that never stopped. The files themselves are src/output/checkpoint-file.ts.
 */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import type { Candidate } from '../carve/types.ts';
import { CheckpointWriter, readCheckpoint, type CheckpointIndex, type JournalRecord, type MediumId } from '../output/checkpoint-file.ts';
import type { CarverStats } from '../scan/carve-chunk.ts';
import type { PassState } from '../scan/linear-pass.ts';
import type { MetadataObserver, ObserverState } from '../scan/metadata-plan.ts';
import type { RetainedStore, RetentionPlan } from '../scan/retained.ts';
import type { ByteRange, ByteSource } from '../source/types.ts';

/** What the index keeps besides the journal. */
interface ScanState {
  readonly pass: Omit<PassState, 'candidates'>;
  readonly wants: readonly ByteRange[];
  readonly observer: ObserverState;
}

export interface Resumed {
  readonly index: CheckpointIndex;
  readonly pass: PassState;
  readonly wants: readonly ByteRange[];
  readonly observer: ObserverState;
  readonly segments: readonly { offset: number; bytes: Uint8Array }[];
}

export interface CheckpointTiming {
  readonly everyMs: number;
  readonly everyBytes: number;
  /** Never sooner than this after the last one (default 0): on a fast source 256 MiB is a fraction
   * of a second of work, not worth three fsyncs. */
  readonly minMs?: number;
  /** Test hooks: SIGKILL this process after the n-th checkpoint, or in it before its rename; send
   * it `sigints` SIGINTs (a Ctrl-C, or two in a row) after the n-th whole chunk it passes. */
  readonly killAfter?: number;
  readonly killBeforeRename?: number;
  readonly sigintAfter?: number;
  readonly sigints?: number;
}

export const DEFAULT_TIMING: CheckpointTiming = { everyMs: 5000, everyBytes: 256 * 1024 * 1024, minMs: 1000 };

const SAMPLES = 64;

/** Size and a hash of 64 sectors spread over the medium: a different disk of the same size differs there. */
export async function mediumId(source: ByteSource): Promise<MediumId> {
  const h = createHash('sha256');
  const sector = new Uint8Array(512);
  const last = Math.max(0, Math.floor((source.size - 512) / 512));
  for (let k = 0; k < SAMPLES; k++) {
    sector.fill(0);
    await readSample(source, Math.round((k * last) / (SAMPLES - 1)) * 512, sector.subarray(0, Math.min(512, source.size)));
    h.update(sector);
  }
  return { size: source.size, sampleSha256: h.digest('hex') };
}

/** On an image file's descriptor a sector is one pread here (~50 µs less each than an async read
 * through the tolerant source); one that fails goes back to the tolerant source, as the workers do. */
async function readSample(source: ByteSource, at: number, into: Uint8Array): Promise<void> {
  if (source.fd !== undefined) {
    try {
      readSync(source.fd, into, 0, into.length, at);
      return;
    } catch {
      into.fill(0);
    }
  }
  await source.read(at, into);
}

/** The checkpoint in `out`, checked against `source`; messages are one line, for the user. */
export async function loadCheckpoint(out: string, source: ByteSource): Promise<Resumed> {
  const cp = await readCheckpoint(out);
  if (!cp) throw new Error(`--out ${out} holds no checkpoint of an interrupted scan; run the scan without --resume`);
  const { index, records } = cp;
  const again = 'give the medium that scan was reading, or start again without --resume in a new folder';
  if (index.medium.size !== source.size) throw new Error(`${source.path} is not the medium the checkpoint in ${out} was made from (${source.size} bytes, it was ${index.medium.size}); ${again}`);
  if (index.medium.sampleSha256 !== (await mediumId(source)).sampleSha256) throw new Error(`${source.path} is not the medium the checkpoint in ${out} was made from (its sampled sectors differ); ${again}`);
  const state = index.state as ScanState;
  const candidates: Candidate[] = [];
  const segments: { offset: number; bytes: Uint8Array }[] = [];
  for (const { t, ...r } of records) {
    if (t === 'c') candidates.push(r as unknown as Candidate);
    else segments.push(r as unknown as { offset: number; bytes: Uint8Array });
  }
  return { index, pass: { ...state.pass, candidates }, wants: state.wants, observer: state.observer, segments };
}

/** The pass's state without its candidates, as later chunks will not change it: they re-sort and
 * cut the alerts in place and add to the carvers' counters (flat objects). A copy by hand: with
 * structuredClone a chunk's hook cost ~25 µs of CPU, with this ~1.6 (×1024 chunks on 2 GiB). */
function frozen(s: PassState): Omit<PassState, 'candidates'> {
  const carvers: Record<string, CarverStats> = {};
  for (const k in s.carvers) carvers[k] = { ...s.carvers[k]! };
  return { position: s.position, alerts: [...s.alerts], readErrors: [...s.readErrors], bytesRead: s.bytesRead, carvers };
}

/** Journals the store, snapshots each whole chunk, and writes a checkpoint when one is due. */
export class Checkpointer {
  private pending: JournalRecord[] = [];
  private committed: JournalRecord[] = [];
  private taken = 0;
  private latest: ScanState | null = null;
  private writtenAt = { ms: Date.now(), position: -1 };
  private writing: Promise<void> | null = null;
  private writes = 0;
  private failed: unknown = null;
  /** The pass at its last whole chunk (what a checkpoint holds): an interrupted scan reports this. */
  private reachedPass: Omit<PassState, 'candidates'> = { position: 0, alerts: [], readErrors: [], bytesRead: 0, carvers: {} };
  private readonly whole: Candidate[] = [];
  private chunks = 0;

  constructor(
    private readonly writer: CheckpointWriter,
    private readonly medium: MediumId,
    private readonly store: RetainedStore,
    private readonly plan: RetentionPlan,
    private readonly observer: MetadataObserver,
    private readonly timing: CheckpointTiming,
  ) {
    store.onAdd = (offset, bytes) => this.pending.push({ t: 's', offset, bytes });
  }

  static async start(out: string, source: ByteSource, parts: { store: RetainedStore; plan: RetentionPlan; observer: MetadataObserver }, timing: CheckpointTiming, resumed?: Resumed): Promise<Checkpointer> {
    const writer = await CheckpointWriter.open(out, resumed?.index);
    const cp = new Checkpointer(writer, resumed?.index.medium ?? (await mediumId(source)), parts.store, parts.plan, parts.observer, timing);
    if (resumed) {
      cp.taken = resumed.pass.candidates.length;
      cp.whole.push(...resumed.pass.candidates);
      const { candidates: _, ...pass } = resumed.pass;
      cp.reachedPass = pass;
    } else {
      // A checkpoint before the first chunk: an interruption at any moment leaves one to resume.
      cp.onChunkDone({ position: 0, candidates: [], alerts: [], readErrors: [], bytesRead: 0, carvers: {} });
      await cp.flush(false);
    }
    return cp;
  }

  /** The pass's hook: cheap (references and small copies); the write runs behind the pass. */
  readonly onChunkDone = (s: PassState): void => {
    for (const c of s.candidates.slice(this.taken)) {
      this.pending.push({ t: 'c', ...c });
      this.whole.push(c);
    }
    this.taken = s.candidates.length;
    this.committed.push(...this.pending);
    this.pending = [];
    this.reachedPass = frozen(s);
    this.latest = { pass: this.reachedPass, wants: this.plan.wanted(), observer: this.observer.state() };
    if (++this.chunks === this.timing.sigintAfter) for (let i = 0; i < (this.timing.sigints ?? 1); i++) process.kill(process.pid, 'SIGINT');
    const ms = Date.now() - this.writtenAt.ms;
    const due = (ms >= this.timing.everyMs || s.position - this.writtenAt.position >= this.timing.everyBytes) && ms >= (this.timing.minMs ?? 0);
    if (due && !this.writing) this.writeLatest();
  };

  private writeLatest(durable = true): void {
    const state = this.latest!;
    const records = this.committed;
    this.committed = [];
    this.latest = null;
    this.writtenAt = { ms: Date.now(), position: state.pass.position };
    const n = ++this.writes;
    const hook = this.timing.killBeforeRename === n ? () => process.kill(process.pid, 'SIGKILL') : undefined;
    this.writing = this.writer
      .write(this.medium, state, records, hook, durable)
      .then(() => {
        if (this.timing.killAfter === n) process.kill(process.pid, 'SIGKILL');
      })
      .catch((e: unknown) => {
        this.failed ??= e;
      })
      .finally(() => (this.writing = null));
  }

  /** Waits for a write in flight, then writes the latest state if it is newer (Ctrl-C). */
  async flush(durable = true): Promise<void> {
    await this.settle();
    if (this.latest) {
      this.writeLatest(durable);
      await this.settle();
    }
  }

  /** Waits for a write in flight (the pass done: the results follow, a last checkpoint would only
   * cost fsyncs on the way to them). */
  async settle(): Promise<void> {
    await this.writing;
    if (this.failed) throw this.failed instanceof Error ? this.failed : new Error(String(this.failed));
  }

  /** The pass at its last whole chunk: its state, and which of `candidates` it had found (in their order). */
  reached(candidates: readonly Candidate[]): PassState {
    const whole = new Set(this.whole);
    return { ...this.reachedPass, candidates: candidates.filter((c) => whole.has(c)) };
  }

  /** The pass is over: the store's later adds (candidates' bytes) are not the pass's. */
  detach(): void {
    this.store.onAdd = null;
  }
}

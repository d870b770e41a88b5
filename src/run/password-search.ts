/**
 * The password search: candidates in batches over the worker pool (one thread with --jobs 1),
 * a bounded number in flight, stopping at the first hit. `done` counts candidates from the start
 * of the stream whose batches have all come back — the point a resumed search skips to.
 */
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import type * as PiscinaModule from 'piscina';
import { sourceWorker } from '../scan/pool.ts';
import type { PasswordTarget } from '../reassemble/password-check.ts';
import guessTask, { type GuessTask, type GuessResult } from './password-worker.ts';

export interface SearchProgress {
  /** Candidates tried, all of them from the stream's start. */
  readonly done: number;
  readonly elapsedMs: number;
}

export interface SearchOptions {
  readonly jobs: number;
  /** Candidates already tried (resume): skipped without testing. */
  readonly skip?: number;
  readonly onProgress?: (p: SearchProgress) => void;
  /** Set to stop early (Ctrl-C): the search returns what it has. */
  readonly signal?: AbortSignal;
}

export interface SearchResult {
  readonly found: string | null;
  readonly done: number;
  readonly interrupted: boolean;
}

/** Guesses per task: ~0.05 s of native KDFs (~0.2 s in TypeScript), small enough for a quick stop and fair progress, large enough that messaging costs nothing. */
const BATCH = 8;

interface GuessPool {
  run(task: GuessTask): Promise<GuessResult>;
  close(): Promise<void>;
}

function createGuessPool(jobs: number): GuessPool {
  // One job: this thread, a batch per turn of the event loop so progress and Ctrl-C are seen.
  if (jobs <= 1) return { run: (t) => new Promise((done) => setImmediate(done)).then(() => guessTask(t)), close: async () => {} };
  const { Piscina } = createRequire(import.meta.url)('piscina') as typeof PiscinaModule;
  const pool = new Piscina({
    ...(import.meta.url.endsWith('.ts') ? sourceWorker(new URL('./password-worker.ts', import.meta.url)) : { filename: new URL('./password-worker.js', import.meta.url).href }),
    minThreads: jobs,
    maxThreads: jobs,
  });
  return { run: (t) => pool.run(t) as Promise<GuessResult>, close: () => pool.destroy() };
}

export async function searchPasswords(target: PasswordTarget, stream: Iterator<string>, o: SearchOptions): Promise<SearchResult> {
  const pool = createGuessPool(o.jobs);
  const searchId = randomUUID();
  const start = Date.now();
  const inFlight = new Map<number, Promise<void>>();
  const finished = new Set<number>(); // batch start offsets back, not yet contiguous with `done`
  const sizes = new Map<number, number>();
  let next = 0;
  let done = 0;
  let found: string | null = null;
  for (let skipped = 0; skipped < (o.skip ?? 0) && !stream.next().done; skipped++) next++;
  done = next;
  const advance = () => {
    while (finished.has(done)) {
      finished.delete(done);
      done += sizes.get(done)!;
    }
  };
  const stopped = aborted(o.signal);
  try {
    let exhausted = false;
    while (found === null && !o.signal?.aborted) {
      while (!exhausted && inFlight.size < Math.max(2, o.jobs * 2)) {
        const guesses = take(stream, BATCH);
        if (guesses.length === 0) {
          exhausted = true;
          break;
        }
        const at = next;
        next += guesses.length;
        sizes.set(at, guesses.length);
        const p = pool.run({ searchId, target, guesses }).then((r) => {
          inFlight.delete(at);
          if (r.hit >= 0 && found === null) found = guesses[r.hit]!;
          finished.add(at);
          advance();
          o.onProgress?.({ done, elapsedMs: Date.now() - start });
        });
        inFlight.set(at, p);
      }
      if (inFlight.size === 0) break;
      await Promise.race([...inFlight.values(), stopped]);
    }
    await Promise.all(inFlight.values());
  } finally {
    await pool.close();
  }
  return { found, done, interrupted: found === null && !!o.signal?.aborted };
}

function take(it: Iterator<string>, n: number): string[] {
  const out: string[] = [];
  for (let r = it.next(); !r.done; r = it.next()) {
    out.push(r.value);
    if (out.length === n) break;
  }
  return out;
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => (signal ? signal.addEventListener('abort', () => done(), { once: true }) : undefined));
}

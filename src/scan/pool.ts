/**
 * The carving worker pool. From the build (dist/*.js) workers run worker.js as plain JavaScript;
 * when the sources themselves run (vitest, tsx scripts) they load worker.ts through tsx's loader,
 * uncached so nothing is left in $TMPDIR.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type * as PiscinaModule from 'piscina';
import { DEFAULT_PAGE } from './linear-pass.ts';
import carveTask, { type ChunkTask, type TaskResult } from './worker.ts';

export interface CarvePool {
  run(task: ChunkTask): Promise<TaskResult>;
  close(): Promise<void>;
}

/**
 * The default --jobs, chosen by measurement (npm run bench, bench/stages.ts): on 2 cores one
 * carving thread — this one — whose chunks the addon reads and tests on libuv's threads, several
 * in flight, so the copy from the page cache runs on both cores without a worker's start-up
 * (~0.1 s each: --jobs 2 was slower at 512 MiB and 2 GiB and a tie at 8 GiB at ~75% more CPU).
 * Against this thread's own preads the pass was as fast or faster (2 GiB 0.29 vs 0.32 s, 8 GiB
 * 0.72–1.24 vs 0.82–1.14, interleaved medians) at 15–30% more CPU: the copies compete for memory.
 * With more cores, cores − 1 workers read and carve their own chunks while this thread keeps a
 * core for the event loop and the later stages. E01 too, though it decodes every chunk
 * (~0.5 GB/s a core): two workers on 2 cores were slower in wall and CPU time (--jobs 1 vs 2,
 * interleaved, 512 MiB and 2 GiB E01s, uncompressed and deflate; formats2 in README).
 */
export function defaultJobs(cores = availableParallelism()): number {
  return cores <= 2 ? 1 : cores - 1;
}

/** Chunks in flight for one job: read on libuv's threads while the one before waits for its
 * successor (the pass frees a slot only once that is carved). Four: with chunks read keeping only
 * what is carved (worker.ts), a deeper ring no longer pushes the copies out of cache, and it keeps
 * both threads reading (interleaved medians, pass ms, 3 vs 4 slots: 2 GiB 223 vs 217 and 268 vs
 * 229, 8 GiB 975 vs 766). With every byte written out, three had been better than four (220 vs
 * 243 ms). */
export const THREAD_SLOTS = 4;

/**
 * The pool for a source of `size` bytes. One job, or a source within one page, is carved on this
 * thread: workers would add only their start-up (~0.1 s each, most of a floppy's scan).
 */
export function createCarvePool(jobs: number, size = Infinity): CarvePool {
  if (jobs <= 1 || size <= DEFAULT_PAGE) return threadPool();
  // Required here, not imported at the top: a one-page source never loads piscina.
  const { Piscina } = createRequire(import.meta.url)('piscina') as typeof PiscinaModule;
  const pool = new Piscina({
    ...(import.meta.url.endsWith('.ts') ? sourceWorker() : { filename: new URL('./worker.js', import.meta.url).href }),
    minThreads: jobs,
    maxThreads: jobs,
    // One task per worker at a time: the in-flight bound lives in the scan loop.
    concurrentTasksPerWorker: 1,
  });
  return {
    run: (task) => pool.run(task) as Promise<TaskResult>,
    close: () => pool.destroy(),
  };
}

/** Carving on this thread, each chunk after a turn of the event loop (so progress and Ctrl-C are
 * seen); a chunk from a descriptor is read off it (carveTask), at most `readers` at once. By
 * default every chunk in flight is queued at once and libuv's threads, one a core (scripts/
 * launch.cjs), take them in order: a read queued behind another starts as soon as a thread is
 * free. Held back here instead, at most a core's worth at once, each waited for this thread's
 * next turn: the pass went from a median of 248 to 194–200 ms (2 GiB, 12 runs each). */
export function threadPool(readers = Infinity): CarvePool {
  let running = 0;
  const waiting: (() => void)[] = [];
  const next = () => {
    running--;
    waiting.shift()?.();
  };
  return {
    run: (task) =>
      new Promise((done) => {
        const start = () => {
          running++;
          setImmediate(() => done(carveTask(task, true).finally(next)));
        };
        if (running < readers) start();
        else waiting.push(start);
      }),
    close: async () => {},
  };
}

/** A worker module (`url` of its .ts) under tsx (a devDependency: only the sources need it), with tsx's disk cache off. */
export function sourceWorker(url = new URL('./worker.ts', import.meta.url)) {
  const require = createRequire(import.meta.url);
  const tsxLoader = pathToFileURL(require.resolve('tsx')).href.replace(/loader\.cjs$/, 'loader.mjs');
  return {
    filename: url.href,
    execArgv: ['--import', tsxLoader],
    env: { ...process.env, TSX_DISABLE_CACHE: '1' },
  };
}

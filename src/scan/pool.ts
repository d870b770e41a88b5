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
 * The default --jobs, chosen by measurement (npm run bench): on 2 cores one carving thread — this
 * one, no workers — is fastest; a warm-cache scan is bound by memory bandwidth, which a second
 * reader does not add to, while each worker costs ~0.1 s to start. With more cores, cores − 1
 * workers read and carve while this thread keeps a core for the event loop and the later stages.
 * A source that decodes every chunk (EWF: inflate or Adler-32, ~1.3 GB/s a core against the
 * carve's ~2.7) is bound by the CPU instead: on 2 cores, two workers share the decoding.
 */
export function defaultJobs(cores = availableParallelism(), decodes = false): number {
  if (cores <= 2) return decodes && cores === 2 ? 2 : 1;
  return cores - 1;
}

/**
 * The pool for a source of `size` bytes. One job, or a source within one page, is carved on this
 * thread: workers would add only their start-up (~0.1 s each, most of a floppy's scan). Each chunk
 * waits for a turn of the event loop, so progress and Ctrl-C are still seen.
 */
export function createCarvePool(jobs: number, size = Infinity): CarvePool {
  if (jobs <= 1 || size <= DEFAULT_PAGE)
    return { run: (task) => new Promise((done) => setImmediate(() => done(carveTask(task)))), close: async () => {} };
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

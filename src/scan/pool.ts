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
import { ReadAhead, type Fill } from './read-ahead.ts';
import carveTask, { type ChunkTask, type TaskResult } from './worker.ts';

export interface CarvePool {
  run(task: ChunkTask): Promise<TaskResult>;
  close(): Promise<void>;
}

/**
 * The default --jobs, chosen by measurement (npm run bench, bench/stages.ts): on 2 cores one
 * carving thread — this one, reading and carving (a reader thread preading ahead, threadPool(true),
 * cannot hang since its waits went asynchronous, but showed no wall-clock gain in interleaved runs
 * on the shared machine, load 5–8, and costs ~3% more CPU: it stays off); a warm-cache scan is
 * bound by memory bandwidth, which a second reader does not add to, while each worker costs ~0.1 s
 * to start. With more cores, cores − 1 workers read and carve their own chunks while this thread
 * keeps a core for the event loop and the later stages. E01 too, though it decodes every chunk
 * (~0.5 GB/s a core): two workers on 2 cores were slower in wall and CPU time (--jobs 1 vs 2,
 * interleaved, 512 MiB and 2 GiB E01s, uncompressed and deflate; formats2 in README).
 */
export function defaultJobs(cores = availableParallelism()): number {
  return cores <= 2 ? 1 : cores - 1;
}

/** From this size on, one job's chunks are read by a reader thread (src/scan/read-ahead.ts): its
 * start-up (~40 ms of the other core) is paid back by the reads it takes off the carving thread. */
export const READ_AHEAD_MIN = 256 * 1024 * 1024;
const READ_AHEAD_DEFAULT = false;

/**
 * The pool for a source of `size` bytes. One job, or a source within one page, is carved on this
 * thread: workers would add only their start-up (~0.1 s each, most of a floppy's scan). Each chunk
 * waits for a turn of the event loop, so progress and Ctrl-C are still seen. Chunks this thread
 * would pread itself are read ahead by a reader thread when the source is large.
 */
export function createCarvePool(jobs: number, size = Infinity): CarvePool {
  // Read-ahead stays off by default (no measured gain, see defaultJobs); threadPool(true) is tested.
  if (jobs <= 1 || size <= DEFAULT_PAGE) return threadPool(READ_AHEAD_DEFAULT && size >= READ_AHEAD_MIN);
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

/** Carving on this thread; `readAhead`: a reader thread (`reader`, or one started at the first
 * chunk to read) preads the chunks once it runs. */
export function threadPool(readAhead: boolean, reader: ReadAhead | null = null): CarvePool {
  return {
    run(task) {
      let fill: Fill | undefined;
      if (readAhead && task.fd !== undefined) reader ??= new ReadAhead();
      if (reader?.ready && task.fd !== undefined) {
        // Queued now, read while the chunks before it are carved.
        fill = reader.request({ fd: task.fd, shared: task.shared, byteOffset: task.byteOffset, base: task.base, from: task.readFrom ?? 0, length: task.length });
      }
      return new Promise((done) => setImmediate(() => done(carveTask(task, fill))));
    },
    close: async () => {
      await reader?.close();
    },
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

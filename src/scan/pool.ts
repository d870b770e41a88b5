/**
 * The carving worker pool. From the build (dist/*.js) workers run worker.js as plain JavaScript;
 * when the sources themselves run (vitest, tsx scripts) they load worker.ts through tsx's loader,
 * uncached so nothing is left in $TMPDIR.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as PiscinaModule from 'piscina';
import { DEFAULT_PAGE } from './linear-pass.ts';
import carveTask, { type ChunkTask, type TaskResult } from './worker.ts';

export interface CarvePool {
  run(task: ChunkTask): Promise<TaskResult>;
  close(): Promise<void>;
}

/**
 * The pool for a source of `size` bytes. A source within one page is a single task: workers would
 * add only their start-up (~0.1 s each, most of a floppy's scan), so it is carved on this thread.
 */
export function createCarvePool(jobs: number, size = Infinity): CarvePool {
  if (size <= DEFAULT_PAGE) return { run: async (task) => carveTask(task), close: async () => {} };
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

/** worker.ts under tsx (a devDependency: only the sources need it), with tsx's disk cache off. */
function sourceWorker() {
  const require = createRequire(import.meta.url);
  const tsxLoader = pathToFileURL(require.resolve('tsx')).href.replace(/loader\.cjs$/, 'loader.mjs');
  return {
    filename: new URL('./worker.ts', import.meta.url).href,
    execArgv: ['--import', tsxLoader],
    env: { ...process.env, TSX_DISABLE_CACHE: '1' },
  };
}

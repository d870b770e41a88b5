/**
 * The carving worker pool. Workers run the TypeScript sources through tsx's loader (the same way
 * bin/keycarve.mjs runs the CLI), so a fresh clone needs no build step.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { ChunkResult } from './carve-chunk.ts';
import type { ChunkTask } from './worker.ts';

export interface CarvePool {
  run(task: ChunkTask): Promise<ChunkResult>;
  close(): Promise<void>;
}

export function createCarvePool(jobs: number): CarvePool {
  const require = createRequire(import.meta.url);
  const tsxLoader = pathToFileURL(require.resolve('tsx')).href.replace(/loader\.cjs$/, 'loader.mjs');
  const pool = new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: jobs,
    maxThreads: jobs,
    // One task per worker at a time: the in-flight bound lives in the scan loop.
    concurrentTasksPerWorker: 1,
    execArgv: ['--import', tsxLoader],
  });
  return {
    run: (task) => pool.run(task) as Promise<ChunkResult>,
    close: () => pool.destroy(),
  };
}

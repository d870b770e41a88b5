import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'vitest';
import { need } from './tools.ts';

/** The public sample containers, read in place (never copied into the repository): next to the
 * checkout as ../shared/samples, or where KEYCARVE_SAMPLES points. */
export const SAMPLES_DIR: string = resolve(process.env.KEYCARVE_SAMPLES ?? join(import.meta.dirname, '../../../shared/samples'));

export const HAVE_SAMPLES = existsSync(join(SAMPLES_DIR, 'manifest.json'));

/** Tests over the samples skip, named and counted in the summary, when the folder is absent. */
export const needSamples = need(HAVE_SAMPLES ? [] : [{ tool: `the sample containers (${process.env.KEYCARVE_SAMPLES ? SAMPLES_DIR : '../shared/samples'})`, pkg: '' }]);

/** Registers `fn` per sample; without the samples one skipped test stands for them, so a loop
 * over an absent folder never silently makes no tests. */
export function eachSample<T>(items: readonly T[], what: string, fn: (item: T) => void): void {
  if (!HAVE_SAMPLES) it.skip(what + needSamples.tag, () => {});
  for (const x of items) fn(x);
}

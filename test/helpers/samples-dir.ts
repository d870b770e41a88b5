import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The public sample containers, read in place (never copied into the repository): next to the
 * checkout as ../shared/samples, or where KEYCARVE_SAMPLES points. Tests skip when absent. */
export const SAMPLES_DIR: string =
  process.env.KEYCARVE_SAMPLES ??
  [join(import.meta.dirname, '../../../shared/samples'), '/work/shared/samples'].find((d) => existsSync(d)) ??
  join(import.meta.dirname, '../../../shared/samples');

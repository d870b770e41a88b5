/** Reads a container folder as CryptoPro lays it out (case-insensitive: FAT gives HEADER.KEY). */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_NAMES, type ContainerFiles } from '../format/container.ts';
import { formatBytes } from '../output/units.ts';

/** Largest key file read: header.key with a big certificate is < 64 KiB; anything larger is not ours. */
export const MAX_FILE = 1 << 20;

export const FIELD: Record<(typeof FILE_NAMES)[number], keyof ContainerFiles> = {
  'header.key': 'header',
  'primary.key': 'primary',
  'masks.key': 'masks',
  'primary2.key': 'primary2',
  'masks2.key': 'masks2',
  'name.key': 'name',
};

/** Throws (a Node file error, for fileProblem) when the folder itself cannot be read. */
export async function readContainerDir(dir: string): Promise<{ files: ContainerFiles; tooBig: string[]; names: Record<string, string> }> {
  if (!(await stat(dir)).isDirectory()) throw new Error('is a file, not a folder — give the container folder itself, e.g. …/abcdefgh.000');
  const entries = await readdir(dir);
  const files: ContainerFiles = {};
  const tooBig: string[] = [];
  const names: Record<string, string> = {};
  for (const fname of FILE_NAMES) {
    const actual = entries.find((e) => e.toLowerCase() === fname);
    if (!actual) continue;
    const p = join(dir, actual);
    const st = await stat(p);
    if (!st.isFile()) continue;
    if (st.size > MAX_FILE) {
      tooBig.push(fname);
      continue;
    }
    files[FIELD[fname]] = new Uint8Array(await readFile(p));
    names[fname] = actual;
  }
  return { files, tooBig, names };
}

/** Throws one line in words (no `what` prefix: the caller names the option). */
export async function readSmallFile(path: string, what: string): Promise<Uint8Array> {
  const st = await stat(path);
  if (!st.isFile()) throw new Error(`is not a file — give the ${what} file itself`);
  if (st.size > MAX_FILE) throw new Error(`is larger than ${formatBytes(MAX_FILE)}, too large for a ${what}`);
  return new Uint8Array(await readFile(path));
}

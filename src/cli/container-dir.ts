/** Reads a container folder as CryptoPro lays it out (case-insensitive: FAT gives HEADER.KEY). */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_NAMES, type ContainerFiles } from '../format/container.ts';

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

/** Throws (one line) when the folder itself cannot be read. */
export async function readContainerDir(dir: string): Promise<{ files: ContainerFiles; tooBig: string[]; names: Record<string, string> }> {
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

export async function readSmallFile(path: string, what: string): Promise<Uint8Array> {
  const st = await stat(path);
  if (!st.isFile()) throw new Error(`${what} ${path} is not a file`);
  if (st.size > MAX_FILE) throw new Error(`${what} ${path} is too large`);
  return new Uint8Array(await readFile(path));
}

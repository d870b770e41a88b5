/**
 * The only code that writes: an output directory that was empty when the scan began, files opened
 * with 'wx' so nothing is ever overwritten, every name through safeName().
 */
import { mkdir, readdir, writeFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { safeName, safePath } from './safe-name.ts';

export class OutDir {
  private readonly taken = new Set<string>();
  private constructor(readonly root: string) {}

  /** Creates `root` or accepts it when it exists and is empty; refuses anything else. */
  static async prepare(root: string): Promise<OutDir> {
    const abs = resolve(root);
    const st = await stat(abs).catch(() => null);
    if (st && !st.isDirectory()) throw new Error(`--out ${root} exists and is not a directory`);
    if (st && (await readdir(abs)).length > 0) throw new Error(`--out ${root} is not empty; keycarve never overwrites — give a new folder`);
    await mkdir(abs, { recursive: true });
    return new OutDir(abs);
  }

  /** Reserves a unique relative path under `area` for a file or folder name. */
  reserve(area: string, pathSegments: readonly string[], name: string, next: (n: string, taken: (x: string) => boolean) => string): string {
    const dir = [area, ...pathSegments.map((p) => safeName(p))].join('/');
    const chosen = next(safeName(name), (n) => this.taken.has(`${dir}/${n}`.toLowerCase()));
    this.taken.add(`${dir}/${chosen}`.toLowerCase());
    return `${dir}/${chosen}`;
  }

  async writeFile(rel: string, bytes: Uint8Array | string): Promise<void> {
    const abs = resolve(this.root, rel);
    if (!abs.startsWith(this.root + sep)) throw new Error(`refusing to write outside --out: ${rel}`);
    await mkdir(join(abs, '..'), { recursive: true });
    await writeFile(abs, bytes, { flag: 'wx' });
  }

  rel(abs: string): string {
    return relative(this.root, abs);
  }
}

export { safePath };

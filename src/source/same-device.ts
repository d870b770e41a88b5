import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { devMajorMinor } from './native.ts';

/** The nearest existing ancestor of `path` (the output may not exist yet). */
async function existingAncestor(path: string): Promise<string> {
  let p = resolve(path);
  for (;;) {
    try {
      await stat(p);
      return p;
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/**
 * True when writing `outPath` would land on the medium `sourcePath` reads.
 * - Block device source: the output's file system lives on it (st_dev of the output's nearest
 *   existing ancestor equals the source's st_rdev) or on any partition of the same disk.
 * - Image file source: the output is the image itself; with `sameFileSystem` also any output on
 *   the file system holding the image (for images kept on the failing drive itself).
 */
export async function isOnDevice(
  outPath: string,
  sourcePath: string,
  opts: { sameFileSystem?: boolean } = {},
): Promise<boolean> {
  const src = await stat(sourcePath);
  const outStat = await stat(await existingAncestor(outPath));
  if (!src.isBlockDevice()) {
    if (outStat.dev === src.dev && outStat.ino === src.ino) return true;
    return opts.sameFileSystem === true && outStat.dev === src.dev;
  }
  if (outStat.isBlockDevice() && outStat.rdev === src.rdev) return true;
  const outDisk = await diskOf(outStat.dev);
  const srcDisk = await diskOf(src.rdev);
  // Another partition of the same physical disk counts: it is the same failing drive.
  return outStat.dev === src.rdev || outDisk === srcDisk;
}

/** For a partition's dev_t, the whole disk's dev_t (via sysfs); otherwise the same value. */
async function diskOf(dev: number): Promise<number> {
  const { major, minor } = devMajorMinor(dev);
  try {
    await stat(`/sys/dev/block/${major}:${minor}/partition`);
    const text = await readFile(`/sys/dev/block/${major}:${minor}/../dev`, 'utf8');
    const [maj = 0, min = 0] = text.trim().split(':').map(Number);
    return (min & 0xff) | ((maj & 0xfff) << 8) | ((min & ~0xff) * 4096);
  } catch {
    return dev;
  }
}

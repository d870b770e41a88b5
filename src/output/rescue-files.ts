/**
 * What imaging writes: the image and its ddrescue mapfile. A map is saved only after the image's
 * data is on disk, and replaced atomically, so it never claims bytes the image does not hold.
 */
import { constants } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { formatMap, type RescueMap } from '../source/ddrescue-map.ts';

/** Writes through a temporary file, fsync and rename: a crash leaves the old map or the new one. */
export async function writeMapFile(path: string, map: RescueMap, commandLine?: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(formatMap(map, commandLine));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** The image being written, opened for update: it is extended to the device's size, never truncated. */
export class ImageFile {
  private constructor(private readonly fh: FileHandle) {}

  static async open(path: string): Promise<ImageFile> {
    return new ImageFile(await open(path, constants.O_RDWR | constants.O_CREAT, 0o644));
  }

  async extendTo(size: number): Promise<void> {
    if ((await this.fh.stat()).size < size) await this.fh.truncate(size);
  }

  async write(buf: Uint8Array, len: number, pos: number): Promise<void> {
    await this.fh.write(buf, 0, len, pos);
  }

  /** Data first, then the map. */
  async saveMap(path: string, map: RescueMap, commandLine?: string): Promise<void> {
    await this.fh.sync();
    await writeMapFile(path, map, commandLine);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

// Block-device geometry: the addon's ioctls (src/native.ts finds it), else sysfs. Everything in
// src/source works without the addon; only O_DIRECT needs its aligned memory.
import { readFile, realpath } from 'node:fs/promises';
import { loadNative } from '../native.ts';

export interface BlockGeometry {
  readonly size: number;
  readonly sectorSize: number;
  readonly via: 'ioctl' | 'sysfs';
}

/** Size and logical sector size of an open block device: ioctls if the addon is there, else sysfs. */
export async function blockGeometry(
  fd: number,
  rdev: number,
  opts: { native?: boolean } = {},
): Promise<BlockGeometry> {
  const addon = opts.native === false ? null : loadNative();
  if (addon) {
    try {
      return { size: addon.deviceSize(fd), sectorSize: addon.sectorSize(fd), via: 'ioctl' };
    } catch {
      // fall through to sysfs
    }
  }
  return sysfsGeometry(rdev);
}

/** Linux dev_t encoding (new_encode_dev), as st_rdev carries it. */
export function devMajorMinor(rdev: number): { major: number; minor: number } {
  const major = ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
  const minor = (rdev & 0xff) | ((rdev >>> 12) & 0xfff00);
  return { major, minor };
}

/**
 * sysfs: <dev>/size is always in 512-byte units whatever the logical sector size; a partition has
 * no queue/ of its own, so its logical_block_size comes from the parent disk's queue.
 */
export async function sysfsGeometry(rdev: number, sysRoot = '/sys'): Promise<BlockGeometry> {
  const { major, minor } = devMajorMinor(rdev);
  const dir = await realpath(`${sysRoot}/dev/block/${major}:${minor}`);
  const sectors = Number((await readFile(`${dir}/size`, 'utf8')).trim());
  let lbs: string;
  try {
    lbs = await readFile(`${dir}/queue/logical_block_size`, 'utf8');
  } catch {
    lbs = await readFile(`${dir}/../queue/logical_block_size`, 'utf8');
  }
  const sectorSize = Number(lbs.trim());
  if (!Number.isSafeInteger(sectors) || !(sectorSize >= 512)) {
    throw new Error(`cannot read the size of block device ${major}:${minor} from sysfs`);
  }
  return { size: sectors * 512, sectorSize, via: 'sysfs' };
}

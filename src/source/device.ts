import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { blockGeometry } from './native.ts';
import { loadNative } from '../native.ts';

/**
 * The raw medium below the error-tolerant layer: one positioned read, which may come back short
 * and may throw (err.code 'EIO', ...). `tolerant.ts` turns this into a ByteSource.
 */
export interface RawDevice {
  readonly path: string;
  readonly size: number;
  readonly sectorSize: number;
  /** True when reads bypass the page cache; `into`, offset and length must then be sector-aligned. */
  readonly direct: boolean;
  readonly isBlockDevice: boolean;
  /** st_rdev for a block device, st_dev of the file system holding an image file. */
  readonly dev: number;
  /** The open descriptor, when the device has one (fakes in tests may not). */
  readonly fd?: number;
  /** A buffer suitable for pread (aligned when `direct`). */
  allocBuffer(size: number): Uint8Array;
  pread(into: Uint8Array, offset: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The errno codes of a read that the medium failed, not the program: the sector is recorded as bad
 * and the run goes on. EAGAIN is one: a USB bridge or an NBD server that gives up on a sector says so.
 */
const MEDIA_ERRORS: ReadonlySet<string> = new Set(['EIO', 'ENODATA', 'EILSEQ', 'EBADMSG', 'ETIMEDOUT', 'EREMOTEIO', 'EAGAIN']);

/** The errno code of a failed read (a read error without one is taken for EIO). */
export const readErrorCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'EIO';

export const isMediaError = (code: string): boolean => MEDIA_ERRORS.has(code);

/** A one-line, user-facing reason why a source cannot be used. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

export interface OpenDeviceOptions {
  /** O_DIRECT; default: on for block devices when aligned buffers are available. */
  direct?: boolean;
  /** O_EXCL on block devices (refuses a device that is mounted or opened by another keycarve); default true. */
  exclusive?: boolean;
  /** false forces the sysfs fallback for size/sector size (tests). */
  native?: boolean;
}

const WHY: Record<string, string> = {
  ENOENT: 'no such file or device',
  EACCES: 'permission denied (run as root or add yourself to the disk group)',
  EPERM: 'permission denied',
  EBUSY: 'device is busy: it is mounted or another program (another keycarve?) has it open exclusively',
  EISDIR: 'is a directory',
  ENXIO: 'no such device (unplugged?)',
  ENOMEDIUM: 'no medium in the drive',
  EROFS: 'read-only file system',
};

function explain(path: string, err: unknown): SourceError {
  const code = readErrorCode(err);
  const why = WHY[code] ?? (err as Error).message.split('\n')[0];
  return new SourceError(`cannot open ${path}: ${why}`, code);
}

class FdDevice implements RawDevice {
  constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly size: number,
    readonly sectorSize: number,
    readonly direct: boolean,
    readonly isBlockDevice: boolean,
    readonly dev: number,
  ) {}

  get fd(): number {
    return this.fh.fd;
  }

  allocBuffer(size: number): Uint8Array {
    return allocAligned(size, this.direct ? Math.max(4096, this.sectorSize) : 0);
  }

  async pread(into: Uint8Array, offset: number): Promise<number> {
    const { bytesRead } = await this.fh.read(into, 0, into.length, offset);
    return bytesRead;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Page-aligned memory from the addon when `align` > 0, else an ordinary buffer. */
export function allocAligned(size: number, align: number): Uint8Array {
  const addon = align > 0 ? loadNative() : null;
  if (addon) return new Uint8Array(addon.alignedBuffer(Math.max(1, size), align), 0, size);
  return new Uint8Array(size);
}

/**
 * Opens an image file or block device, always O_RDONLY. Block devices also get O_EXCL (the
 * kernel then refuses a mounted device or a second exclusive opener) and, when the addon can
 * give aligned buffers, O_DIRECT: the page cache would read a whole 4 KiB page around a bad
 * sector and fail its good neighbours with it.
 */
export async function openDevice(path: string, opts: OpenDeviceOptions = {}): Promise<RawDevice> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw explain(path, err);
  }
  let st: Stats;
  try {
    st = await fh.stat();
  } catch (err) {
    await fh.close();
    throw explain(path, err);
  }
  await fh.close();
  if (st.isDirectory()) throw new SourceError(`cannot open ${path}: is a directory`, 'EISDIR');
  const isBlock = st.isBlockDevice();
  if (!isBlock && !st.isFile()) {
    throw new SourceError(`cannot open ${path}: not an image file or a block device`, 'EINVAL');
  }
  const canAlign = loadNative() !== null;
  const direct = opts.direct ?? (isBlock && canAlign);
  if (direct && !canAlign) {
    throw new SourceError(`cannot open ${path} with O_DIRECT: native addon not built (npm install)`, 'ENOSYS');
  }
  let flags = constants.O_RDONLY;
  if (isBlock && opts.exclusive !== false) flags |= constants.O_EXCL;
  let useDirect = direct;
  try {
    fh = await open(path, flags | (useDirect ? constants.O_DIRECT : 0));
  } catch (err) {
    // tmpfs and some FUSE file systems refuse O_DIRECT on image files; buffered is fine there.
    if (!useDirect || (err as NodeJS.ErrnoException).code !== 'EINVAL') throw explain(path, err);
    useDirect = false;
    try {
      fh = await open(path, flags);
    } catch (err2) {
      throw explain(path, err2);
    }
  }
  try {
    let size = st.size;
    let sectorSize = 512;
    if (isBlock) {
      const g = await blockGeometry(fh.fd, st.rdev, opts.native === false ? { native: false } : {});
      size = g.size;
      sectorSize = g.sectorSize;
    }
    if (size === 0) throw new SourceError(`cannot use ${path}: it is empty (0 bytes)`, 'EEMPTY');
    return new FdDevice(path, fh, size, sectorSize, useDirect, isBlock, isBlock ? st.rdev : st.dev);
  } catch (err) {
    await fh.close();
    if (err instanceof SourceError) throw err;
    throw explain(path, err);
  }
}

import { openDevice } from './device.ts';
import { TolerantSource, type TolerantOptions } from './tolerant.ts';

export { SourceError } from './device.ts';
export type { ReadStats } from './tolerant.ts';
export type { ByteSource } from './types.ts';

export interface OpenSourceOptions extends TolerantOptions {
  /** O_DIRECT (default: on for block devices when the native addon is built). */
  direct?: boolean;
  /** O_EXCL on block devices (default true): a second keycarve on the same device is refused. */
  exclusive?: boolean;
  /** false forces the sysfs fallback for device size and sector size. */
  native?: boolean;
}

/**
 * Opens an image file or block device read-only as an error-tolerant ByteSource. Throws a
 * SourceError with a one-line message when the source cannot be used at all.
 */
export async function openSource(path: string, opts: OpenSourceOptions = {}): Promise<TolerantSource> {
  const dev = await openDevice(path, opts);
  return new TolerantSource(dev, opts);
}

/**
 * Opens what a technician hands over — a device, a raw image, a split raw set, or an imaging
 * tool's or virtual machine's container (E01, VHD, VHDX, VMDK, qcow2) — as the medium inside it.
 * The format comes from the content; split raw from the segment names.
 */
import { openDevice, SourceError } from './device.ts';
import { TolerantSource } from './tolerant.ts';
import type { OpenSourceOptions } from './open.ts';
import type { ByteSource, ImageInfo } from './types.ts';
import { detectFormat } from './formats/detect.ts';
import { formatError } from './formats/segments.ts';
import { findSplitSet, SplitRawSource } from './formats/split-raw.ts';
import { MappedSource } from './formats/mapped.ts';

export interface OpenImageOptions extends OpenSourceOptions {
  /** EWF: compute the medium's MD5 while scanning and compare it with the stored one. */
  verifyImage?: boolean;
}

// Each container format's reader loads when an image of that format is opened (a raw image needs none).
const OPENERS = {
  ewf: async (p: string) => (await import('./formats/ewf.ts')).openEwf(p),
  vhd: async (p: string) => (await import('./formats/vhd.ts')).openVhd(p),
  vhdx: async (p: string) => (await import('./formats/vhdx.ts')).openVhdx(p),
  vmdk: async (p: string) => (await import('./formats/vmdk.ts')).openVmdk(p),
  qcow2: async (p: string) => (await import('./formats/qcow2.ts')).openQcow2(p),
} as const;

export async function openImage(path: string, opts: OpenImageOptions = {}): Promise<ByteSource> {
  const dev = await openDevice(path, opts);
  if (dev.isBlockDevice) return raw(new TolerantSource(dev, opts), 'device');
  let format;
  try {
    const head = new Uint8Array(Math.min(4096, dev.size));
    const tail = new Uint8Array(Math.min(512, dev.size));
    await dev.pread(head, 0);
    await dev.pread(tail, dev.size - tail.length);
    format = detectFormat(head, tail);
  } catch (err) {
    await dev.close();
    throw err instanceof SourceError ? err : formatError(path, 'its first or last sectors cannot be read');
  }
  if (typeof format === 'object') {
    await dev.close();
    throw formatError(path, format.refuse);
  }
  if (format === 'raw') {
    const plan = await findSplitSet(path).catch(async (e: unknown) => {
      await dev.close();
      throw e;
    });
    if (!plan) return raw(new TolerantSource(dev, opts), 'raw');
    await dev.close();
    return SplitRawSource.open(path, plan);
  }
  await dev.close();
  const src = await OPENERS[format](path);
  if (opts.verifyImage) src.hashAsRead();
  return src;
}

function raw(src: TolerantSource, format: 'raw' | 'device'): TolerantSource {
  src.image = { format, files: [src.path], fileSize: src.size, notes: [], lost: [] };
  return src;
}

/** report.json `source.image`: finishes a --verify-image hash the scan left incomplete. */
export async function imageReport(src: ByteSource): Promise<Omit<ImageInfo, 'lost'> | null> {
  const info = src.image;
  if (!info) return null;
  if (src instanceof MappedSource && info.ewf && src.hashing) {
    const md5 = await src.mediumMd5();
    info.ewf.verify = { md5, match: info.ewf.md5 ? info.ewf.md5 === md5 : null };
  }
  const { lost: _lost, ...rest } = info;
  return { ...rest, notes: [...info.notes], files: [...info.files] };
}

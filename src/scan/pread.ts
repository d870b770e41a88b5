/**
 * The pass's reads of an image file on a thread without the addon (native/anchors.c reads and
 * tests in one call, src/scan/anchor-table.ts): pread by fs.readSync, and a failed read's errno as
 * the code fs would give it.
 */
import { readSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';

/** 'EIO' for 5, as fs.readSync's error code would be ('EIO' for an errno Node does not name). */
export function errnoName(errno: number): string {
  try {
    const name = getSystemErrorName(-errno);
    return /^E[A-Z0-9]+$/.test(name) ? name : 'EIO'; // not 'Unknown system error -N'
  } catch {
    return 'EIO';
  }
}

/** Bytes per read: inside L2 (1 MiB here) and few syscalls; 64 KiB to 1 MiB measured alike. */
export const PIECE = 256 * 1024;

export class ReadError extends Error {
  constructor(
    readonly code: string,
    readonly filled: number,
  ) {
    super(`read failed: ${code}`);
  }
}

/** pread [from, to) of a slot whose first byte is at `base`; a source that ends early reads as
 * zeros. A failing read throws a ReadError with the bytes that did arrive. */
export function preadInto(fd: number, slot: Uint8Array, from: number, to: number, base: number): number {
  let at = from;
  try {
    while (at < to) {
      const n = readSync(fd, slot, at, to - at, base + at);
      if (n === 0) {
        slot.fill(0, at, to);
        break;
      }
      at += n;
    }
  } catch (e) {
    throw new ReadError((e as NodeJS.ErrnoException).code ?? 'EIO', at);
  }
  return to;
}

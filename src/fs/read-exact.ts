import type { MediaReader } from './types.ts';

/** Exactly `len` bytes at `off`, or null (outside the medium, unreadable, short, or a throwing reader). */
export async function readExact(r: MediaReader, off: number, len: number): Promise<Uint8Array | null> {
  if (off < 0 || off + len > r.size) return null;
  try {
    const b = await r.read(off, len);
    return b && b.length >= len ? b : null;
  } catch {
    return null;
  }
}

/**
 * A stored unit: a piece of the medium the image keeps encoded — an EWF chunk (deflate, or raw
 * with an Adler-32 after it), a compressed qcow2 cluster (raw deflate), a stream-optimized VMDK
 * grain (deflate). The formats only say where a unit is and how it is coded; decoding is here,
 * once, for the reader on this thread (mapped.ts) and for the threads that read their own chunk
 * (plan.ts).
 */
import { adler32 } from './segments.ts';

export type Codec =
  /** `size` bytes as they are, then their Adler-32 (little-endian): an uncompressed EWF chunk. */
  | 'adler32'
  /** zlib (RFC 1950) inflating to exactly `size` bytes: a compressed EWF chunk. */
  | 'zlib'
  /** zlib inflating to at most `size` bytes, the rest zeros: a VMDK grain. */
  | 'zlib-padded'
  /** Raw deflate (RFC 1951) whose stored length is rounded up, giving `size` bytes: qcow2. */
  | 'deflate-raw';

export interface Unit {
  /** Where the stored bytes start in their file, and how many there are. */
  readonly at: number;
  readonly stored: number;
  readonly codec: Codec;
  /** The decoded size. */
  readonly size: number;
  /** What the unit is, for the problem recorded when it does not decode. */
  readonly where: string;
}

/** The decoded bytes, or why the unit is lost. */
export function decodeUnit(u: Unit, raw: Uint8Array): Uint8Array | string {
  switch (u.codec) {
    case 'adler32': {
      if (raw.length < u.size + 4) return `${u.where} is cut short (corrupt)`;
      const data = raw.subarray(0, u.size);
      const sum = new DataView(raw.buffer, raw.byteOffset).getUint32(u.size, true);
      return adler32(data) === sum ? data : `${u.where} fails its Adler-32 checksum (corrupt)`;
    }
    case 'zlib':
    case 'zlib-padded':
    case 'deflate-raw': {
      let data: Uint8Array;
      try {
        // One output buffer the size of the unit (and a little): no joining of 16 KiB pieces.
        const out = { maxOutputLength: u.size, chunkSize: u.size + 64 };
        // zlib loads on the first compressed unit: raw images and plain units never need it.
        const { inflateRawSync, inflateSync } = process.getBuiltinModule('node:zlib');
        data = u.codec === 'deflate-raw'
          ? inflateRawSync(raw, { ...out, finishFlush: 2 /* Z_SYNC_FLUSH: the stored length is rounded up */ })
          : inflateSync(raw, out);
      } catch {
        return `${u.where} does not inflate: its deflate data or checksum is corrupt`;
      }
      if (data.length === u.size) return data;
      if (u.codec !== 'zlib-padded' || data.length > u.size) return `${u.where} inflates to ${data.length} bytes, not ${u.size} (corrupt)`;
      const full = new Uint8Array(u.size);
      full.set(data);
      return full;
    }
  }
}

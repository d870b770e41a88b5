/** A half-open byte range [offset, offset + length) on the source. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/**
 * Everything that touches the medium goes through a ByteSource. Media errors come back in `bad`
 * (the bytes there are zero-filled), never as throws; a throw means the source itself is unusable.
 */
export interface ByteSource {
  readonly path: string;
  readonly size: number;
  readonly sectorSize: number;
  /** A descriptor other threads may pread directly (a buffered image file that has not failed);
   * absent when every read must go through `read` (O_DIRECT, devices, a read error seen). */
  readonly fd?: number | undefined;
  /** Reads min(into.length, size - offset) bytes at `offset`. */
  read(offset: number, into: Uint8Array): Promise<{ bytes: number; bad: readonly ByteRange[] }>;
  close(): Promise<void>;
}

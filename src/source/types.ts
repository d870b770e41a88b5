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
  /** Reads min(into.length, size - offset) bytes at `offset`. */
  read(offset: number, into: Uint8Array): Promise<{ bytes: number; bad: readonly ByteRange[] }>;
  close(): Promise<void>;
}

/** Random access to the medium for metadata reads after (or instead of) the linear pass.
 * Returns null where the bytes are unavailable (past the end, unreadable). */
export interface MediaReader {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array | null>;
}

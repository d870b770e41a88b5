import type { ChunkPlan } from './formats/plan.ts';

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
  /** Set by image-format readers (src/source/formats): what the medium was read from. */
  readonly image?: ImageInfo;
  /** A descriptor other threads may pread directly (a buffered image file that has not failed);
   * absent when every read must go through `read` (O_DIRECT, devices, a read error seen). */
  readonly fd?: number | undefined;
  /** Image formats: [offset, offset + length) as pieces a carving thread reads itself (on the
   * image files' descriptors, as `fd`); null when the range must be read through `read` (an
   * image file that has failed). */
  plan?(offset: number, length: number): Promise<ChunkPlan | null>;
  /** The bytes at `offset` as another thread read them (a plan's), handed back in medium order:
   * a source hashing the medium as read (--verify-image) hashes them here, on this thread. */
  passed?(offset: number, bytes: Uint8Array): void;
  /** Reads min(into.length, size - offset) bytes at `offset`. */
  read(offset: number, into: Uint8Array): Promise<{ bytes: number; bad: readonly ByteRange[] }>;
  close(): Promise<void>;
}

/** Random access to the medium for metadata reads after (or instead of) the linear pass.
 * Returns null where the bytes are unavailable (past the end, unreadable). */
export interface MediaReader {
  readonly size: number;
  /** The caller may write the bytes returned, unless it passes `shared`: then it promises only to
   * read them, and they may be the reader's own (no copy of a multi-MiB FAT). */
  read(offset: number, length: number, shared?: boolean): Promise<Uint8Array | null>;
  /** The same bytes into the caller's buffer, one it reuses (a sweep of free clusters: fresh memory
   * for every read costs more in page faults than the copy); false outside the medium. Unlike
   * `read`, a range with unreadable sectors still comes back: they read as zeros (and are counted),
   * so one bad sector does not hide the rest of a 1 MiB piece. */
  readInto?(offset: number, into: Uint8Array): Promise<boolean>;
}

export type ImageFormat = 'raw' | 'device' | 'split-raw' | 'ewf' | 'vhd' | 'vhdx' | 'vmdk' | 'qcow2';

/** What the medium was read from, for report.json `source.image`. */
export interface ImageInfo {
  readonly format: ImageFormat;
  /** The files read (segments in order), or the one image file or device. */
  readonly files: readonly string[];
  /** Their total size in bytes (the medium's size is ByteSource.size). */
  readonly fileSize: number;
  /** Problems met in the image's structure: what readErrors alone cannot say. */
  readonly notes: string[];
  /** Medium ranges the image could not give (corrupt chunks, missing segments), merged. */
  readonly lost: ByteRange[];
  /** EWF: the case metadata and the hashes the acquisition stored. */
  ewf?: EwfInfo;
}

export interface EwfInfo {
  readonly case: Record<string, string>;
  readonly md5: string | null;
  readonly sha1: string | null;
  readonly chunkSize: number;
  /** Medium ranges the imaging tool could not read (its error2 section): zeros in the image, read
   * as unreadable (they are in readErrors). */
  readonly acquisitionErrors: ByteRange[];
  /** --verify-image: the MD5 of the medium as read, and whether it equals the stored one. */
  verify?: { md5: string; match: boolean | null };
}

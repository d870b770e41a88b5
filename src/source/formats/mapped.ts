/**
 * What every image format shares: the medium is a sequence of pieces, each somewhere in the image
 * files (stored as is), decoded in memory (a compressed chunk), all zeros (unallocated), or lost (a
 * corrupt chunk, a missing segment). A format says where the piece at a medium offset is; reading,
 * clipping and turning file-level bad ranges into medium ones is done here, once.
 */
import { createHash, type Hash } from 'node:crypto';
import { insertRange } from '../tolerant.ts';
import type { ByteRange, ByteSource, ImageFormat, ImageInfo } from '../types.ts';
import type { SegmentFile, SegmentSet } from './segments.ts';

export type Piece =
  | { readonly length: number; readonly file: SegmentFile; readonly at: number }
  | { readonly length: number; readonly data: Uint8Array }
  | { readonly length: number; readonly zero: true }
  | { readonly length: number; readonly lost: string };

/** Problems listed in the report before they are only counted (a medium with a million bad chunks). */
const MAX_NOTES = 50;

export abstract class MappedSource implements ByteSource {
  readonly sectorSize: number = 512;
  readonly image: ImageInfo;
  private noted = 0;
  private md5: Hash | null = null;
  private hashedTo = 0;

  constructor(
    readonly path: string,
    readonly size: number,
    protected readonly segments: SegmentSet,
    format: ImageFormat,
  ) {
    this.image = { format, files: segments.files.map((f) => f.path), fileSize: segments.totalSize, notes: [], lost: [] };
  }

  /** The piece holding medium byte `offset` (0 <= offset < size); its length runs from `offset`. */
  protected abstract locate(offset: number): Promise<Piece>;

  /** A problem met while reading, once per distinct text, for the report. */
  protected note(what: string): void {
    if (this.image.notes.includes(what)) return;
    if (this.noted++ < MAX_NOTES) this.image.notes.push(what);
    else if (this.noted === MAX_NOTES + 1) this.image.notes.push('more problems than listed: see readErrors');
  }

  async read(offset: number, into: Uint8Array): Promise<{ bytes: number; bad: readonly ByteRange[] }> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
    const n = Math.max(0, Math.min(into.length, this.size - offset));
    const bad: ByteRange[] = [];
    for (let pos = offset; pos < offset + n; ) {
      const p = await this.locate(pos);
      const len = Math.min(Math.max(1, p.length), offset + n - pos);
      const dst = into.subarray(pos - offset, pos - offset + len);
      if ('file' in p) {
        const r = await p.file.read(p.at, dst);
        if (r.bytes < len) dst.fill(0, r.bytes);
        for (const b of r.bad) insertRange(bad, { offset: pos + b.offset - p.at, length: b.length });
        if (r.bytes < len) {
          insertRange(bad, { offset: pos + r.bytes, length: len - r.bytes });
          this.note(`${p.file.path} ends before the data it should hold (truncated)`);
        }
      } else if ('data' in p) {
        dst.set(p.data.subarray(0, len));
      } else {
        dst.fill(0);
        if ('lost' in p) {
          insertRange(bad, { offset: pos, length: len });
          this.note(p.lost);
        }
      }
      pos += len;
    }
    for (const b of bad) insertRange(this.image.lost, b);
    if (this.md5 && offset <= this.hashedTo && this.hashedTo < offset + n) {
      this.md5.update(into.subarray(this.hashedTo - offset, n));
      this.hashedTo = offset + n;
    }
    return { bytes: n, bad };
  }

  get hashing(): boolean {
    return this.md5 !== null;
  }

  /** Hash the medium as the scan reads it in order (its reads overlap, never skip ahead). */
  hashAsRead(): void {
    this.md5 = createHash('md5');
    this.hashedTo = 0;
  }

  /** The MD5 of the whole medium: what the scan did not read in order is read now. */
  async mediumMd5(): Promise<string> {
    if (!this.md5) this.hashAsRead();
    const buf = new Uint8Array(8 << 20);
    while (this.hashedTo < this.size) {
      const { bytes } = await this.read(this.hashedTo, buf);
      if (bytes === 0) break;
    }
    return this.md5!.digest('hex');
  }

  close(): Promise<void> {
    return this.segments.close();
  }
}

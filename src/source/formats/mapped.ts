/**
 * What every image format shares: the medium is a sequence of pieces, each somewhere in the image
 * files (stored as is, or a stored unit to decode: a compressed chunk), all zeros (unallocated),
 * or lost (a corrupt table, a missing segment). A format says where the piece at a medium offset
 * is; reading, decoding, clipping and turning file-level bad ranges into medium ones is done here,
 * once — on this thread (`read`), or by a carving thread from a plan (`plan`, plan.ts).
 */
import type { Hash } from 'node:crypto';
import { insertRange } from '../tolerant.ts';
import type { ByteRange, ByteSource, ImageFormat, ImageInfo } from '../types.ts';
import type { ChunkPlan, LostRange, PlanPiece } from './plan.ts';
import type { SegmentFile, SegmentSet } from './segments.ts';
import { decodeUnit, type Unit } from './unit.ts';

export type Piece =
  | { readonly length: number; readonly file: SegmentFile; readonly at: number }
  /** Bytes [skip, skip + length) of `unit` (stored in `file`), decoded. */
  | { readonly length: number; readonly file: SegmentFile; readonly unit: Unit; readonly skip: number }
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
  /** The unit decoded last: a chunk is read in several pieces. */
  private decoded: { file: SegmentFile; at: number; data: Uint8Array | string } | null = null;

  constructor(
    readonly path: string,
    readonly size: number,
    protected readonly segments: SegmentSet,
    format: ImageFormat,
  ) {
    this.image = { format, files: segments.files.map((f) => f.path), fileSize: segments.totalSize, notes: [], lost: [] };
  }

  /** The piece holding medium byte `offset` (0 <= offset < size); its length runs from `offset`.
   * `want` bytes are needed from there: a format joining like pieces need not look further. */
  protected abstract locate(offset: number, want: number): Promise<Piece>;

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
      const p = await this.locate(pos, offset + n - pos);
      const len = Math.min(Math.max(1, p.length), offset + n - pos);
      const dst = into.subarray(pos - offset, pos - offset + len);
      if ('at' in p) {
        const r = await p.file.read(p.at, dst);
        if (r.bytes < len) dst.fill(0, r.bytes);
        for (const b of r.bad) insertRange(bad, { offset: pos + b.offset - p.at, length: b.length });
        if (r.bytes < len) {
          insertRange(bad, { offset: pos + r.bytes, length: len - r.bytes });
          this.note(`${p.file.path} ends before the data it should hold (truncated)`);
        }
      } else if ('unit' in p) {
        const data = await this.decode(p.file, p.unit);
        if (typeof data === 'string') {
          dst.fill(0);
          insertRange(bad, { offset: pos, length: len });
          this.note(data);
        } else dst.set(data.subarray(p.skip, p.skip + len));
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
    this.passed(offset, into.subarray(0, n));
    return { bytes: n, bad };
  }

  /** Hashes what of `bytes` (at `offset`) carries the hash on: bytes already hashed, or beyond a
   * gap, are left (the gap is read at the end, mediumMd5). */
  passed(offset: number, bytes: Uint8Array): void {
    if (this.md5 && offset <= this.hashedTo && this.hashedTo < offset + bytes.length) {
      this.md5.update(bytes.subarray(this.hashedTo - offset));
      this.hashedTo = offset + bytes.length;
    }
  }

  private async decode(file: SegmentFile, u: Unit): Promise<Uint8Array | string> {
    if (this.decoded?.file !== file || this.decoded.at !== u.at) {
      const raw = new Uint8Array(u.stored);
      const r = await file.read(u.at, raw);
      const data = r.bad.length ? `${u.where} lies on unreadable sectors of ${file.path}` : r.bytes < u.stored ? `${file.path} ends before the data it should hold (truncated)` : decodeUnit(u, raw);
      this.decoded = { file, at: u.at, data };
    }
    return this.decoded.data;
  }

  /**
   * [offset, offset + length) as pieces on the files' descriptors, adjoining file ranges merged.
   * The files stay open until the plan is settled. Null when a file has failed (its reads need
   * the tolerant layer). Hashed as read, the bytes come back through `passed`.
   */
  async plan(offset: number, length: number): Promise<ChunkPlan | null> {
    if (!Number.isSafeInteger(offset) || offset < 0) return null;
    const end = Math.min(offset + length, this.size);
    const pieces: PlanPiece[] = [];
    const files = new Set<SegmentFile>();
    const settle = (lost: readonly LostRange[]) => {
      for (const l of lost) {
        insertRange(this.image.lost, l);
        this.note(l.why);
      }
      for (const f of files) f.unpin();
    };
    try {
      for (let pos = offset; pos < end; ) {
        const p = await this.locate(pos, end - pos);
        const len = Math.min(Math.max(1, p.length), end - pos);
        pos += len;
        if (!('file' in p)) {
          pieces.push('zero' in p ? { length: len, zero: true } : { length: len, lost: p.lost });
          continue;
        }
        const fd = await p.file.descriptor();
        if (fd === undefined) {
          settle([]);
          return null;
        }
        if (!files.has(p.file)) p.file.pin();
        files.add(p.file);
        const last = pieces[pieces.length - 1];
        if ('at' in p && last && 'at' in last && last.fd === fd && last.at + last.length === p.at) pieces[pieces.length - 1] = { ...last, length: last.length + len };
        else pieces.push('at' in p ? { length: len, fd, path: p.file.path, at: p.at } : { length: len, fd, path: p.file.path, unit: p.unit, skip: p.skip });
      }
    } catch (e) {
      settle([]);
      throw e;
    }
    return { pieces, settle };
  }

  get hashing(): boolean {
    return this.md5 !== null;
  }

  /** Hash the medium as the scan reads it in order (its reads overlap, never skip ahead). */
  hashAsRead(): void {
    this.md5 = process.getBuiltinModule('node:crypto').createHash('md5'); // loaded only for --verify-image
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

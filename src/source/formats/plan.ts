/**
 * A chunk of an image format's medium as a plan another thread reads itself: the format's mapping
 * is worked out here (tables loaded, segments opened), and the pieces — file ranges on descriptors
 * this process holds open, stored units to decode, zeros, lost ranges — go with the chunk to the
 * carving thread, which preads them (PlanReader) as it does a raw image's. So the copies out of
 * the page cache and the inflation of compressed chunks run on every carving thread, each byte is
 * read once, and the plan is plain data (a few hundred pieces per 8 MiB chunk at most).
 */
import { readSync } from 'node:fs';
import type { ByteRange } from '../types.ts';
import { decodeUnit, type Unit } from './unit.ts';

export type PlanPiece =
  | { readonly length: number; readonly fd: number; readonly path: string; readonly at: number }
  /** Bytes [skip, skip + length) of a stored unit, decoded. */
  | { readonly length: number; readonly fd: number; readonly path: string; readonly unit: Unit; readonly skip: number }
  | { readonly length: number; readonly zero: true }
  | { readonly length: number; readonly lost: string };

/** A medium range the reading thread could not give, and why (for the image's notes). */
export interface LostRange extends ByteRange {
  readonly why: string;
}

export interface ChunkPlan {
  /** In medium order from the planned offset; their lengths add up to the planned length. */
  readonly pieces: readonly PlanPiece[];
  /** The reading thread is done with the pieces (or gave up on them): what it found lost is
   * recorded with the image, and the files the plan uses may be closed again. */
  settle(lost: readonly LostRange[]): void;
}

/** Where a decoded unit's stored bytes are read to (grown to the largest unit met). */
let scratch = new Uint8Array(0);

/**
 * Reads a plan's pieces, in order, into a buffer whose byte 0 is the planned offset `base`. A
 * descriptor that fails throws (readSync's error): the caller goes back to the tolerant reader.
 */
export class PlanReader {
  /** Filled so far: the buffer holds [0, done). */
  done = 0;
  readonly lost: LostRange[] = [];
  private i = 0;
  private pieceStart = 0;

  constructor(
    private readonly pieces: readonly PlanPiece[],
    private readonly base: number,
  ) {}

  /** Fills on to `to` at least (on to the end of a unit it decodes); returns how far is filled. */
  fill(into: Uint8Array, to: number): number {
    while (this.done < to && this.i < this.pieces.length) {
      const p = this.pieces[this.i]!;
      const end = this.pieceStart + p.length;
      if ('at' in p) this.done = this.stored(p, into, Math.min(to, end), end);
      else if ('unit' in p) this.decoded(p, into, end);
      else if ('zero' in p) {
        into.fill(0, this.done, end);
        this.done = end;
      } else this.lose(into, end, p.lost);
      if (this.done >= end) {
        this.i++;
        this.pieceStart = end;
      }
    }
    return this.done;
  }

  private stored(p: Extract<PlanPiece, { at: number }>, into: Uint8Array, to: number, end: number): number {
    let pos = this.done;
    while (pos < to) {
      const n = readSync(p.fd, into, pos, to - pos, p.at + pos - this.pieceStart);
      if (n === 0) {
        this.done = pos;
        this.lose(into, end, `${p.path} ends before the data it should hold (truncated)`);
        return end;
      }
      pos += n;
    }
    return pos;
  }

  private decoded(p: Extract<PlanPiece, { unit: Unit }>, into: Uint8Array, end: number): void {
    const u = p.unit;
    if (scratch.length < u.stored) scratch = new Uint8Array(u.stored);
    let got = 0;
    while (got < u.stored) {
      const n = readSync(p.fd, scratch, got, u.stored - got, u.at + got);
      if (n === 0) break;
      got += n;
    }
    const data = got < u.stored ? `${p.path} ends before the data it should hold (truncated)` : decodeUnit(u, scratch.subarray(0, got));
    if (typeof data === 'string') return this.lose(into, end, data);
    into.set(data.subarray(p.skip, p.skip + p.length), this.done);
    this.done = end;
  }

  private lose(into: Uint8Array, end: number, why: string): void {
    into.fill(0, this.done, end);
    this.lost.push({ offset: this.base + this.done, length: end - this.done, why });
    this.done = end;
  }
}

/**
 * The imaging engine over any RawDevice, in ddrescue's phases:
 * 1. copy: '?' areas in `blockSize` reads; a failed read marks its block '*' and the next reads
 *    skip ahead (doubling, up to 1/64 of the device) so good areas come first;
 *    a second copy pass reads what was skipped, without skipping;
 * 2. trim: each '*' block is read sector by sector from both edges up to the first bad sector;
 *    the middle becomes '/';
 * 3. scrape: '/' areas sector by sector; 4. retry: `retries` passes over '-' sectors.
 * The output is never truncated; the map is saved (after fsync of the output) every
 * `mapInterval` seconds, between phases and on stop, so a rerun resumes where it stopped.
 */
import { access, stat } from 'node:fs/promises';
import { ImageFile } from '../output/rescue-files.ts';
import { RescueMap, readMapFile, type BlockStatus } from '../source/ddrescue-map.ts';
import { isMediaError, readErrorCode, SourceError, type RawDevice } from '../source/device.ts';

export interface ImageOptions {
  map: string;
  /** Extra passes over bad sectors after scraping (ddrescue -r). */
  retries: number;
  /** Copy-phase read size (default 64 KiB, ddrescue's cluster: a failed read costs its good
   *  sectors one reread; larger reads copy faster but reread more around each bad spot). */
  blockSize?: number;
  /** Stops the run at the next read boundary; the map is saved (tests inject this, SIGINT sets it). */
  signal?: AbortSignal;
  /** Seconds between map saves (default 5). */
  mapInterval?: number;
  /** For the mapfile's comment. */
  commandLine?: string;
}

export interface ImageResult {
  completed: boolean;
  map: RescueMap;
  reads: number;
  badSectors: number;
  bytesLost: number;
}

export async function imageDevice(dev: RawDevice, file: string, opts: ImageOptions): Promise<ImageResult> {
  const map = await startingMap(dev, file, opts.map);
  const image = await ImageFile.open(file);
  const run = new Imaging(dev, image, map, opts);
  try {
    await image.extendTo(dev.size);
    run.result.completed = await run.phases();
    return run.result;
  } finally {
    run.finish();
    await run.save().catch(() => undefined);
    await image.close();
  }
}

/** The map to resume from, or a fresh one; an image without its map is never overwritten. */
async function startingMap(dev: RawDevice, file: string, mapPath: string): Promise<RescueMap> {
  const haveMap = await access(mapPath).then(() => true, () => false);
  if (haveMap) return readMapFile(mapPath, dev.size);
  const existing = await stat(file).catch(() => null);
  if (existing && existing.size > 0) {
    throw new SourceError(`${file} exists but ${mapPath} does not; refusing to overwrite an image without its map`, 'EEXIST');
  }
  return new RescueMap(dev.size);
}

/** One imaging run: the device, the image, the map, and the reads made so far. */
class Imaging {
  readonly result: ImageResult;
  private readonly ss: number;
  private readonly blockSize: number;
  private readonly buf: Uint8Array;
  private readonly interval: number;
  private lastSave = Date.now();

  constructor(
    private readonly dev: RawDevice,
    private readonly image: ImageFile,
    private readonly map: RescueMap,
    private readonly opts: ImageOptions,
  ) {
    this.ss = dev.sectorSize;
    this.blockSize = Math.max(this.ss, Math.floor((opts.blockSize ?? 64 << 10) / this.ss) * this.ss);
    this.buf = dev.allocBuffer(this.blockSize);
    this.interval = (opts.mapInterval ?? 5) * 1000;
    this.result = { completed: false, map, reads: 0, badSectors: 0, bytesLost: 0 };
  }

  /** The phases in order, the map saved between them; false when stopped before the end. */
  async phases(): Promise<boolean> {
    const { map } = this;
    if (!(await this.copyPass(true)) || !(await this.copyPass(false))) return false;
    await this.save();
    if (!(await this.trimPass())) return false;
    await this.save();
    map.currentStatus = '/';
    if (!(await this.sectorPass('/'))) return false;
    map.currentStatus = '-';
    for (let r = 0; r < this.opts.retries; r++) {
      map.currentPass = r + 1;
      if (!(await this.sectorPass('-'))) return false;
    }
    map.currentStatus = '+';
    map.currentPos = 0;
    map.currentPass = 1;
    return true;
  }

  /** 1. copy: every '?' area in blocks; with `skipping`, a failure jumps ahead (doubling). */
  private async copyPass(skipping: boolean): Promise<boolean> {
    const { map, blockSize } = this;
    map.currentStatus = '?';
    let skip = 0;
    const maxSkip = Math.max(blockSize, Math.floor(this.dev.size / 64 / this.ss) * this.ss);
    for (const b of map.find('?')) {
      let pos = b.pos;
      const end = b.pos + b.size;
      while (pos < end) {
        if (this.stopped()) return false;
        map.currentPos = pos;
        const len = Math.min(end - pos, blockSize - (pos % blockSize));
        const got = await this.readAt(pos, len);
        if (got === len) {
          await this.keep(pos, len);
          skip = 0;
          pos += len;
        } else {
          await this.keep(pos, Math.max(0, got));
          const failAt = pos + Math.max(0, got);
          map.set(failAt, pos + len - failAt, '*');
          pos += len;
          if (skipping) {
            skip = Math.min(maxSkip, Math.max(blockSize, skip * 2));
            pos = Math.min(end, pos + skip); // left '?' for the second pass
          }
        }
        await this.tick();
      }
    }
    return true;
  }

  /** 2. trim: from both edges of each '*' block to its first bad sector; the middle becomes '/'. */
  private async trimPass(): Promise<boolean> {
    const { map, ss } = this;
    map.currentStatus = '*';
    for (const b of map.find('*')) {
      let lo = b.pos;
      let hi = b.pos + b.size;
      let front = true;
      while (lo < hi) {
        if (this.stopped()) return false;
        const at = front ? lo : Math.max(lo, hi - (hi % ss === 0 ? ss : hi % ss));
        const len = front ? Math.min(ss, hi - lo) : hi - at;
        map.currentPos = at;
        const got = await this.readAt(at, len);
        if (got === len) {
          await this.keep(at, len);
          if (front) lo += len;
          else hi = at;
          continue;
        }
        map.set(at, len, '-');
        if (front) {
          lo += len;
          front = false;
        } else {
          hi = at;
          if (lo < hi) map.set(lo, hi - lo, '/');
          break;
        }
      }
      await this.tick();
    }
    return true;
  }

  /** 3. scrape ('/') and 4. retry ('-'): sector by sector. */
  private async sectorPass(status: BlockStatus): Promise<boolean> {
    const { map, ss } = this;
    for (const b of map.find(status)) {
      for (let at = b.pos; at < b.pos + b.size; at += ss) {
        if (this.stopped()) return false;
        const len = Math.min(ss, b.pos + b.size - at);
        map.currentPos = at;
        const got = await this.readAt(at, len);
        if (got === len) await this.keep(at, len);
        else map.set(at, len, '-');
        await this.tick();
      }
    }
    return true;
  }

  /** One device read into buf; returns good bytes (sector-aligned unless at the end) or -1 on a media error. */
  private async readAt(pos: number, len: number): Promise<number> {
    this.result.reads++;
    try {
      const got = await this.dev.pread(this.buf.subarray(0, len), pos);
      if (got >= len || pos + got >= this.dev.size) return Math.min(got, len);
      return Math.floor(got / this.ss) * this.ss;
    } catch (err) {
      if (!isMediaError(readErrorCode(err))) throw err;
      return -1;
    }
  }

  private async keep(pos: number, len: number): Promise<void> {
    if (len <= 0) return;
    await this.image.write(this.buf, len, pos);
    this.map.set(pos, len, '+');
  }

  private stopped(): boolean {
    return this.opts.signal?.aborted === true;
  }

  /** Map saves: every `mapInterval` seconds during a phase. */
  private async tick(): Promise<void> {
    if (Date.now() - this.lastSave >= this.interval) await this.save();
  }

  async save(): Promise<void> {
    await this.image.saveMap(this.opts.map, this.map, this.opts.commandLine);
    this.lastSave = Date.now();
  }

  /** The counts of what is left bad, whether the run completed or stopped. */
  finish(): void {
    const { map, ss } = this;
    this.result.bytesLost = map.bytesWith('-');
    this.result.badSectors = map.blocks.reduce((n, b) => n + (b.status === '-' ? Math.ceil(b.size / ss) : 0), 0);
  }
}

import { constants } from 'node:fs';
import { access, open, stat, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openDevice, SourceError, type RawDevice } from '../source/device.ts';
import { RescueMap, readMapFile, writeMapFile, type BlockStatus } from '../source/ddrescue-map.ts';
import { isOnDevice } from '../source/same-device.ts';
import { errorLine } from '../file-errors.ts';

/** Where a command writes: `process` fits. */
export interface CommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

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
  direct?: boolean;
  exclusive?: boolean;
  native?: boolean;
  /** How the device is opened (tests wrap it). */
  open?: typeof openDevice;
}

export interface ImageResult {
  completed: boolean;
  map: RescueMap;
  reads: number;
  badSectors: number;
  bytesLost: number;
}

const MEDIA_ERRORS = new Set(['EIO', 'ENODATA', 'EILSEQ', 'EBADMSG', 'ETIMEDOUT', 'EREMOTEIO']);

/**
 * `keycarve image <device> <file> --map <mapfile>`: ddrescue-style imaging.
 * Returns 0 when every sector was tried, 1 when interrupted or unable to run, 2 on usage errors
 * (main.ts has the rule).
 */
export async function imageCommand(
  device: string,
  file: string,
  opts: ImageOptions,
  io: CommandIo,
): Promise<number> {
  if (!opts.map) {
    io.stderr.write('keycarve image: --map <mapfile> is required\n');
    return 2;
  }
  if (!Number.isInteger(opts.retries) || opts.retries < 0) {
    io.stderr.write('keycarve image: --retries must be a whole number >= 0\n');
    return 2;
  }
  const paths = [device, file, opts.map].map((p) => resolve(p));
  if (new Set(paths).size !== 3) {
    io.stderr.write('keycarve image: the device, image file and mapfile must be three different paths\n');
    return 1;
  }
  let dev: RawDevice;
  try {
    dev = await (opts.open ?? openDevice)(device, { direct: opts.direct, exclusive: opts.exclusive, native: opts.native });
  } catch (err) {
    io.stderr.write(`keycarve image: ${errorLine(err)}\n`);
    return 1;
  }
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  opts.signal?.addEventListener('abort', onSigint, { once: true });
  if (opts.signal?.aborted) ac.abort();
  try {
    for (const p of [file, opts.map]) {
      if (await isOnDevice(p, device)) {
        io.stderr.write(`keycarve image: refusing to write ${p}: it is on the device being imaged\n`);
        return 1;
      }
    }
    const r = await imageDevice(dev, file, { ...opts, signal: ac.signal, commandLine: `keycarve image ${device} ${file} --map ${opts.map} --retries ${opts.retries}` });
    const lost = r.map.bytesWith('-');
    const left = r.map.size - r.map.bytesWith('+') - lost;
    io.stderr.write(
      r.completed
        ? `keycarve image: done; ${r.badSectors} bad sector(s), ${lost} bytes unreadable; map ${opts.map}\n`
        : `keycarve image: interrupted, map saved (${left} bytes still to try); run the same command to resume\n`,
    );
    return r.completed ? 0 : 1;
  } catch (err) {
    io.stderr.write(`keycarve image: ${errorLine(err, 'write')}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    await dev.close();
  }
}

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
export async function imageDevice(
  dev: RawDevice,
  file: string,
  opts: ImageOptions & { commandLine?: string },
): Promise<ImageResult> {
  const ss = dev.sectorSize;
  const blockSize = Math.max(ss, Math.floor((opts.blockSize ?? 64 << 10) / ss) * ss);
  let map: RescueMap;
  let haveMap = true;
  try {
    await access(opts.map);
  } catch {
    haveMap = false;
  }
  if (haveMap) {
    map = await readMapFile(opts.map, dev.size);
  } else {
    const existing = await stat(file).catch(() => null);
    if (existing && existing.size > 0) {
      throw new SourceError(`${file} exists but ${opts.map} does not; refusing to overwrite an image without its map`, 'EEXIST');
    }
    map = new RescueMap(dev.size);
  }
  const out: FileHandle = await open(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  const result: ImageResult = { completed: false, map, reads: 0, badSectors: 0, bytesLost: 0 };
  const buf = dev.allocBuffer(blockSize);
  const interval = (opts.mapInterval ?? 5) * 1000;
  let lastSave = Date.now();
  const save = async () => {
    await out.sync(); // data first: the map must never claim bytes the image does not hold
    await writeMapFile(opts.map, map, opts.commandLine);
    lastSave = Date.now();
  };
  const stopped = () => opts.signal?.aborted === true;

  /** One device read into buf; returns good bytes (sector-aligned unless at the end) or -1 on a media error. */
  const readAt = async (pos: number, len: number): Promise<number> => {
    result.reads++;
    try {
      const got = await dev.pread(buf.subarray(0, len), pos);
      if (got >= len || pos + got >= dev.size) return Math.min(got, len);
      return Math.floor(got / ss) * ss;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      if (!MEDIA_ERRORS.has(code)) throw err;
      return -1;
    }
  };
  const keep = async (pos: number, len: number) => {
    if (len <= 0) return;
    await out.write(buf, 0, len, pos);
    map.set(pos, len, '+');
  };
  const tick = async () => {
    if (Date.now() - lastSave >= interval) await save();
  };

  try {
    if ((await out.stat()).size < dev.size) await out.truncate(dev.size);

    // 1. copy
    for (const skipping of [true, false]) {
      map.currentStatus = '?';
      let skip = 0;
      const maxSkip = Math.max(blockSize, Math.floor(dev.size / 64 / ss) * ss);
      for (const b of map.find('?')) {
        let pos = b.pos;
        const end = b.pos + b.size;
        while (pos < end) {
          if (stopped()) return result;
          map.currentPos = pos;
          const len = Math.min(end - pos, blockSize - (pos % blockSize));
          const got = await readAt(pos, len);
          if (got === len) {
            await keep(pos, len);
            skip = 0;
            pos += len;
          } else {
            await keep(pos, Math.max(0, got));
            const failAt = pos + Math.max(0, got);
            map.set(failAt, pos + len - failAt, '*');
            pos += len;
            if (skipping) {
              skip = Math.min(maxSkip, Math.max(blockSize, skip * 2));
              pos = Math.min(end, pos + skip); // left '?' for the second pass
            }
          }
          await tick();
        }
      }
    }
    await save();

    // 2. trim: from both edges of each '*' block to its first bad sector
    map.currentStatus = '*';
    for (const b of map.find('*')) {
      let lo = b.pos;
      let hi = b.pos + b.size;
      let front = true;
      while (lo < hi) {
        if (stopped()) return result;
        const at = front ? lo : Math.max(lo, hi - (hi % ss === 0 ? ss : hi % ss));
        const len = front ? Math.min(ss, hi - lo) : hi - at;
        map.currentPos = at;
        const got = await readAt(at, len);
        if (got === len) {
          await keep(at, len);
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
      await tick();
    }
    await save();

    // 3. scrape and 4. retry: sector by sector
    const sectorPass = async (status: BlockStatus) => {
      for (const b of map.find(status)) {
        for (let at = b.pos; at < b.pos + b.size; at += ss) {
          if (stopped()) return false;
          const len = Math.min(ss, b.pos + b.size - at);
          map.currentPos = at;
          const got = await readAt(at, len);
          if (got === len) await keep(at, len);
          else map.set(at, len, '-');
          await tick();
        }
      }
      return true;
    };
    map.currentStatus = '/';
    if (!(await sectorPass('/'))) return result;
    map.currentStatus = '-';
    for (let r = 0; r < opts.retries; r++) {
      map.currentPass = r + 1;
      if (!(await sectorPass('-'))) return result;
    }
    map.currentStatus = '+';
    map.currentPos = 0;
    map.currentPass = 1;
    result.completed = true;
    return result;
  } finally {
    result.bytesLost = map.bytesWith('-');
    result.badSectors = map.blocks.reduce((n, b) => n + (b.status === '-' ? Math.ceil(b.size / ss) : 0), 0);
    await save().catch(() => undefined);
    await out.close();
  }
}

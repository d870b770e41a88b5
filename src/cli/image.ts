/** `keycarve image`: the arguments checked, the device opened, the engine (image/) run, one line told. */
import { resolve } from 'node:path';
import { imageDevice, type ImageOptions as EngineOptions } from '../image/image-device.ts';
import { openDevice, type RawDevice } from '../source/device.ts';
import { isOnDevice } from '../source/same-device.ts';
import { errorLine } from '../file-errors.ts';
import type { CommandIo } from './io.ts';

export interface ImageOptions extends Omit<EngineOptions, 'commandLine'> {
  direct?: boolean;
  exclusive?: boolean;
  native?: boolean;
  /** How the device is opened (tests wrap it). */
  open?: typeof openDevice;
}

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

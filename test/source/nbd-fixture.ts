// A failing disk for tests: an image served by nbdkit, whose ddrescue filter fails reads of the
// sectors a mapfile marks bad with EIO (and whose log filter records every request the "drive"
// sees), mounted through nbdfuse as a file, and a read-only loop device over that file with
// direct I/O and 512-byte sectors so that O_DIRECT reads see exactly the bad sectors.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';


export const SS = 512;

/** What failingDisk needs: pass to requireTools (with anything else the test runs). */
export const EIO_TOOLS = ['root', '/dev/fuse', 'nbdkit', 'nbdfuse', 'losetup', 'fusermount3'] as const;

/** Sector s holds s and its byte offset: any misplaced sector shows. */
export function pattern(sectors: number): Uint8Array {
  const b = new Uint8Array(sectors * SS);
  const v = new DataView(b.buffer);
  for (let s = 0; s < sectors; s++) for (let i = 0; i < SS; i += 4) v.setUint32(s * SS + i, (s * 7919) ^ (i << 22), true);
  return b;
}

export interface FailingDisk {
  dir: string;
  image: Uint8Array;
  /** Path of the nbdfuse file (buffered FUSE reads). */
  file: string;
  /** The read-only loop device (null when losetup failed). */
  loop: string | null;
  /** Per-sector count of requests nbdkit received since the last call. */
  readsSinceLastCall(): Uint16Array;
  close(): Promise<void>;
}

/** `content` (default: the sector pattern) served with the `bad` sectors failing with EIO. */
export async function failingDisk(sectors: number, bad: readonly number[], content?: Uint8Array): Promise<FailingDisk> {
  const dir = await mkdtemp(join(tmpdir(), 'keycarve-eio-'));
  const image = content ?? pattern(sectors);
  await writeFile(join(dir, 'disk.img'), image);
  const lines = ['# keycarve test map', '0x0 + 1'];
  let pos = 0;
  for (const s of [...bad].sort((a, b) => a - b)) {
    if (s * SS > pos) lines.push(`0x${pos.toString(16)} 0x${(s * SS - pos).toString(16)} +`);
    lines.push(`0x${(s * SS).toString(16)} 0x200 -`);
    pos = (s + 1) * SS;
  }
  if (pos < sectors * SS) lines.push(`0x${pos.toString(16)} 0x${(sectors * SS - pos).toString(16)} +`);
  await writeFile(join(dir, 'bad.map'), lines.join('\n') + '\n');
  const mnt = join(dir, 'mnt');
  await mkdir(mnt);
  const log = join(dir, 'nbdkit.log');
  const child: ChildProcess = spawn(
    'nbdfuse',
    ['-r', mnt, '--command', 'nbdkit', '-s', '--filter=log', '--filter=ddrescue', 'file', join(dir, 'disk.img'),
      `ddrescue-mapfile=${join(dir, 'bad.map')}`, `logfile=${log}`],
    { stdio: 'ignore' },
  );
  const file = join(mnt, 'nbd');
  for (let i = 0; i < 200 && !(existsSync(file) && statSync(file).size === image.length); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(file)) {
    child.kill();
    throw new Error('nbdfuse did not come up');
  }
  let loop: string | null = null;
  try {
    loop = execFileSync('losetup', ['-r', '-f', '--show', '--direct-io=on', '-b', '512', file], { encoding: 'utf8' }).trim();
  } catch {
    loop = null;
  }
  let seen = 0;
  return {
    dir,
    image,
    file,
    loop,
    readsSinceLastCall() {
      const counts = new Uint16Array(sectors);
      const text = readFileSync(log, 'utf8').split('\n');
      for (const line of text.slice(seen)) {
        const m = / Read id=\d+ offset=(0x[0-9a-f]+) count=(0x[0-9a-f]+) /.exec(line);
        if (!m) continue;
        const off = parseInt(m[1]!, 16);
        const cnt = parseInt(m[2]!, 16);
        for (let s = Math.floor(off / SS); s < Math.ceil((off + cnt) / SS); s++) counts[s]!++;
      }
      seen = text.length - 1;
      return counts;
    },
    async close() {
      if (loop) execFileSync('losetup', ['-d', loop], { stdio: 'ignore' });
      try {
        execFileSync('fusermount3', ['-u', mnt], { stdio: 'ignore' });
      } catch {
        execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
      }
      child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

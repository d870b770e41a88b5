import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultyDevice, FaultySource, MemorySource } from '../../src/source/memory.ts';
import { TolerantSource, mergeRanges } from '../../src/source/tolerant.ts';
import { RescueMap, formatMap, parseMap } from '../../src/source/ddrescue-map.ts';
import { openSource, SourceError } from '../../src/source/open.ts';
import { imageDevice } from '../../src/image/image-device.ts';
import { devicesCommand, parseLsblk } from '../../src/cli/devices.ts';
import { isOnDevice } from '../../src/source/same-device.ts';
import { devMajorMinor, sysfsGeometry } from '../../src/source/native.ts';
import { symlink } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { adler32, adler32Portable } from '../../src/source/formats/segments.ts';
import { loadNative } from '../../src/native.ts';

/** vitest's deep equality walks typed arrays element by element: far too slow for MiBs. */
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

const SS = 512;
/** Each sector holds its own number: any misplaced byte shows. */
function pattern(sectors: number): Uint8Array {
  const b = new Uint8Array(sectors * SS);
  const v = new DataView(b.buffer);
  for (let s = 0; s < sectors; s++) for (let i = 0; i < SS; i += 4) v.setUint32(s * SS + i, s ^ (i << 20), true);
  return b;
}
const sectors = (list: number[]) => list.map((s) => ({ offset: s * SS, length: SS }));

describe('MemorySource', () => {
  it('reads and clamps at the end', async () => {
    const src = new MemorySource(pattern(4));
    const into = new Uint8Array(1024);
    expect(await src.read(1536, into)).toEqual({ bytes: 512, bad: [] });
    expect(into.subarray(0, 512)).toEqual(pattern(4).subarray(1536));
    expect((await src.read(4096, into)).bytes).toBe(0);
  });
});

describe('TolerantSource over FaultyDevice', () => {
  const img = pattern(4096); // 2 MiB
  const badList = [100, 101, 1000, 2047, 2048, 4095];
  const expected = img.slice();
  for (const s of badList) expected.fill(0, s * SS, (s + 1) * SS);

  it('returns exactly the bad sectors, zero-filled, per call', async () => {
    const src = new FaultySource(img, sectors(badList), { maxRead: 1 << 20, countPerSector: true });
    const out = new Uint8Array(img.length);
    const a = await src.read(0, out.subarray(0, 1 << 20));
    const b = await src.read(1 << 20, out.subarray(1 << 20));
    expect(a.bad).toEqual([{ offset: 100 * SS, length: 1024 }, { offset: 1000 * SS, length: 512 }, { offset: 2047 * SS, length: 512 }]);
    expect(b.bad).toEqual([{ offset: 2048 * SS, length: 512 }, { offset: 4095 * SS, length: 512 }]);
    expect(same(out, expected)).toBe(true);
    expect(src.stats.badSectors).toBe(6);
    expect(src.stats.bytesLost).toBe(6 * SS);
    expect(src.badRanges).toEqual(mergeRanges([...a.bad, ...b.bad]));
    const over: number[] = [];
    for (let s = 0; s < 4096; s++) if (!badList.includes(s) && src.readCount(s) > 3) over.push(s);
    expect(over).toEqual([]);
  });

  it('image-file path (reads in place) finds the same bad sectors', async () => {
    const src = new FaultySource(img, sectors(badList), { blockDevice: false, maxRead: 1 << 20 });
    const out = new Uint8Array(img.length).fill(0xee);
    const a = await src.read(0, out.subarray(0, 1 << 20));
    const b = await src.read(1 << 20, out.subarray(1 << 20));
    expect([...a.bad, ...b.bad]).toEqual(mergeRanges(sectors(badList)).flatMap((r) => r.offset === 2047 * SS ? [{ offset: 2047 * SS, length: SS }, { offset: 2048 * SS, length: SS }] : [r]));
    expect(same(out, expected)).toBe(true);
  });

  it('a device that answers short costs no rereads of good sectors', async () => {
    const src = new FaultySource(img, sectors(badList), { mode: 'short', maxRead: 2 << 20, countPerSector: true });
    const out = new Uint8Array(img.length);
    const r = await src.read(0, out);
    expect(r.bad).toEqual(mergeRanges(sectors(badList)));
    expect(same(out, expected)).toBe(true);
    const over: number[] = [];
    for (let s = 0; s < 4096; s++) if (!badList.includes(s) && src.readCount(s) !== 1) over.push(s);
    expect(over).toEqual([]);
  });

  it('reads every good sector once when no request fails', async () => {
    const src = new FaultySource(img, sectors([3000]), { splitSize: 64 << 10, maxRead: 1 << 20, countPerSector: true });
    const out = new Uint8Array(img.length);
    await src.read(0, out);
    // only the 1 MiB request holding sector 3000 failed: its other sectors are the only rereads
    const hist = src.readHistogram();
    expect(hist.get(1)).toBe(2048);
    expect(hist.get(2)).toBe(1920);
    expect(hist.get(3)).toBe(128); // the 64 KiB piece around the bad sector, itself included
    expect(src.readCount(3000)).toBe(3);
  });

  it('sector-by-sector split rereads good neighbours exactly twice', async () => {
    const src = new FaultySource(img, sectors([10]), { splitSize: SS, maxRead: 64 << 10, countPerSector: true });
    await src.read(0, new Uint8Array(64 << 10));
    for (let s = 0; s < 128; s++) expect(src.readCount(s)).toBe(2);
    expect(src.readCount(128)).toBe(0);
  });

  it('retries a marginal sector and recovers it', async () => {
    const dev = new FaultyDevice(img, sectors([7]), { recoverAfter: 3 });
    const none = new TolerantSource(dev, { retries: 0 });
    expect((await none.read(0, new Uint8Array(8192))).bad).toEqual(sectors([7]));
    const dev2 = new FaultyDevice(img, sectors([7]), { recoverAfter: 3 });
    const src = new TolerantSource(dev2, { retries: 2, splitSize: SS });
    const out = new Uint8Array(8192);
    expect((await src.read(0, out)).bad).toEqual([]);
    expect(same(out, img.subarray(0, 8192))).toBe(true);
  });

  it('handles unaligned offsets and lengths', async () => {
    const src = new FaultySource(img, sectors([5]));
    const out = new Uint8Array(1000);
    const r = await src.read(2000, out);
    expect(r.bad).toEqual([{ offset: 2560, length: 440 }]); // clipped to the request
    expect(same(out.subarray(0, 560), img.subarray(2000, 2560))).toBe(true);
    expect(out.subarray(560, 1000).every((x) => x === 0)).toBe(true);
  });

  it('abandons a stalled read, skips ahead and keeps the caller buffer clean', async () => {
    const src = new FaultySource(img, [], {
      stall: sectors([512]), stallMs: 300, timeoutMs: 40, maxRead: 64 << 10, skipAfterTimeout: 128 << 10,
    });
    const out = new Uint8Array(img.length).fill(0xee);
    const r = await src.read(0, out);
    // request [256 KiB, 320 KiB) stalled; it and the next 128 KiB are reported, the rest is read
    expect(r.bad).toEqual([{ offset: 256 << 10, length: 192 << 10 }]);
    expect(src.stats.timeouts).toBe(1);
    expect(same(out.subarray(0, 256 << 10), img.subarray(0, 256 << 10))).toBe(true);
    expect(same(out.subarray(448 << 10), img.subarray(448 << 10))).toBe(true);
    await new Promise((r) => setTimeout(r, 350)); // let the stalled read land: it must not touch `out`
    expect(out.subarray(256 << 10, 448 << 10).every((x) => x === 0)).toBe(true);
  });
});

describe('Adler-32', () => {
  it('comes from the addon when it is built', () => {
    if (process.env['KEYCARVE_NO_NATIVE'] !== '1' && loadNative()) expect(typeof loadNative()!.adler32).toBe('function');
  });

  it('equals the trailer zlib writes, at every length around its steps and sum limits', () => {
    let x = 7;
    const bytes = (n: number, high: boolean) => Uint8Array.from({ length: n }, () => (high ? 255 : ((x = (x * 1103515245 + 12345) >>> 0) >>> 24)));
    for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 4095, 4096, 4097, 5552, 8191, 32768, 100_003]) {
      for (const high of [false, true]) {
        const b = bytes(n, high);
        const z = deflateSync(b, { level: 0 });
        // The addon's (when built) and the TypeScript fallback.
        for (const sum of [adler32, adler32Portable]) {
          expect(sum(b), `${sum.name}: ${n} bytes`).toBe(z.readUInt32BE(z.length - 4));
          expect(sum(new Uint8Array([9, ...b]).subarray(1)), `${sum.name}: ${n} bytes at an odd offset`).toBe(z.readUInt32BE(z.length - 4));
        }
      }
    }
  });
});

describe('ddrescue mapfile', () => {
  it('round-trips and merges', () => {
    const m = new RescueMap(0x10000);
    m.set(0, 0x8000, '+');
    m.set(0x8000, 0x200, '-');
    m.set(0x8200, 0x7e00, '+');
    m.set(0x8000, 0x200, '+');
    expect(m.blocks).toEqual([{ pos: 0, size: 0x10000, status: '+' }]);
    m.set(0x400, 0x200, '/');
    m.set(0xfe00, 0x200, '?');
    const text = formatMap(m);
    expect(text).toMatch(/^0x00000400  0x00000200  \/$/m);
    const back = parseMap(text, 0x10000);
    expect(back.blocks).toEqual(m.blocks);
    expect(back.unreadRanges()).toEqual([{ offset: 0x400, length: 0x200 }, { offset: 0xfe00, length: 0x200 }]);
  });
  it('reads a GNU ddrescue map and rejects broken ones', () => {
    const gnu = '# Mapfile. Created by GNU ddrescue version 1.27\n# current_pos  current_status  current_pass\n0x00000000     +               1\n#      pos        size  status\n0x00000000  0x00000400  +\n0x00000400  0x00000200  -\n';
    expect(parseMap(gnu).blocks).toHaveLength(2);
    expect(() => parseMap(gnu, 4096)).toThrow(/covers 1536/);
    expect(() => parseMap(gnu.replace('0x00000400  0x00000200', '0x00000600  0x00000200'))).toThrow(/contiguous/);
    expect(() => parseMap('0x0 Z\n')).toThrow(/status line/);
  });
});

describe('image over a FaultyDevice', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keycarve-img-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const img = pattern(8192); // 4 MiB
  const badList = [300, 301, 2049, 5000, 8191];

  it('copies the good parts and maps exactly the bad sectors', async () => {
    const dev = new FaultyDevice(img, sectors(badList));
    const r = await imageDevice(dev, join(dir, 'a.img'), { map: join(dir, 'a.map'), retries: 1, blockSize: 64 << 10 });
    expect(r.completed).toBe(true);
    expect(r.map.find('-').map((b) => [b.pos / SS, b.size / SS])).toEqual([[300, 2], [2049, 1], [5000, 1], [8191, 1]]);
    expect(r.map.bytesWith('+')).toBe(img.length - 5 * SS);
    const expected = img.slice();
    for (const s of badList) expected.fill(0, s * SS, (s + 1) * SS);
    expect(same(await readFile(join(dir, 'a.img')), expected)).toBe(true);
  });

  it('resumes after a stop to the same bytes', async () => {
    const ac = new AbortController();
    const dev = new FaultyDevice(img, sectors(badList));
    const orig = dev.pread.bind(dev);
    let n = 0;
    dev.pread = (into, off) => {
      if (++n === 20) ac.abort();
      return orig(into, off);
    };
    const opts = { map: join(dir, 'b.map'), retries: 0, blockSize: 64 << 10 };
    const first = await imageDevice(dev, join(dir, 'b.img'), { ...opts, signal: ac.signal });
    expect(first.completed).toBe(false);
    const half = parseMap(await readFile(join(dir, 'b.map'), 'utf8'));
    expect(half.bytesWith('?')).toBeGreaterThan(0);
    const dev2 = new FaultyDevice(img, sectors(badList));
    const second = await imageDevice(dev2, join(dir, 'b.img'), opts);
    expect(second.completed).toBe(true);
    // the resumed run did not read again what the first one finished
    expect(dev2.requests.every(([o, l]) => half.blocks.some((b) => b.status !== '+' && o < b.pos + b.size && o + l > b.pos))).toBe(true);
    expect(same(await readFile(join(dir, 'b.img')), await readFile(join(dir, 'a.img')))).toBe(true);
  });

  it('records an EAGAIN sector as bad, as scan does, and stops on a program error', async () => {
    const failingWith = (code: string) => {
      const dev = new FaultyDevice(img, sectors([300]));
      const orig = dev.pread.bind(dev);
      dev.pread = (into, off) =>
        orig(into, off).catch((e: NodeJS.ErrnoException) => {
          e.code = code;
          throw e;
        });
      return dev;
    };
    const r = await imageDevice(failingWith('EAGAIN'), join(dir, 'e.img'), { map: join(dir, 'e.map'), retries: 0 });
    expect(r.map.find('-').map((b) => [b.pos / SS, b.size / SS])).toEqual([[300, 1]]);
    const scanned = await new TolerantSource(failingWith('EAGAIN'), {}).read(0, new Uint8Array(1 << 20));
    expect(scanned.bad).toEqual([{ offset: 300 * SS, length: SS }]);
    await expect(imageDevice(failingWith('EBADF'), join(dir, 'f.img'), { map: join(dir, 'f.map'), retries: 0 })).rejects.toThrow();
  });

  it('refuses an existing image without its map', async () => {
    await writeFile(join(dir, 'c.img'), 'x');
    await expect(imageDevice(new FaultyDevice(img, []), join(dir, 'c.img'), { map: join(dir, 'c.map'), retries: 0 })).rejects.toThrow(/refusing/);
  });
});

describe('openSource errors are one line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keycarve-open-'));
    await writeFile(join(dir, 'empty.img'), '');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'ok.img'), pattern(8));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const cases: Array<[string, RegExp]> = [
    ['missing.img', /^cannot open .*missing\.img: no such file or device$/],
    ['empty.img', /^cannot use .*empty\.img: it is empty \(0 bytes\)$/],
    ['sub', /^cannot open .*sub: is a directory$/],
  ];
  for (const [name, re] of cases) {
    it(name, async () => {
      const err = await openSource(join(dir, name)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    });
  }
  it('reads an image file', async () => {
    const src = await openSource(join(dir, 'ok.img'));
    expect([src.size, src.sectorSize]).toEqual([4096, 512]);
    const out = new Uint8Array(4096);
    expect(await src.read(0, out)).toEqual({ bytes: 4096, bad: [] });
    expect(out).toEqual(pattern(8));
    await src.close();
  });
  it('isOnDevice: an image is not its own neighbour, but is itself', async () => {
    expect(await isOnDevice(join(dir, 'out'), join(dir, 'ok.img'))).toBe(false);
    expect(await isOnDevice(join(dir, 'out'), join(dir, 'ok.img'), { sameFileSystem: true })).toBe(true);
    expect(await isOnDevice(join(dir, 'ok.img'), join(dir, 'ok.img'))).toBe(true);
  });
  it('sysfs fallback: a partition takes its logical sector size from the parent disk', async () => {
    // a miniature /sys: dev/block/8:17 -> devices/.../sdb/sdb1, size in 512-byte units
    const sys = join(dir, 'sys');
    const disk = join(sys, 'devices', 'usb', 'sdb');
    await mkdir(join(disk, 'queue'), { recursive: true });
    await mkdir(join(disk, 'sdb1'));
    await mkdir(join(sys, 'dev', 'block'), { recursive: true });
    await writeFile(join(disk, 'queue', 'logical_block_size'), '4096\n');
    await writeFile(join(disk, 'size'), '1000000\n');
    await writeFile(join(disk, 'sdb1', 'size'), '2048\n');
    await writeFile(join(disk, 'sdb1', 'partition'), '1\n');
    await symlink(disk, join(sys, 'dev', 'block', '8:16'));
    await symlink(join(disk, 'sdb1'), join(sys, 'dev', 'block', '8:17'));
    expect(await sysfsGeometry(8 * 256 + 17, sys)).toEqual({ size: 2048 * 512, sectorSize: 4096, via: 'sysfs' });
    expect(await sysfsGeometry(8 * 256 + 16, sys)).toEqual({ size: 1000000 * 512, sectorSize: 4096, via: 'sysfs' });
  });
  it('decodes dev_t', () => {
    expect(devMajorMinor(7 * 256 + 3)).toEqual({ major: 7, minor: 3 });
    expect(devMajorMinor((259 << 8) | 0x12 | (0x345 << 20))).toEqual({ major: 259, minor: 0x34512 });
  });
});

const LSBLK = JSON.stringify({
  blockdevices: [
    { name: 'loop0', path: '/dev/loop0', model: null, vendor: null, size: 8388608, rm: false, tran: null, type: 'loop', mountpoints: [null], fstype: null, label: null },
    { name: 'nvme0n1', path: '/dev/nvme0n1', model: 'Samsung SSD 980', vendor: null, size: 500107862016, rm: false, tran: 'nvme', type: 'disk', mountpoints: [null], fstype: null, label: null,
      children: [{ name: 'nvme0n1p1', path: '/dev/nvme0n1p1', model: null, vendor: null, size: 536870912, rm: false, tran: 'nvme', type: 'part', mountpoints: ['/boot/efi'], fstype: 'vfat', label: null }] },
    { name: 'sdb', path: '/dev/sdb', model: 'DataTraveler 3.0', vendor: 'Kingston', size: 15502147584, rm: true, tran: 'usb', type: 'disk', mountpoints: [null], fstype: null, label: null,
      children: [
        { name: 'sdb1', path: '/dev/sdb1', model: null, vendor: null, size: 15500000000, rm: true, tran: null, type: 'part', mountpoints: [null], fstype: 'vfat', label: 'KEYS' },
      ] },
    { name: 'zram0', path: '/dev/zram0', model: null, vendor: null, size: 0, rm: false, tran: null, type: 'disk', mountpoints: ['[SWAP]'], fstype: null, label: null },
  ],
});

describe('devices', () => {
  it('parseLsblk: removable first, partitions nested, loops only with all', () => {
    const d = parseLsblk(LSBLK);
    expect(d.map((x) => x.name)).toEqual(['sdb', 'nvme0n1']);
    expect(d[0]!.partitions.map((p) => [p.path, p.label, p.removable, p.transport])).toEqual([['/dev/sdb1', 'KEYS', true, 'usb']]);
    expect(d[1]!.partitions[0]!.mountpoints).toEqual(['/boot/efi']);
    expect(parseLsblk(LSBLK, { all: true }).map((x) => x.name)).toEqual(['sdb', 'loop0', 'nvme0n1', 'zram0']);
    expect(parseLsblk('{}')).toEqual([]);
  });
  it('devicesCommand prints text and json', async () => {
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } };
    expect(await devicesCommand({}, io, async () => LSBLK)).toBe(0);
    expect(out.split('\n')[0]).toMatch(/^\/dev\/sdb .*15\.5 GB\s+usb\s+removable\s+Kingston DataTraveler 3\.0$/);
    expect(out.split('\n')[1]).toMatch(/^ {2}\/dev\/sdb1 .*vfat {2}"KEYS"$/);
    out = '';
    expect(await devicesCommand({ json: true }, io, async () => LSBLK)).toBe(0);
    expect(JSON.parse(out)).toHaveLength(2);
    let err = '';
    const io2 = { stdout: io.stdout, stderr: { write: (s: string) => (err += s) } };
    expect(await devicesCommand({}, io2, async () => 'not json')).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});

/**
 * Issue 15: every image format a technician receives. The project's demo medium (a FAT drive with
 * four containers, deleted and live) is written by the real tools — ewfacquire (EnCase 6, deflate,
 * several segments), qemu-img (vpc dynamic and fixed, vhdx, vmdk sparse/stream/flat, qcow2 plain
 * and compressed) — and cut into split raw sets; each must read back bit-exact and scan to the
 * same containers as the raw image. Then damaged images: a clear error or recorded read errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, truncateSync, rmSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openImage, imageReport } from '../../src/source/image.ts';
import type { ByteSource } from '../../src/source/types.ts';
import { requireTools } from '../helpers/tools.ts';
import { scanTo, tempDir } from '../e2e/helpers.ts';

const tools = requireTools('qemu-img', 'ewfacquire', 'ewfverify');
const t = tempDir('keycarve-images-');
const raw = join(t.dir, 'demo.img');
const passwords = ['Tajna-1', 'Qwerty12'];
let medium: Buffer;

async function readAll(src: ByteSource): Promise<{ bytes: Buffer; bad: number }> {
  const out = Buffer.alloc(src.size);
  let bad = 0;
  for (let o = 0; o < src.size; o += 4 << 20) for (const b of (await src.read(o, out.subarray(o, o + (4 << 20)))).bad) bad += b.length;
  return { bytes: out, bad };
}

/** What must not change with the container format: every container, its files and status. */
async function scanned(path: string, name: string) {
  const { report } = await scanTo(path, join(t.dir, `out-${name}`), { passwords });
  const containers = report.containers.map((c) => ({ dir: c.dir, name: c.name, status: c.status, deleted: c.deleted, files: Object.fromEntries(Object.entries(c.files).map(([k, f]) => [k, [f.offset, f.size, f.sha256]])) }));
  return { report, containers };
}

const write = (name: string, data: Uint8Array) => {
  writeFileSync(join(t.dir, name), data);
  return join(t.dir, name);
};
const ewf = (target: string, ...opts: string[]) =>
  execFileSync('ewfacquire', ['-u', '-q', '-f', 'encase6', '-d', 'sha1', '-C', 'Дело 15', '-E', 'ev-1', '-e', 'Ivanov', '-D', 'flash drive', '-N', 'notes', ...opts, '-t', join(t.dir, target), raw], { stdio: 'ignore' });
const qemu = (out: string, ...args: string[]) => execFileSync('qemu-img', ['convert', ...args, raw, join(t.dir, out)], { stdio: 'ignore' });

const FORMATS: [name: string, file: string, format: string, make: () => void][] = [
  ['E01 deflate:best, 1 MiB segments', 'best.E01', 'ewf', () => ewf('best', '-c', 'deflate:best', '-S', '1MiB')],
  ['E01 uncompressed, 16 MiB segments', 'none.E01', 'ewf', () => ewf('none', '-c', 'none', '-S', '16MiB')],
  ['split raw .001 …', 'split.001', 'split-raw', () => [0, 1, 2, 3].forEach((i) => write(`split.00${i + 1}`, medium.subarray(i * 11 << 20, (i + 1) * 11 << 20)))],
  ['split raw .aa …', 'xaa', 'split-raw', () => [0, 1, 2].forEach((i) => write(`xa${'abc'[i]}`, medium.subarray(i * 16 << 20, (i + 1) * 16 << 20)))],
  ['VHD dynamic', 'dyn.vhd', 'vhd', () => qemu('dyn.vhd', '-O', 'vpc', '-o', 'force_size=on')],
  ['VHD fixed', 'fixed.vhd', 'vhd', () => qemu('fixed.vhd', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on')],
  ['VHDX', 'disk.vhdx', 'vhdx', () => qemu('disk.vhdx', '-O', 'vhdx')],
  ['VMDK monolithicSparse', 'sparse.vmdk', 'vmdk', () => qemu('sparse.vmdk', '-O', 'vmdk')],
  ['VMDK streamOptimized', 'stream.vmdk', 'vmdk', () => qemu('stream.vmdk', '-O', 'vmdk', '-o', 'subformat=streamOptimized')],
  ['VMDK monolithicFlat', 'flat.vmdk', 'vmdk', () => qemu('flat.vmdk', '-O', 'vmdk', '-o', 'subformat=monolithicFlat')],
  ['qcow2', 'disk.qcow2', 'qcow2', () => qemu('disk.qcow2', '-O', 'qcow2')],
  ['qcow2 compressed', 'packed.qcow2', 'qcow2', () => qemu('packed.qcow2', '-c', '-O', 'qcow2')],
];

tools.describe('image formats made by real tools', () => {
  let baseline: Awaited<ReturnType<typeof scanned>>;
  beforeAll(async () => {
    medium = gunzipSync(readFileSync(join(import.meta.dirname, '../../samples/demo.img.gz')));
    writeFileSync(raw, medium);
    for (const [, , , make] of FORMATS) make();
    baseline = await scanned(raw, 'raw');
    expect(baseline.containers.length).toBeGreaterThanOrEqual(4);
    expect(baseline.report.source.image?.format).toBe('raw');
  }, 120_000);
  afterAll(() => t.cleanup());

  for (const [name, file, format] of FORMATS) {
    it(`${name}: detected, read bit-exact, the same containers as raw`, async () => {
      const src = await openImage(join(t.dir, file));
      try {
        expect(src.image?.format).toBe(format);
        const { bytes, bad } = await readAll(src);
        expect(bad).toBe(0);
        expect(bytes.length).toBe(medium.length);
        expect(Buffer.compare(bytes, medium)).toBe(0);
      } finally {
        await src.close();
      }
      const s = await scanned(join(t.dir, file), file);
      expect(s.containers).toEqual(baseline.containers);
      expect(s.report.source.size).toBe(medium.length);
      expect(s.report.source.image?.format).toBe(format);
      expect(s.report.source.image?.notes).toEqual([]);
      // The Sleuth Kit, where it reads the format, lists the same files from it as from the raw image.
      const tsk = { ewf: 'ewf', vhd: 'vhd', vmdk: 'vmdk', 'split-raw': 'raw' }[format];
      const fls = (img: string, type: string) => spawnSync('fls', ['-r', '-i', type, img], { encoding: 'utf8' });
      if (tsk && spawnSync('sh', ['-c', 'command -v fls']).status === 0) {
        const theirs = fls(join(t.dir, file), tsk);
        if (theirs.status === 0) {
          console.log(`fls -i ${tsk} ${file}: ${theirs.stdout.split('\n').length - 1} entries, same as raw: ${theirs.stdout === fls(raw, 'raw').stdout}`);
          expect(theirs.stdout).toBe(fls(raw, 'raw').stdout);
        } else console.log(`fls -i ${tsk} ${file}: not readable by this Sleuth Kit (${theirs.stderr.split('\n')[0]})`);
      }
    }, 60_000);
  }

  it('E01: case metadata and stored MD5/SHA1 in the report; --verify-image checks the MD5 as ewfverify does', async () => {
    const { report } = await scanTo(join(t.dir, 'best.E01'), join(t.dir, 'out-verify'), { passwords, verifyImage: true });
    const img = report.source.image!;
    expect(img.files.length).toBeGreaterThan(1);
    expect(img.ewf?.case).toMatchObject({ caseNumber: 'Дело 15', evidenceNumber: 'ev-1', examiner: 'Ivanov', description: 'flash drive' });
    const md5 = execFileSync('md5sum', [raw], { encoding: 'utf8' }).split(' ')[0];
    const sha1 = execFileSync('sha1sum', [raw], { encoding: 'utf8' }).split(' ')[0];
    expect(img.ewf?.md5).toBe(md5);
    expect(img.ewf?.sha1).toBe(sha1);
    expect(img.ewf?.verify).toEqual({ md5, match: true });
    expect(spawnSync('ewfverify', ['-q', join(t.dir, 'best.E01')]).status).toBe(0);
  });

  it('VMDK and qcow2: grains or clusters stored one after another (or unallocated) are looked up as one run, not one by one', async () => {
    for (const file of ['sparse.vmdk', 'disk.qcow2']) {
      const src = (await openImage(join(t.dir, file))) as ByteSource & { locate: (o: number, w: number) => Promise<unknown> };
      try {
        const locate = src.locate.bind(src);
        let calls = 0;
        src.locate = (o, w) => (calls++, locate(o, w));
        const chunk = 8 << 20;
        let pieces = 0;
        for (let o = 0; o < src.size; o += chunk) {
          const plan = (await src.plan!(o, chunk))!;
          pieces += plan.pieces.length;
          plan.settle([]);
        }
        // 64 KiB grains / clusters: one lookup each would be size / 64 KiB.
        expect(calls).toBe(pieces);
        expect(calls).toBeLessThan(src.size / (64 << 10) / 8);
      } finally {
        await src.close();
      }
    }
  });

  describe('damaged images: a clear error, or read errors where the damage is and the rest read', () => {
    it('E01 chunk with flipped bytes: its chunk is a read error, the rest bit-exact; ewfverify agrees it is bad', async () => {
      const bad = join(t.dir, 'bad-chunk.E01');
      const data = readFileSync(join(t.dir, 'none.E01'));
      const at = 1 << 20; // inside the sectors section, well past header and volume
      data[at]! ^= 0xff;
      writeFileSync(bad, data);
      for (const n of ['E02', 'E03']) copyFileSync(join(t.dir, `none.${n}`), join(t.dir, `bad-chunk.${n}`));
      const src = await openImage(bad, { verifyImage: true });
      const { bytes, bad: lost } = await readAll(src);
      const info = await imageReport(src);
      await src.close();
      expect(lost).toBe(32768);
      expect(info?.notes.join('\n')).toMatch(/EWF chunk \d+ .*fails its Adler-32 checksum/);
      expect(info?.ewf?.verify?.match).toBe(false);
      const diff = [...Array(medium.length / 32768).keys()].filter((c) => Buffer.compare(bytes.subarray(c * 32768, (c + 1) * 32768), medium.subarray(c * 32768, (c + 1) * 32768)) !== 0);
      expect(diff.length).toBe(1);
      expect(spawnSync('ewfverify', ['-q', bad]).status).not.toBe(0);
      // Scanned, the chunk is checked where it is read — by a worker thread (jobs 2) or this one:
      // exactly its sectors are read errors, and the image's notes say why.
      // --verify-image there too: the MD5 of what the threads read, the bad chunk as zeros, is the
      // one the single reader above computed.
      for (const jobs of [2, 1]) {
        const { report } = await scanTo(bad, join(t.dir, `out-bad-chunk-${jobs}`), { passwords, jobs, verifyImage: true });
        expect(report.source.image?.ewf?.verify).toEqual(info?.ewf?.verify);
        expect(report.source.readErrors).toEqual([{ offset: diff[0]! * 32768, length: 32768 }]);
        expect(report.source.image?.notes.join('\n')).toMatch(new RegExp(`EWF chunk ${diff[0]} .*fails its Adler-32 checksum`));
        expect(report.containers.map((c) => c.status)).toEqual(baseline.containers.map((c) => c.status));
      }
    });

    it('E01 with its last segment missing: the missing chunks are read errors, the rest is scanned', async () => {
      for (const n of ['E01', 'E02']) copyFileSync(join(t.dir, `none.${n}`), join(t.dir, `short.${n}`));
      const src = await openImage(join(t.dir, 'short.E01'));
      const { bytes, bad } = await readAll(src);
      await src.close();
      expect(bad).toBeGreaterThan(0);
      expect(src.image?.notes.join('\n')).toMatch(/no done section: segment 3 \(.*short\.E03\)/);
      const good = medium.length - bad;
      expect(Buffer.compare(bytes.subarray(0, good), medium.subarray(0, good))).toBe(0);
    });

    it('truncated E01 segment: an error or lost chunks, never a hang or a crash', async () => {
      const p = join(t.dir, 'trunc.E01');
      copyFileSync(join(t.dir, 'best.E01'), p);
      truncateSync(p, Math.floor(statSync(p).size / 2));
      const src = await openImage(p).catch((e: Error) => e);
      if (src instanceof Error) expect(src.message).toMatch(/^cannot read .*trunc\.E01 as a disk image: /);
      else {
        const { bad } = await readAll(src);
        await src.close();
        expect(bad).toBeGreaterThan(0);
      }
    });

    it('Ex01 is refused by name', async () => {
      const p = write('x.Ex01', Buffer.concat([Buffer.from('EVF2\r\n\x81\x00', 'latin1'), Buffer.alloc(4096)]));
      await expect(openImage(p)).rejects.toThrow(/Ex01 image .* convert it to E01 or raw/);
    });

    it('split raw with a middle segment missing: that segment is a read error, the others read', async () => {
      for (const i of [1, 2, 4]) copyFileSync(join(t.dir, `split.00${i}`), join(t.dir, `gap.00${i}`));
      const src = await openImage(join(t.dir, 'gap.001'));
      const { bytes, bad } = await readAll(src);
      await src.close();
      expect(src.size).toBe(medium.length);
      expect(bad).toBe(11 << 20);
      expect(src.image?.notes[0]).toMatch(/gap\.003 of the split image is missing/);
      expect(Buffer.compare(bytes.subarray(22 << 20), medium.subarray(22 << 20))).toBe(0);
      await expect(openImage(join(t.dir, 'gap.002'))).rejects.toThrow(/give the first segment, .*gap\.001/);
    });

    it('VHD BAT entry past the end: that block is a read error; a lying disk size is refused', async () => {
      const data = readFileSync(join(t.dir, 'dyn.vhd'));
      const batAt = Number(data.readBigUInt64BE(512 + 16));
      const p = write('badbat.vhd', data);
      const d = Buffer.from(data);
      d.writeUInt32BE(0x7ffffff0, batAt); // block 0 → far past the end
      writeFileSync(p, d);
      const src = await openImage(p);
      const { bad } = await readAll(src);
      await src.close();
      expect(bad).toBe(2 << 20);
      expect(src.image?.notes.join()).toMatch(/VHD block 0 points past the end/);
      const f = readFileSync(join(t.dir, 'fixed.vhd'));
      const foot = f.subarray(f.length - 512);
      foot.writeBigUInt64BE(1n << 50n, 48);
      let sum = 0;
      foot.writeUInt32BE(0, 64);
      for (const b of foot) sum += b;
      foot.writeUInt32BE(~sum >>> 0, 64);
      await expect(openImage(write('lying.vhd', f))).rejects.toThrow(/says the disk is \d+ bytes but the file holds/);
    });

    it('qcow2 L1 entry pointing at the header, and one past the end: garbage or read errors, no crash', async () => {
      const data = Buffer.from(readFileSync(join(t.dir, 'disk.qcow2')));
      const l1 = Number(data.readBigUInt64BE(40));
      data.writeBigUInt64BE(1n << 40n, l1);
      const src = await openImage(write('bad-l1.qcow2', data));
      const { bad } = await readAll(src);
      await src.close();
      expect(bad).toBeGreaterThan(0);
      expect(src.image?.notes.join()).toMatch(/L2 table 0 is at \d+, outside/);
      const l1size = Buffer.from(readFileSync(join(t.dir, 'disk.qcow2')));
      l1size.writeUInt32BE(0, 36);
      await expect(openImage(write('l1size.qcow2', l1size))).rejects.toThrow(/L1 table has 0 entries/);
    });

    it('VMDK descriptor naming ../../etc/passwd: never opened, its range a read error', async () => {
      const desc = readFileSync(join(t.dir, 'flat.vmdk'), 'utf8').replace(/"flat-flat\.vmdk"/, '"../../etc/passwd"');
      const src = await openImage(write('evil.vmdk', Buffer.from(desc)));
      const { bytes, bad } = await readAll(src);
      await src.close();
      expect(bad).toBe(medium.length);
      expect(bytes.every((b) => b === 0)).toBe(true);
      expect(src.image?.files).toEqual([join(t.dir, 'evil.vmdk')]);
      expect(src.image?.notes[0]).toMatch(/"\.\.\/\.\.\/etc\/passwd" is not a file next to the descriptor \(refused\)/);
    });

    it('VHDX with both headers corrupt is refused; a qcow2 overlay is refused naming its backing file', async () => {
      const v = Buffer.from(readFileSync(join(t.dir, 'disk.vhdx')));
      v[64 * 1024 + 10]! ^= 1;
      v[128 * 1024 + 10]! ^= 1;
      await expect(openImage(write('bad.vhdx', v))).rejects.toThrow(/both VHDX headers are corrupt/);
      execFileSync('qemu-img', ['create', '-f', 'qcow2', '-b', join(t.dir, 'disk.qcow2'), '-F', 'qcow2', join(t.dir, 'overlay.qcow2')], { stdio: 'ignore' });
      await expect(openImage(join(t.dir, 'overlay.qcow2'))).rejects.toThrow(/overlay whose data is partly in its backing file .*disk\.qcow2/);
      rmSync(join(t.dir, 'overlay.qcow2'));
    });
  });
});

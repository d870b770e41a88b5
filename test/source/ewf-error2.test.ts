/**
 * Issue 15: sectors the imaging tool could not read. ewfacquire images a failing "drive" (nbdkit's
 * ddrescue filter through nbdfuse and a loop device, nbd-fixture.ts) and records what it could
 * not read in an `error2` section; keycarve reports those ranges in source.image.ewf and reads
 * them as unreadable (readErrors), on either reading path. A damaged error2 section is noted, and
 * one patched per libyal's EWF notes (entries, then their Adler-32 recomputed) is believed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import AjvModule from 'ajv';
import { adler32 } from '../../src/source/formats/segments.ts';
import { openImage } from '../../src/source/image.ts';
import type { ByteRange, ByteSource } from '../../src/source/types.ts';
import { scanTo, tempDir } from '../e2e/helpers.ts';
import { requireTools } from '../helpers/tools.ts';
import { EIO_TOOLS, failingDisk, SS } from './nbd-fixture.ts';

const SECTORS = 36864; // 18 MiB: more than one 8 MiB page, so a scan with jobs 2 uses worker threads
const BAD = [100, 101, 5000, 20000, 20001, 20002];
const need = requireTools(...EIO_TOOLS, 'ewfacquire', 'ewfinfo');
const t = tempDir('keycarve-error2-');
const e01 = join(t.dir, 'drive.E01');
let image: Uint8Array;
/** What ewfinfo lists under "Read errors during acquiry", in bytes. */
let listed: ByteRange[];

const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const ajv = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } })({ allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, '../../schema/report.schema.json'), 'utf8')) as object);

async function readAll(src: ByteSource): Promise<{ bytes: Uint8Array; bad: ByteRange[] }> {
  const bytes = new Uint8Array(src.size);
  const bad: ByteRange[] = [];
  for (let o = 0; o < src.size; o += 1 << 20) bad.push(...(await src.read(o, bytes.subarray(o, o + (1 << 20)))).bad);
  return { bytes, bad };
}

/** The error2 section's body (after its 76-byte descriptor) in the last segment. */
function error2Body(file: Buffer): number {
  const at = file.indexOf(Buffer.from('error2\0\0\0\0\0\0\0\0\0\0', 'latin1'));
  expect(at).toBeGreaterThan(0);
  return at + 76;
}

need.describe('E01 of a failing drive: the sectors ewfacquire could not read (error2)', () => {
  beforeAll(async () => {
    const disk = await failingDisk(SECTORS, BAD);
    try {
      image = disk.image.slice();
      // A block device: ewfacquire zero-fills what it cannot read there (from a file it gives up).
      execFileSync('ewfacquire', ['-u', '-q', '-f', 'encase6', '-c', 'deflate:fast', '-r', '0', '-g', '1', '-t', e01.replace(/\.E01$/, ''), disk.loop!], { stdio: 'ignore' });
    } finally {
      await disk.close();
    }
    const info = execFileSync('ewfinfo', [e01], { encoding: 'utf8' });
    const section = info.slice(info.indexOf('Read errors during acquiry'));
    listed = [...section.matchAll(/at sector\(s\): (\d+) - (\d+) number: (\d+)/g)].map((m) => ({ offset: Number(m[1]) * SS, length: Number(m[3]) * SS }));
    expect(listed.length).toBeGreaterThan(0);
    for (const s of BAD) expect(listed.some((r) => r.offset <= s * SS && s * SS < r.offset + r.length)).toBe(true);
  }, 120_000);
  afterAll(() => t.cleanup());

  need.it('lists them in the image info and reads them as unreadable; everything else is the drive', async () => {
    const src = await openImage(e01);
    try {
      expect(src.image?.ewf?.acquisitionErrors).toEqual(listed);
      expect(src.image?.notes.join('\n')).toMatch(/could not read \d+ sectors of the original medium \(EWF error2 section\)/);
      const { bytes, bad } = await readAll(src);
      expect(bad).toEqual(listed);
      const expected = image.slice();
      for (const r of listed) expected.fill(0, r.offset, r.offset + r.length);
      expect(Buffer.compare(bytes, expected)).toBe(0);
    } finally {
      await src.close();
    }
  });

  need.it('a scan reports them in readErrors and in source.image.ewf (worker threads or this one), valid against the schema', async () => {
    for (const jobs of [2, 1]) {
      const out = join(t.dir, `out-${jobs}`);
      const { report } = await scanTo(e01, out, { jobs });
      expect(report.source.readErrors).toEqual(listed);
      expect(report.source.image?.ewf?.acquisitionErrors).toEqual(listed);
      expect(report.stats.bytesLost).toBe(listed.reduce((n, r) => n + r.length, 0));
      const written = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as unknown;
      expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  need.it('a corrupt error2 section is noted; one patched with its Adler-32 recomputed is read as it says', async () => {
    const file = readFileSync(e01);
    const body = error2Body(file);
    const count = file.readUInt32LE(body);
    expect(count).toBe(listed.length);

    const corrupt = Buffer.from(file);
    corrupt[body + 520]! ^= 1; // an entry's start sector, its footer checksum left as it was
    writeFileSync(join(t.dir, 'corrupt.E01'), corrupt);
    const a = await openImage(join(t.dir, 'corrupt.E01'));
    await a.close();
    expect(a.image?.ewf?.acquisitionErrors).toEqual([]);
    expect(a.image?.notes.join('\n')).toMatch(/error2 section in .*corrupt\.E01 is corrupt/);

    // Per the notes: a 520-byte header (count, Adler-32 at 516), 8-byte entries (start sector,
    // sector count), then the Adler-32 of the entries. Make the first entry sectors 8..15.
    const patched = Buffer.from(file);
    patched.writeUInt32LE(8, body + 520);
    patched.writeUInt32LE(8, body + 524);
    patched.writeUInt32LE(adler32(patched.subarray(body + 520, body + 520 + count * 8)), body + 520 + count * 8);
    writeFileSync(join(t.dir, 'patched.E01'), patched);
    const b = await openImage(join(t.dir, 'patched.E01'));
    const { bad } = await readAll(b);
    await b.close();
    const want = [{ offset: 8 * SS, length: 8 * SS }, ...listed.slice(1)];
    expect(b.image?.ewf?.acquisitionErrors).toEqual(want);
    expect(bad).toEqual(want);
  });
});

/**
 * report.dfxml and report.html from real scans: the demo image (4 containers) and the same image on
 * a failing medium. The DFXML validates against the DFXML 2.0 schema and its byte runs give back
 * every file's sha256 from the image; the HTML renders in headless Chromium with one table row per
 * container and one map mark per written file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { dfxml } from '../../src/output/dfxml.ts';
import type { Report } from '../../src/output/report.ts';
import { scan } from '../../src/run/scan-run.ts';
import { FaultySource } from '../../src/source/memory.ts';
import { requireTools } from '../helpers/tools.ts';
import { tempDir } from '../e2e/helpers.ts';

const SCHEMA = join(import.meta.dirname, '../../../shared/schemas/dfxml/dfxml.xsd');
const xml = requireTools('xmllint');
const browser = requireTools('chromium');
const t = tempDir();
let image: Uint8Array;
let good: Report;
let sick: Report;
/** A bad area in free space and one sector under a file of the first container. */
let bad: { offset: number; length: number }[];

beforeAll(async () => {
  image = new Uint8Array(gunzipSync(readFileSync(join(import.meta.dirname, '../../samples/demo.img.gz'))));
  writeFileSync(join(t.dir, 'demo.img'), image);
  ({ report: good } = await scan({ source: join(t.dir, 'demo.img'), out: join(t.dir, 'good'), jobs: 1, passwords: ['Qwerty12'] }));
  const hit = Object.values(good.containers[0]!.files)[0]!.offset;
  bad = [{ offset: 8 << 20, length: 64 * 512 }, { offset: hit - (hit % 512), length: 512 }];
  const source = new FaultySource(image, bad, { blockDevice: false });
  ({ report: sick } = await scan({ source: 'sick.img', out: join(t.dir, 'sick'), jobs: 1, passwords: ['Qwerty12'], sourceOverride: source }));
}, 120_000);

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

interface FileObject {
  written: string;
  size: number;
  sha256: string;
  runs: { file: number; img: number; len: number }[];
}

function fileObjects(doc: string): FileObject[] {
  return [...doc.matchAll(/<fileobject>([\s\S]*?)<\/fileobject>/g)].map(([, body]) => ({
    written: unescape(/<filename keycarve:name="written">(.*?)<\/filename>/.exec(body!)![1]!),
    size: Number(/<filesize>(\d+)<\/filesize>/.exec(body!)![1]),
    sha256: /<hashdigest type="sha256">([0-9a-f]{64})</.exec(body!)![1]!,
    runs: [...body!.matchAll(/<byte_run file_offset="(\d+)" img_offset="(\d+)" len="(\d+)"\/>/g)].map((m) => ({ file: +m[1]!, img: +m[2]!, len: +m[3]! })),
  }));
}

function validate(path: string): { ok: boolean; output: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, path], { encoding: 'utf8' });
  return { ok: r.status === 0, output: r.stderr };
}

describe('report files', () => {
  it('every scan writes report.dfxml and report.html, and report.json names them', () => {
    for (const out of ['good', 'sick']) for (const f of ['report.dfxml', 'report.html', 'report.json']) expect(existsSync(join(t.dir, out, f)), `${out}/${f}`).toBe(true);
    expect(good.reports).toMatchObject({ dfxml: 'report.dfxml', html: 'report.html' });
    expect(sick.source.readErrors.length).toBeGreaterThan(0);
  });

  it('one fileobject per written file; its byte runs give back its sha256 from the image', () => {
    const written = good.containers.flatMap((c) => Object.keys(c.files).map((role) => `${c.dir}/${role}`));
    expect(written.length).toBeGreaterThan(16);
    const objects = fileObjects(readFileSync(join(t.dir, 'good/report.dfxml'), 'utf8'));
    expect(objects.map((o) => o.written).sort()).toEqual(written.sort());
    for (const o of objects) {
      const h = createHash('sha256');
      let pos = 0;
      for (const r of o.runs) {
        expect(r.file, o.written).toBe(pos);
        h.update(image.subarray(r.img, r.img + r.len));
        pos += r.len;
      }
      expect(pos, `${o.written}: runs cover exactly the file`).toBe(o.size);
      expect(h.digest('hex'), o.written).toBe(o.sha256);
      expect(createHash('sha256').update(readFileSync(join(t.dir, 'good', o.written))).digest('hex')).toBe(o.sha256);
    }
  });

  it('the medium runs list the unreadable areas of a failing drive and cover it exactly', () => {
    const doc = readFileSync(join(t.dir, 'sick/report.dfxml'), 'utf8');
    const medium = /<diskimageobject>\s*<byte_runs>([\s\S]*?)<\/byte_runs>/.exec(doc)![1]!;
    const runs = [...medium.matchAll(/img_offset="(\d+)" len="(\d+)" type="(\w+)"/g)].map((m) => ({ offset: +m[1]!, length: +m[2]!, type: m[3]! }));
    expect(runs.filter((r) => r.type === 'unreadable').map(({ offset, length }) => ({ offset, length }))).toEqual(sick.source.readErrors);
    let at = 0;
    for (const r of runs) expect(r.offset).toBe(at), (at += r.length);
    expect(at).toBe(image.length);
  });

  xml.it('report.dfxml validates against the DFXML 2.0 schema (demo and failing drive)', () => {
    for (const out of ['good', 'sick']) {
      const v = validate(join(t.dir, out, 'report.dfxml'));
      expect(v.ok, v.output).toBe(true);
    }
  });

  xml.it('names with markup, control characters and Cyrillic stay well-formed and valid', () => {
    const hostile = structuredClone(good);
    hostile.containers[0]!.dir = 'containers/a<b>&"c\'\x01\x7f/Клиенты\uFFFE';
    hostile.source.path = '/dev/<sdb>&\x1b[31m';
    hostile.run.commandLine = ['keycarve', 'scan', '<&>', '--password', '***'];
    const path = join(t.dir, 'hostile.dfxml');
    const doc = dfxml(hostile, new Map());
    writeFileSync(path, doc);
    const v = validate(path);
    expect(v.ok, v.output).toBe(true);
    expect(doc).toContain('containers/a&lt;b&gt;&amp;&quot;c&#39;\\x01\\x7f/Клиенты\\ufffe/');
  });
});

browser.describe('report.html in headless Chromium', () => {
  const render = (out: string, ...args: string[]) =>
    execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--window-size=1280,900', ...args, `file://${join(t.dir, out, 'report.html')}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });

  it('lists every container and draws one mark per file and the unreadable areas', () => {
    for (const [out, report] of [['good', good], ['sick', sick]] as const) {
      const dom = render(out, '--dump-dom');
      const rows = [...dom.matchAll(/<tr id="c(\d+)"/g)];
      expect(rows.length, out).toBe(report.containers.length);
      for (const c of report.containers) expect(dom).toContain(c.dir);
      const files = report.containers.reduce((n, c) => n + Object.keys(c.files).length, 0) + report.pkcs12.length + new Set(report.certificates.map((c) => c.path)).size + report.loose.length;
      const whole = dom.split('<svg class="map"')[1]!.split('</svg>')[0]!; // the whole medium; an enlarged part may follow
      expect([...whole.matchAll(/<g class="mark /g)].length, out).toBe(files);
      expect([...whole.matchAll(/<rect class="unread"/g)].length, out).toBe(report.source.readErrors.length);
      expect(dom).not.toMatch(/<(script|link)\b|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
    expect(render('sick', '--dump-dom')).toMatch(/class="badge partial"/);
  }, 120_000);

  it('renders a screenshot', () => {
    for (const out of ['good', 'sick']) {
      const png = join(t.dir, `${out}.png`);
      render(out, `--screenshot=${png}`);
      const bytes = readFileSync(png);
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      expect(bytes.readUInt32BE(16)).toBe(1280); // IHDR width
      if (process.env.KEYCARVE_KEEP_SCREENSHOTS) writeFileSync(join(process.env.KEYCARVE_KEEP_SCREENSHOTS, `${out}.png`), bytes);
    }
  }, 120_000);
});

// Every parser: random bytes, every truncation and bit-flip of valid files, lying length fields.
// Each must return a result or a typed error, never throw, never report an end past the input;
// key files must reject noise, report a cut as truncated, name a lying length, and round-trip.
// (test/property/total.test.ts runs the same mutations over every carver and layout parser.)
import { describe, it, expect } from 'vitest';
import { parseHeader } from '../../src/format/header-key.ts';
import { encodeMasks, parseMasks } from '../../src/format/masks-key.ts';
import { encodePrimary, parsePrimary } from '../../src/format/primary-key.ts';
import { encodeName, parseName } from '../../src/format/name-key.ts';
import { parseCertificate } from '../../src/format/certificate.ts';
import { parsePkcs12 } from '../../src/format/pkcs12.ts';
import { readTlv, readBer, concat } from '../../src/format/der.ts';
import { verifyContainer } from '../../src/format/container.ts';
import type { Parsed } from '../../src/format/parsed.ts';
import { makeContainer, seededRandom } from '../helpers/containers.ts';
import { fromHex } from '../../src/crypto/bytes.ts';
import { existsSync, readFileSync } from 'node:fs';
import { needSamples, SAMPLES_DIR } from '../helpers/samples-dir.ts';

type Parser = (b: Uint8Array) => Parsed<unknown>;
const PARSERS: Record<string, Parser> = {
  header: parseHeader,
  masks: parseMasks,
  primary: parsePrimary,
  name: parseName,
  certificate: parseCertificate,
  pkcs12: parsePkcs12,
  tlv: (b) => readTlv(b, 0, null, b.length),
  ber: (b) => readBer(b, 0, null, b.length),
};
/** Parsers of one file format (not generic TLV readers): noise is never one of their files. */
const FORMATS = ['header', 'masks', 'primary', 'name', 'certificate', 'pkcs12'];

const c = makeContainer({ seed: 'fuzz', password: 'x' });
const cert = (() => {
  const p = SAMPLES_DIR + '/dbfun_cryptopro/bundle-pin/certificate.cer';
  return existsSync(p) ? new Uint8Array(readFileSync(p)) : null;
})();
const p12 = (() => {
  const p = SAMPLES_DIR + '/danikarik_ncanode-go/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12';
  return existsSync(p) ? new Uint8Array(readFileSync(p)) : null;
})();
/** Valid inputs: made by the writer, or read from the samples (null when they are absent). */
const VALID: [string, Uint8Array | null, 'made' | 'sample'][] = [
  ['header', c.files['header.key']!, 'made'],
  ['masks', c.files['masks.key']!, 'made'],
  ['primary', c.files['primary.key']!, 'made'],
  ['name', c.files['name.key']!, 'made'],
  ['certificate', cert, 'sample'],
  ['pkcs12', p12, 'sample'],
];

function total(name: string, p: Parser, b: Uint8Array): Parsed<unknown> {
  let r: Parsed<unknown>;
  try {
    r = p(b);
  } catch (e) {
    throw new Error(`${name} threw on ${Buffer.from(b.subarray(0, 32)).toString('hex')}…: ${String(e)}`);
  }
  if (r.ok) expect(r.end).toBeLessThanOrEqual(b.length);
  else expect(typeof r.why).toBe('string');
  return r;
}

describe('fuzz: every parser is total', () => {
  const rnd = seededRandom('fuzz-bytes');
  for (const [name, p] of Object.entries(PARSERS))
    it(`${name}: random bytes and random-with-valid-prefix`, () => {
      const accepted: string[] = [];
      for (let i = 0; i < 300; i++) {
        const n = rnd(1)[0]! % 200;
        const noise = rnd(n);
        if (total(name, p, noise).ok) accepted.push(Buffer.from(noise).toString('hex'));
        const b = rnd(n + 4);
        b[0] = [0x30, 0x04, 0x16, 0x24][i % 4]!;
        b[1] = [0x80, 0x81, 0x82, 0x84, 0x85, 0x7f][i % 6]!;
        if (total(name, p, b).ok) accepted.push(Buffer.from(b).toString('hex'));
      }
      if (FORMATS.includes(name)) expect(accepted, `${name} took noise for a file`).toEqual([]);
    });

  for (const [name, valid, from] of VALID)
    (from === 'sample' ? needSamples.it : it)(`${name}: every truncation fails, every one-byte flip is total`, () => {
      expect(valid, `${name} sample file`).not.toBeNull();
      const v = valid!;
      const p = PARSERS[name]!;
      expect(total(name, p, v).ok).toBe(true);
      for (let n = 0; n < v.length; n++) {
        const r = total(name, p, v.subarray(0, n));
        expect(r.ok, `${name} cut at ${n}`).toBe(false);
        if (!r.ok && from === 'made') expect(r.why, `${name} cut at ${n}`).toMatch(/^truncated|runs past the end/);
      }
      const step = v.length > 600 ? 7 : 1;
      for (let i = 0; i < v.length; i += step) {
        const b = v.slice();
        b[i]! ^= 0xff;
        total(name, p, b);
      }
    });

  it('lying length fields: too big, 0xFFFFFFFF, 84/85-byte forms', () => {
    const lies = ['3084ffffffff', '3085ffffffffff', '30840000ffff', '308200ff', '3082ffff0401', '30ff', '3081ff', '308480000000'];
    for (const l of lies)
      for (const [name, p] of Object.entries(PARSERS)) {
        const b = concat(fromHex(l), new Uint8Array(40));
        const r = total(name, p, b);
        expect(r.ok, `${name} ${l}`).toBe(false);
        if (!r.ok) expect(r.why, `${name} ${l}`).toMatch(/length/);
      }
    // inner length lies inside a valid outer element
    const m = c.files['masks.key']!.slice();
    m[3] = 0x7f;
    expect(parseMasks(m).ok).toBe(false);
    const h = c.files['header.key']!.slice();
    h[3] = 0xff;
    expect(parseHeader(h).ok).toBe(false);
  });

  it('valid files parse to their fields and encode back to the same bytes', () => {
    const m = parseMasks(c.files['masks.key']!);
    if (!m.ok) throw new Error(m.why);
    expect(encodeMasks(m.value.mask, m.value.salt, m.value.hmac)).toEqual(c.files['masks.key']);
    const pr = parsePrimary(c.files['primary.key']!);
    if (!pr.ok) throw new Error(pr.why);
    expect(encodePrimary(pr.value.primaryKey)).toEqual(c.files['primary.key']);
    const nm = parseName(c.files['name.key']!);
    if (!nm.ok) throw new Error(nm.why);
    expect(nm.value.text).toBe('test');
    expect(encodeName(nm.value.text)).toEqual(c.files['name.key']);
  });

  it('verifyContainer is total on garbage files', () => {
    const rnd2 = seededRandom('garbage');
    for (let i = 0; i < 50; i++) {
      const g = (): Uint8Array => rnd2(rnd2(1)[0]! % 120);
      const r = verifyContainer({ header: g(), primary: g(), masks: g(), primary2: g(), masks2: g(), name: g() }, ['a'], g());
      expect(r.status.kind).toBe('partial');
    }
  });
});

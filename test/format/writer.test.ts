import { describe, it, expect } from 'vitest';
import { fromHex, leToBigInt, hex } from '../../src/crypto/bytes.ts';
import { writeContainer } from '../../src/format/writer.ts';
import { verifyContainer, type ContainerFiles, type FileName } from '../../src/format/container.ts';
import { parseHeader } from '../../src/format/header-key.ts';
import { parseName } from '../../src/format/name-key.ts';
import { CURVE_OIDS_256, CURVE_OIDS_512, type Generation } from '../../src/format/algorithms.ts';
import { curveByOid } from '../../src/crypto/curves.ts';
import { makeContainer, seededRandom } from '../helpers/containers.ts';
import { MANIFEST, needSamples, sampleFile } from './samples.ts';

const toFiles = (f: Record<string, Uint8Array>): ContainerFiles => ({
  header: f['header.key'],
  primary: f['primary.key'],
  masks: f['masks.key'],
  primary2: f['primary2.key'],
  masks2: f['masks2.key'],
  name: f['name.key'],
});

describe('writeContainer round trips', () => {
  const gens: [Generation, readonly string[]][] = [
    ['gost2001', CURVE_OIDS_256],
    ['gost2012-256', CURVE_OIDS_256],
    ['gost2012-512', CURVE_OIDS_512],
  ];
  for (const [g, curves] of gens)
    for (const curveOid of curves) {
      if (!curveByOid(curveOid)) continue;
      it(`${g} on ${curveOid}, no password`, () => {
        const c = writeContainer({ algorithm: g, curveOid, name: 'x', random: seededRandom(curveOid) });
        const r = verifyContainer(toFiles(c.files), []);
        expect(r.problems).toEqual([]);
        expect(r.status.kind).toBe('verified');
        expect(r.privateKey).toBe(c.privateKey);
        expect(r.algorithm).toBe(g);
        expect(r.passwordRequired).toBe(false);
      });
    }

  for (const g of ['gost2001', 'gost2012-256', 'gost2012-512'] as const)
    it(`${g} with password, keyValidity, no reserve`, () => {
      const c = makeContainer({ algorithm: g, password: 'secret', reserve: false, keyValidity: '20200701145710Z', name: 'тест' });
      expect(Object.keys(c.files).sort()).toEqual(['header.key', 'masks.key', 'name.key', 'primary.key']);
      const h = parseHeader(c.files['header.key']!);
      expect(h.ok && h.value.keyNotAfter).toBe('20200701145710Z');
      expect(h.ok && hex(h.value.attributesRaw)).toBe('0780'); // password, no reserve
      const n = parseName(c.files['name.key']!);
      expect(n.ok && n.value).toMatchObject({ text: 'тест', encoding: 'cp1251' });
      const r = verifyContainer(toFiles(c.files), ['nope', 'secret']);
      expect(r.status.kind).toBe('verified');
      expect(r.passwordIndex).toBe(1);
      expect(verifyContainer(toFiles(c.files), ['nope']).status.kind).toBe('intact');
    });

  it('is deterministic with a seeded random and writes 06 C0 / 05 A0 like CSP', () => {
    const a = makeContainer({ password: '1', seed: 'k' });
    const b = makeContainer({ password: '1', seed: 'k' });
    expect(a.files).toEqual(b.files);
    expect(hex(a.files['header.key']!)).toContain('030206c0');
    expect(hex(a.files['header.key']!)).toContain('030205a0');
    const none = makeContainer({ seed: 'k' });
    expect(hex(none.files['header.key']!)).toContain('03020640');
  });

  it('refuses a curve of the wrong size', () => {
    expect(() => writeContainer({ algorithm: 'gost2012-512', curveOid: '1.2.643.2.2.36.0', name: 'x' })).toThrow();
  });

  needSamples.it('refuses a certificate of another key (a sample certificate)', () => {
    const e = MANIFEST.find((x) => x.container.includes('g2012256'))!;
    const h = parseHeader(sampleFile(e, 'header.key')!);
    expect(() => makeContainer({ certificate: h.ok ? h.value.primaryCertificate! : new Uint8Array() })).toThrow(/does not belong/);
  });

  needSamples.it('with a sample key and its certificate: verified against the certificate', () => {
    for (const e of MANIFEST.filter((x) => x.header_has_certificate)) {
      const h = parseHeader(sampleFile(e, 'header.key')!);
      if (!h.ok) throw new Error(h.why);
      const gen = h.value.algorithm.generation;
      const d = leToBigInt(fromHex(e.private_key_le_hex));
      const c = writeContainer({ algorithm: gen, curveOid: e.curve_oid, privateKey: d, name: 'c', certificate: h.value.primaryCertificate!, random: seededRandom(e.container) });
      const r = verifyContainer(toFiles(c.files), []);
      expect(r.status.kind).toBe('verified');
      expect(r.checks.find((x) => x.name === 'key-certificate')?.ok).toBe(true);
      expect(r.fingerprint).toBe(e.primaryFP);
    }
  });
});

describe('a flipped byte in any file is caught and the file named', () => {
  const c = makeContainer({ name: 'flip-test', seed: 'flip' });
  const FILES: FileName[] = ['header.key', 'primary.key', 'masks.key', 'primary2.key', 'masks2.key'];
  for (const f of FILES)
    it(f, () => {
      const orig = c.files[f]!;
      for (let i = 0; i < orig.length; i++) {
        const files = { ...c.files, [f]: orig.slice() };
        files[f]![i]! ^= 0x01;
        const r = verifyContainer(toFiles(files), []);
        expect(r.status.kind, `${f} byte ${i}`).toBe('partial');
        const named = r.checks.some((x) => !x.ok && x.files.includes(f)) || r.problems.some((p) => p.startsWith(f));
        expect(named, `${f} byte ${i}: ${r.problems.join('; ')}`).toBe(true);
      }
    });

  it('name.key: damage to its DER structure is caught (its text has no redundancy)', () => {
    const orig = c.files['name.key']!;
    for (const i of [0, 1, 2, 3]) {
      const files = { ...c.files, 'name.key': orig.slice() };
      files['name.key'][i]! ^= 0x01;
      const r = verifyContainer(toFiles(files), []);
      expect(r.status.kind).toBe('partial');
      expect(r.problems.some((p) => p.startsWith('name.key'))).toBe(true);
    }
  });

  it('with a password: a flipped key byte is blamed on primary.key once the password is proven', () => {
    const p = makeContainer({ password: 'pw', seed: 'flip-pw' });
    for (const f of ['primary.key', 'primary2.key'] as const) {
      const files = { ...p.files, [f]: p.files[f]!.slice() };
      files[f]![10]! ^= 0x80;
      const r = verifyContainer(toFiles(files), ['pw']);
      expect(r.status.kind).toBe('partial');
      expect(r.checks.some((x) => !x.ok && x.files.includes(f))).toBe(true);
    }
  });

  it('missing files make it partial and are listed', () => {
    const { 'masks2.key': _m, ...rest } = c.files;
    void _m;
    const r = verifyContainer(toFiles(rest), []);
    expect(r.status.kind).toBe('partial');
    expect(r.problems).toContain('masks2.key missing');
  });
});

import { passwordEncodings } from '../../src/format/container.ts';
import { cpkdf } from '../../src/crypto/cpkdf.ts';

describe('password encodings', () => {
  it('UTF-8 always; cp1251 bytes and UTF-16 units (UTF-32LE in the KDF) added for non-ASCII', () => {
    const h = (b: Uint8Array | Uint16Array) => (b instanceof Uint16Array ? `u16:${[...b].map((x) => x.toString(16)).join(',')}` : hex(b));
    expect(passwordEncodings('abc').map(h)).toEqual(['616263']);
    expect(passwordEncodings('пароль').map(h)).toEqual([hex(new TextEncoder().encode('пароль')), 'efe0f0eeebfc', 'u16:43f,430,440,43e,43b,44c']);
    expect(passwordEncodings('日本').length).toBe(2);
  });
  it('the UTF-16 form gives the KDF the UTF-32LE units', () => {
    const salt = new Uint8Array(12).fill(7);
    // 'П' = U+041F: the pin4 unit 1F 04 00 00 — different from both byte forms.
    const [utf8, cp, u16] = passwordEncodings('П');
    const k = (p: Uint8Array | Uint16Array) => hex(cpkdf(p, salt, 'streebog256'));
    expect(new Set([k(utf8!), k(cp!), k(u16!)]).size).toBe(3);
    expect(k(u16!)).toBe(k(Uint16Array.of(0x41f)));
  });
  it('a Cyrillic password opens a container written with it', () => {
    const c = makeContainer({ password: 'пароль', seed: 'cyr' });
    const r = verifyContainer(toFiles(c.files), ['пароль']);
    expect(r).toMatchObject({ status: { kind: 'verified' }, passwordIndex: 0, passwordEncoding: 'utf8' });
  });
});

// Token-made keys and two-key containers (cryptopro-format.md §11): the 70-byte primary.key whose
// ciphertext is B, the FF / 01 framing of token files, and primary2/masks2 holding a second key
// checked against header [11].
import { describe, expect, it } from 'vitest';
import { hex } from '../../src/crypto/bytes.ts';
import { verifyContainer, type ContainerFiles } from '../../src/format/container.ts';
import { frame, unframe } from '../../src/format/framing.ts';
import { identifyKeyFile } from '../../src/format/key-file-id.ts';
import { keyCiphertexts, parsePrimary } from '../../src/format/primary-key.ts';
import { parseHeader } from '../../src/format/header-key.ts';
import { frameFiles } from '../../src/format/writer.ts';
import { CARVERS } from '../../src/carve/index.ts';
import { carveChunk } from '../../src/scan/carve-chunk.ts';
import { makeContainer } from '../helpers/containers.ts';
import { eachSample, MANIFEST, sampleFile, sampleFiles } from './samples.ts';

const toFiles = (f: Record<string, Uint8Array>): ContainerFiles => ({
  header: f['header.key'],
  primary: f['primary.key'],
  masks: f['masks.key'],
  primary2: f['primary2.key'],
  masks2: f['masks2.key'],
  name: f['name.key'],
});

describe('token form of primary.key', () => {
  const c = makeContainer({ tokenForm: true, seed: 'token' });
  const p = c.files['primary.key']!;

  it('is 30 44 04 20 <A> 80 20 <B>, parses, and B is tried first', () => {
    expect(p.length).toBe(70);
    expect(hex(p.subarray(0, 4))).toBe('30440420');
    expect(hex(p.subarray(36, 38))).toBe('8020');
    const r = parsePrimary(p);
    if (!r.ok) throw new Error(r.why);
    expect(r.value.form).toBe('token');
    expect(keyCiphertexts(r.value).map(hex)).toEqual([hex(p.subarray(38)), hex(p.subarray(4, 36))]);
    expect(identifyKeyFile(p)).toMatchObject({ kind: 'primary', length: 70 });
  });

  it('unmasks to the key (with a password too), with no problem about the form', () => {
    const r = verifyContainer(toFiles(c.files), []);
    expect(r.problems).toEqual([]);
    expect(r.status.kind).toBe('verified');
    expect(r.privateKey).toBe(c.privateKey);
    const pw = makeContainer({ tokenForm: true, seed: 'token-pw', password: 'pin', algorithm: 'gost2001' });
    expect(verifyContainer(toFiles(pw.files), ['pin']).status.kind).toBe('verified');
  });

  it('a damaged B is not rescued by A', () => {
    const bad = p.slice();
    bad[50]! ^= 1;
    const r = verifyContainer(toFiles({ ...c.files, 'primary.key': bad }), []);
    expect(r.status.kind).toBe('partial');
    expect(r.checks.find((x) => x.name === 'key-fingerprint')).toMatchObject({ ok: false, files: ['primary.key'] });
  });

  it('a two-element primary.key of [gc]\'s form (04 … 04 …) is flagged, not trusted', () => {
    const two = p.slice();
    two[36] = 0x04;
    const r = verifyContainer(toFiles({ ...c.files, 'primary.key': two }), []);
    expect(r.status.kind).toBe('partial');
    expect(r.problems.some((x) => x.startsWith('primary.key: holds two keys'))).toBe(true);
  });
});

describe('token framing', () => {
  const c = makeContainer({ seed: 'framing' });
  const masks = c.files['masks.key']!;

  it('trims FF padding and the 01 lead byte with its zero tail to the DER', () => {
    const ff = frame(masks, 'ff-padded', 60);
    expect(ff.length).toBe(60);
    expect(unframe(ff)).toMatchObject({ at: 0, framing: 'ff-padded' });
    expect(hex(unframe(ff).der)).toBe(hex(masks));
    const lead = frame(masks, 'lead-01', 64);
    expect(hex(lead.subarray(0, 2))).toBe('0130');
    expect(unframe(lead)).toMatchObject({ at: 1, framing: 'lead-01' });
    expect(hex(unframe(lead).der)).toBe(hex(masks));
  });

  it('leaves anything else whole, so the parser still reports the stray bytes', () => {
    const mixed = Uint8Array.of(...masks, 0xff, 0x00);
    expect(unframe(mixed)).toMatchObject({ at: 0, framing: 'none' });
    expect(unframe(mixed).der.length).toBe(mixed.length);
    const leadFf = frame(masks, 'lead-01', 60).map((x, i) => (i > masks.length ? 0xff : x));
    expect(unframe(leadFf).framing).toBe('none');
    expect(unframe(masks)).toMatchObject({ der: masks, framing: 'none' });
    const r = verifyContainer(toFiles({ ...c.files, 'masks.key': mixed }), []);
    expect(r.problems).toContain('masks.key: 2 bytes after the end of the DER value');
  });

  for (const framing of ['ff-padded', 'lead-01'] as const)
    it(`a whole container written ${framing} verifies, each trim recorded`, () => {
      const framed = frameFiles(c.files, framing);
      expect(framed['primary.key']!.length).toBe(70);
      expect(framed['name.key']!.length).toBe(300);
      const r = verifyContainer(toFiles(framed), []);
      expect(r.problems).toEqual([]);
      expect(r.status.kind).toBe('verified');
      expect(r.checks.filter((x) => x.name === 'framing')).toHaveLength(6);
    });

  it('the carvers find the DER behind a 01 lead byte at a sector start', () => {
    const framed = frameFiles(c.files, 'lead-01');
    const names = ['header.key', 'primary.key', 'masks.key', 'name.key'] as const;
    const img = new Uint8Array(512 * (names.length + 1));
    names.forEach((n, i) => img.set(framed[n]!, 512 * i));
    const found = carveChunk({ base: 0, bytes: img, page: img.length }, CARVERS).candidates;
    for (const [i, n] of names.entries()) {
      const hit = found.find((x) => x.offset === 512 * i + 1);
      expect(hit, n).toBeDefined();
      expect(hex(hit!.bytes)).toBe(hex(c.files[n]!));
    }
  });
});

describe('two-key containers', () => {
  const c = makeContainer({ secondKey: true, seed: 'two-key', password: 'pw' });

  it('the header carries [4] and [11]; primary2/masks2 hold the second key', () => {
    const h = parseHeader(c.files['header.key']!);
    if (!h.ok) throw new Error(h.why);
    expect(h.value.secondaryFP).not.toBeNull();
    expect(h.value.secondaryExchange).toBe(false);
    expect(h.value.reservePrimary).toBe(false);
    expect(c.secondKey).toBeDefined();
    expect(c.secondKey).not.toBe(c.privateKey);
  });

  it('verified when both keys check out against their own fingerprints; the report says which is which', () => {
    const r = verifyContainer(toFiles(c.files), ['pw']);
    expect(r.problems).toEqual([]);
    expect(r.status.kind).toBe('verified');
    expect(r.keys).toEqual([
      { role: 'exchange', files: ['primary.key', 'masks.key'], verified: true, reserve: false },
      { role: 'signature', files: ['primary2.key', 'masks2.key'], verified: true, reserve: false },
    ]);
    expect(r.checks.find((x) => x.name === 'key2-fingerprint')?.ok).toBe(true);
    expect(r.checks.some((x) => x.name === 'primary2-same-key')).toBe(false);
    if (r.status.kind === 'verified') expect(r.status.proof.secondFingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('without the password: intact, neither key proven', () => {
    const r = verifyContainer(toFiles(c.files), []);
    expect(r.status.kind).toBe('intact');
    expect(r.keys.map((k) => k.verified)).toEqual([false, false]);
  });

  it('a damaged second primary makes it partial, naming primary2.key', () => {
    const bad = c.files['primary2.key']!.slice();
    bad[10]! ^= 1;
    const r = verifyContainer(toFiles({ ...c.files, 'primary2.key': bad }), ['pw']);
    expect(r.status.kind).toBe('partial');
    expect(r.checks.find((x) => x.name === 'key2-fingerprint')).toMatchObject({ ok: false, files: ['primary2.key'] });
    expect(r.keys.map((k) => k.verified)).toEqual([true, false]);
  });

  it('a damaged second masks names masks2.key and primary2.key', () => {
    const bad = c.files['masks2.key']!.slice();
    bad[10]! ^= 1;
    const r = verifyContainer(toFiles({ ...c.files, 'masks2.key': bad }), ['pw']);
    expect(r.status.kind).toBe('partial');
    expect(r.checks.find((x) => x.name === 'masks2-mac')?.ok).toBe(false);
    expect(r.checks.find((x) => x.name === 'key2-fingerprint')).toMatchObject({ ok: false, files: ['primary2.key', 'masks2.key'] });
  });

  it('a missing second pair is partial, never verified on the first key alone', () => {
    const { 'primary2.key': _p, 'masks2.key': _m, ...rest } = c.files;
    const r = verifyContainer(toFiles(rest), ['pw']);
    expect(r.status.kind).toBe('partial');
    expect(r.problems).toEqual(expect.arrayContaining(['primary2.key missing', 'masks2.key missing']));
  });

  it('a one-key container reports its reserve copy as such', () => {
    const one = makeContainer({ seed: 'one-key' });
    expect(verifyContainer(toFiles(one.files), []).keys).toEqual([
      { role: 'exchange', files: ['primary.key', 'masks.key'], verified: true, reserve: false },
      { role: 'exchange', files: ['primary2.key', 'masks2.key'], verified: true, reserve: true },
    ]);
  });

  it('token form and framing together: a token-made two-key container', () => {
    const t = makeContainer({ secondKey: true, tokenForm: true, seed: 'token-two' });
    const r = verifyContainer(toFiles(frameFiles(t.files, 'ff-padded')), []);
    expect(r.problems).toEqual([]);
    expect(r.status.kind).toBe('verified');
    expect(r.keys.every((k) => k.verified)).toBe(true);
  });
});

// No public two-key or token sample exists (manifest: no header carries [11], every primary.key is
// 36 or 68 bytes): the samples test the other half of the rule, primary2/masks2 as a reserve copy.
describe('the public samples: one key and its reserve copy', () => {
  eachSample(MANIFEST, 'each sample: no [11], primary2/masks2 reported as a verified reserve copy', (e) =>
    it(e.container, () => {
      const h = parseHeader(sampleFile(e, 'header.key')!);
      expect(h.ok && h.value.secondaryFP).toBeNull();
      const r = verifyContainer(sampleFiles(e), [e.password]);
      expect(r.status.kind).toBe('verified');
      expect(r.keys).toEqual([
        { role: 'exchange', files: ['primary.key', 'masks.key'], verified: true, reserve: false },
        { role: 'exchange', files: ['primary2.key', 'masks2.key'], verified: true, reserve: true },
      ]);
    }),
  );
});

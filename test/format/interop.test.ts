import { describe, it, expect } from 'vitest';
import { hex, fromHex, leToBigInt } from '../../src/crypto/bytes.ts';
import { cpkdf } from '../../src/crypto/cpkdf.ts';
import { curveByOid } from '../../src/crypto/curves.ts';
import { maskPrivateKey } from '../../src/crypto/unmask.ts';
import { parseHeader, checkHeaderMac, encodeHeader, checkPasswordMac } from '../../src/format/header-key.ts';
import { parseMasks, checkMasksMac, encodeMasks } from '../../src/format/masks-key.ts';
import { parsePrimary, encodePrimary } from '../../src/format/primary-key.ts';
import { parseName } from '../../src/format/name-key.ts';
import { tlv } from '../../src/format/der.ts';
import { parseCertificate } from '../../src/format/certificate.ts';
import { verifyContainer } from '../../src/format/container.ts';
import { eachSample, MANIFEST, needSamples, sampleFile, sampleFiles, looseCert } from './samples.ts';

const must = <T>(r: { ok: true; value: T } | { ok: false; at: number; why: string }): T => {
  if (!r.ok) throw new Error(`parse failed at ${r.at}: ${r.why}`);
  return r.value;
};

needSamples.describe('interop with the 11 public sample containers', () => {
  it('has 11 containers', () => expect(MANIFEST.length).toBe(11));

  eachSample(MANIFEST, 'each sample container: parse, MACs, re-encode, re-encrypt, verify', (e) => {
    describe(e.container, () => {
      const headerBytes = sampleFile(e, 'header.key')!;
      const h = must(parseHeader(headerBytes));

      it('parses header.key with the manifest values', () => {
        expect(h.length).toBe(headerBytes.length);
        expect(h.algorithm.algorithmOid).toBe(e.algorithm_oid);
        expect(h.algorithm.curveOid).toBe(e.curve_oid);
        expect(h.algorithm.digestOid).toBe(e.digest_oid);
        expect(hex(h.primaryFP)).toBe(e.primaryFP);
        expect(hex(h.hmac)).toBe(e.header_mac);
        expect(h.hmacPassword ? hex(h.hmacPassword) : null).toBe(e.hmacPassword);
        expect(!!h.primaryCertificate).toBe(e.header_has_certificate);
        expect('03' + '02' + hex(h.attributesRaw)).toBe('0302' + e.header_kcc_attributes_bitstring);
        expect(hex(h.keyAttributesRaw)).toBe(e.header_key_attributes_bitstring);
        expect(h.keyNotAfter).toMatch(/^\d{14}Z$/);
        expect(h.reservePrimary).toBe(true);
      });

      it('header MAC matches with the generation S-box only', () => {
        const m = checkHeaderMac(h);
        expect(m).toEqual({ ok: true, sbox: e.mac_sbox, sboxMatchesGeneration: true });
      });

      it('re-encodes header.key byte for byte from its parsed fields', () => {
        expect(hex(encodeHeader(h, h.algorithm.info.sbox))).toBe(hex(headerBytes));
      });

      it('masks MACs match; masks, primary and name re-encode byte for byte', () => {
        for (const f of ['masks.key', 'masks2.key']) {
          const b = sampleFile(e, f)!;
          const m = must(parseMasks(b));
          expect(checkMasksMac(m, h.algorithm.info.sbox)).toEqual({ ok: true, sbox: e.mac_sbox, sboxMatchesGeneration: true });
          expect(hex(encodeMasks(m.mask, m.salt, m.hmac))).toBe(hex(b));
        }
        for (const f of ['primary.key', 'primary2.key']) {
          const b = sampleFile(e, f)!;
          const p = must(parsePrimary(b));
          expect(p.secondaryKey).toBeNull();
          expect(hex(encodePrimary(p.primaryKey))).toBe(hex(b));
        }
        const nb = sampleFile(e, 'name.key')!;
        const n = must(parseName(nb));
        expect(hex(n.raw)).toBe(e.container_name_raw_hex);
        expect(n.text).toBe(new TextDecoder('windows-1251').decode(n.raw));
        expect(hex(tlv(0x30, tlv(0x16, n.raw)))).toBe(hex(nb));
      });

      it('re-encrypting the private key with the sample mask, salt and password reproduces primary.key', () => {
        const curve = curveByOid(e.curve_oid)!;
        const d = leToBigInt(fromHex(e.private_key_le_hex));
        for (const [pf, mf] of [['primary.key', 'masks.key'], ['primary2.key', 'masks2.key']] as const) {
          const m = must(parseMasks(sampleFile(e, mf)!));
          const kek = cpkdf(new TextEncoder().encode(e.password), m.salt, h.algorithm.info.kdfHash);
          const enc = maskPrivateKey(curve, d, m.mask, kek, h.algorithm.info.sbox);
          expect(hex(encodePrimary(enc))).toBe(hex(sampleFile(e, pf)!));
        }
      });

      it('password MAC', () => {
        const r = checkPasswordMac(h, new TextEncoder().encode(e.password));
        expect(r).toEqual({ required: e.hmacPassword !== null && e.hmacPassword !== '00000000', ok: true });
        if (r.required) expect(checkPasswordMac(h, new TextEncoder().encode(e.password + 'x')).ok).toBe(false);
      });

      it('certificate fingerprint = header FP (header copy and loose file)', () => {
        for (const c of [h.primaryCertificate, looseCert(e)]) {
          if (!c) continue;
          const ci = must(parseCertificate(c));
          expect(hex(ci.fingerprint!)).toBe(e.primaryFP);
          expect(ci.subject.length).toBeGreaterThan(0);
        }
      });

      it('verifyContainer: verified with the right password, the expected key, index of the password', () => {
        const r = verifyContainer(sampleFiles(e), ['wrong', e.password], looseCert(e));
        expect(r.problems).toEqual([]);
        expect(r.status.kind).toBe('verified');
        expect(r.privateKey).toBe(leToBigInt(fromHex(e.private_key_le_hex)));
        expect(r.passwordIndex).toBe(e.password === '' ? null : 1);
        expect(JSON.stringify(r)).not.toContain(e.private_key_le_hex.slice(0, 16));
        expect(r.checks.every((c) => c.ok)).toBe(true);
        const names = r.checks.map((c) => c.name);
        expect(names).toEqual(expect.arrayContaining(['header-mac', 'masks-mac', 'masks2-mac', 'key-fingerprint', 'primary2-same-key']));
      });

      if (e.password !== '')
        it('verifyContainer without the password: intact, key unchecked', () => {
          const r = verifyContainer(sampleFiles(e), []);
          expect(r.status.kind).toBe('intact');
          expect(r.privateKey).toBeUndefined();
          expect(r.passwordRequired).toBe(true);
        });
    });
  });

  it('the Cyrillic names decode from cp1251', () => {
    const e = MANIFEST.find((x) => x.container.includes('cyrillic'))!;
    expect(must(parseName(sampleFile(e, 'name.key')!))).toMatchObject({ text: 'тестовое название контейнера', encoding: 'cp1251' });
  });
});

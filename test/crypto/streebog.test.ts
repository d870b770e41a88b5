import { describe, expect, it } from 'vitest';
import { fromHex, hex, reverse } from '../../src/crypto/bytes.ts';
import { streebog256, streebog512 } from '../../src/crypto/streebog.ts';
import { oracle, seeded } from './helpers.ts';

// RFC 6986 §10 prints messages and digests as big-endian numbers; our byte strings are reversed.
const M1 = reverse(fromHex(
  '323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130'));
const M2 = reverse(fromHex(
  'fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1'));

describe('Streebog (GOST R 34.11-2012)', () => {
  it('RFC 6986 example M1', () => {
    expect(new TextDecoder().decode(M1)).toBe('012345678901234567890123456789012345678901234567890123456789012');
    expect(hex(reverse(streebog512(M1)))).toBe(
      '486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b');
    expect(hex(reverse(streebog256(M1)))).toBe('00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d');
  });

  it('RFC 6986 example M2', () => {
    expect(hex(reverse(streebog512(M2)))).toBe(
      '28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e');
    expect(hex(reverse(streebog256(M2)))).toBe('508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d');
  });

  it('matches node-gost-crypto for lengths 0..200', () => {
    const rnd = seeded(2012);
    for (let n = 0; n <= 200; n++) {
      const m = rnd(n);
      expect(hex(streebog256(m))).toBe(hex(oracle.streebog(256, m)));
      if (n % 3 === 0) expect(hex(streebog512(m))).toBe(hex(oracle.streebog(512, m)));
    }
  });

  it('carries across all 512 bits of Σ (all-0xff blocks)', () => {
    const m = new Uint8Array(64 * 3 + 5).fill(0xff);
    expect(hex(streebog512(m))).toBe(hex(oracle.streebog(512, m)));
  });
});

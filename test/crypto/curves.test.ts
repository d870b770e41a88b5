import { createHash } from 'node:crypto';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { describe, expect, it, vi } from 'vitest';
import { bigIntToLe, hex } from '../../src/crypto/bytes.ts';
import { CURVES, TEST_CURVES, curveByOid, fingerprint, publicKey, type GostCurve } from '../../src/crypto/curves.ts';

/** @noble/curves as the oracle: an implementation independent of the OpenSSL one publicKey() uses. */
const noble = (c: GostCurve) => weierstrass({ p: c.p, n: c.q, h: c.cofactor, a: c.a, b: c.b, Gx: c.x, Gy: c.y });

describe('GOST curves', () => {
  for (const c of [...CURVES, ...TEST_CURVES]) {
    it(`${c.name}: G on curve, q·G = O, sizes`, () => {
      expect((c.y * c.y - (c.x ** 3n + c.a * c.x + c.b)) % c.p).toBe(0n);
      const P = noble(c);
      // (q-1)·G = -G  ⇔  q·G = O (noble refuses the scalar q itself)
      expect(P.BASE.multiplyUnsafe(c.q - 1n).add(P.BASE).is0()).toBe(true);
      expect(c.p < 1n << BigInt(8 * c.size)).toBe(true);
      expect(c.q < c.p * 2n).toBe(true);
      expect(Object.isFrozen(c)).toBe(true);
    });
  }

  it('OID lookup covers the header curve OIDs', () => {
    const want: [string, string][] = [
      ['1.2.643.2.2.35.1', 'A'], ['1.2.643.2.2.35.2', 'B'], ['1.2.643.2.2.35.3', 'C'],
      ['1.2.643.2.2.36.0', 'A'], ['1.2.643.2.2.36.1', 'C'],
      ['1.2.643.7.1.2.1.1.2', 'A'], ['1.2.643.7.1.2.1.1.3', 'B'], ['1.2.643.7.1.2.1.1.4', 'C'],
    ];
    const cp = { A: curveByOid('1.2.643.2.2.35.1')!, B: curveByOid('1.2.643.2.2.35.2')!, C: curveByOid('1.2.643.2.2.35.3')! };
    for (const [oid, same] of want) {
      const c = curveByOid(oid)!;
      expect(c.oids).toContain(oid);
      expect([c.p, c.a, c.b, c.q, c.x, c.y]).toEqual([cp[same as 'A'].p, cp[same as 'A'].a, cp[same as 'A'].b, cp[same as 'A'].q, cp[same as 'A'].x, cp[same as 'A'].y]);
    }
    expect(curveByOid('1.2.643.7.1.2.1.1.1')!.cofactor).toBe(4n);
    expect(curveByOid('1.2.643.7.1.2.1.2.1')!.size).toBe(64);
    expect(curveByOid('1.2.643.7.1.2.1.2.2')!.size).toBe(64);
    expect(curveByOid('1.2.643.7.1.2.1.2.3')!.cofactor).toBe(4n);
    expect(curveByOid('1.2.643.2.2.35.0')).toBeNull(); // test curve is not a container curve
    expect(curveByOid('1.2.3')).toBeNull();
  });

  // RFC 7091 §A.1 (= RFC 5832 §7.1): 256-bit example key pair on the test curve.
  it('RFC 7091 A.1 public key', () => {
    const c = TEST_CURVES[0]!;
    const Q = publicKey(c, 0x7a929ade789bb9be10ed359dd39a72c11b60961f49397eee1d19ce9891ec3b28n);
    expect(Q.x).toBe(0x7f2b49e270db6d90d8595bec458b50c58585ba1d4e9b788f6689dbd8e56fd80bn);
    expect(Q.y).toBe(0x26f1b489d6701dd185c8413a977b3cbbaf64d1c593d26627dffb101a87ff77dan);
  });

  // RFC 7091 §A.2: 512-bit example.
  it('RFC 7091 A.2 public key', () => {
    const c = TEST_CURVES[1]!;
    const d = 0x0ba6048aadae241ba40936d47756d7c93091a0e8514669700ee7508e508b102072e8123b2200a0563322dad2827e2714a2636b7bfd18aadfc62967821fa18dd4n;
    const Q = publicKey(c, d);
    expect(Q.x).toBe(0x115dc5bc96760c7b48598d8ab9e740d4c4a85a65be33c1815b5c320c854621dd5a515856d13314af69bc5b924c8b4ddff75c45415c1d9dd9dd33612cd530efe1n);
    expect(Q.y).toBe(0x37c7c90cd40b0f5621dc3ac1b751cfa0e2634fa0503b3d52639f5d7fb72afd61ea199441d943ffe7f0c70a2759a3cdb84c114e1f9339fdf27f35eca93677beecn);
    expect(hex(fingerprint(c, d))).toBe(hex(bigIntToLe(Q.x, 64).subarray(0, 8)));
  });

  it('rejects out-of-range private keys', () => {
    const c = CURVES[0]!;
    expect(() => publicKey(c, 0n)).toThrow();
    expect(() => publicKey(c, c.q)).toThrow();
  });

  // publicKey() is OpenSSL's d·G over the explicit parameters: it must give what noble gives.
  const distinct = [...new Map([...CURVES, ...TEST_CURVES].map((c) => [`${c.p}:${c.a}:${c.b}:${c.x}`, c])).values()];
  for (const c of distinct) {
    it(`${c.name}: d·G equals noble's on many scalars`, () => {
      const ref = noble(c);
      const scalars = [1n, 2n, 3n, c.q - 1n, c.q - 2n, c.q >> 1n];
      for (let i = 0; scalars.length < 30; i++) {
        const d = BigInt('0x' + createHash('sha512').update(`${c.name}:${i}`).digest('hex')) % c.q;
        if (d !== 0n) scalars.push(d);
      }
      for (const d of scalars) {
        const want = ref.BASE.multiply(d).toAffine();
        expect(publicKey(c, d), `d=${d.toString(16)}`).toEqual({ x: want.x, y: want.y });
      }
    });
  }

  it('falls back to @noble/curves where OpenSSL refuses explicit parameters (FIPS mode)', async () => {
    vi.stubEnv('KEYCARVE_NO_OPENSSL_EC', '1');
    vi.resetModules();
    try {
      const fallback = await import('../../src/crypto/curves.ts');
      for (const c of distinct.slice(0, 4)) {
        const d = BigInt('0x' + createHash('sha512').update(`fallback:${c.name}`).digest('hex')) % c.q;
        expect(fallback.publicKey(c, d)).toEqual(publicKey(c, d));
      }
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

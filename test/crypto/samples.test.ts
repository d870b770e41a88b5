// End-to-end over the real containers in ../shared/samples (read in place).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bigIntToLe, fromHex, hex, leToBigInt } from '../../src/crypto/bytes.ts';
import { cpkdf } from '../../src/crypto/cpkdf.ts';
import { curveByOid, fingerprint } from '../../src/crypto/curves.ts';
import { SBOX_CRYPTOPRO_A, SBOX_TC26_Z, mac4 } from '../../src/crypto/gost28147.ts';
import { decryptPrimary, maskPrivateKey, unmaskPrivateKey } from '../../src/crypto/unmask.ts';
import { eachSample, HAVE_SAMPLES, needSamples, SAMPLES_DIR } from '../helpers/samples-dir.ts';

const DIR = SAMPLES_DIR;

interface Sample {
  container: string; password: string; algorithm_oid: string; curve_oid: string; primaryFP: string;
  kek_from_masks: string; kek_from_masks2: string; private_key_le_hex: string; mac_sbox: string;
}

/** masks.key: 30 LL 04 20|40 <mask> 04 0C <salt12> 04 04 <mac4> (cryptopro-format.md §2.2). */
function parseMasks(b: Uint8Array): { mask: Uint8Array; salt: Uint8Array; mac: Uint8Array } {
  const n = b[3]!;
  expect([b[0], b[2], b[4 + n], b[5 + n], b[18 + n], b[19 + n]]).toEqual([0x30, 0x04, 0x04, 0x0c, 0x04, 0x04]);
  return { mask: b.subarray(4, 4 + n), salt: b.subarray(6 + n, 18 + n), mac: b.subarray(20 + n, 24 + n) };
}

/** primary.key: 30 LL 04 20|40 <encrypted k>. */
function parsePrimary(b: Uint8Array): Uint8Array {
  expect([b[0], b[2]]).toEqual([0x30, 0x04]);
  return b.subarray(4, 4 + b[3]!);
}

needSamples.describe('real sample containers', () => {
  const samples = HAVE_SAMPLES
    ? (JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Sample[])
    : [];

  it('manifest lists samples', () => expect(samples.length).toBeGreaterThanOrEqual(11));

  eachSample(samples, 'each sample container: unmask, fingerprint, re-mask', (s) => {
    it(s.container, () => {
      // §3.1: the header algorithm OID picks S-box and KDF hash.
      const is2001 = s.algorithm_oid === '1.2.643.2.2.98';
      const sbox = is2001 ? SBOX_CRYPTOPRO_A : SBOX_TC26_Z;
      expect(sbox.name).toBe(s.mac_sbox);
      const curve = curveByOid(s.curve_oid);
      expect(curve).not.toBeNull();
      const pw = new TextEncoder().encode(s.password);

      for (const [pf, mf, kekHex] of [['primary.key', 'masks.key', s.kek_from_masks], ['primary2.key', 'masks2.key', s.kek_from_masks2]] as const) {
        const dir = join(DIR, s.container);
        if (!existsSync(join(dir, pf))) continue;
        const { mask, salt, mac } = parseMasks(readFileSync(join(dir, mf)));
        const enc = parsePrimary(readFileSync(join(dir, pf)));
        expect(enc.length).toBe(curve!.size);

        // masks MAC: key = mask (last 32 bytes of a 64-byte mask), data = salt (§3.4)
        expect(hex(mac4(mask.subarray(mask.length - 32), salt, sbox))).toBe(hex(mac));

        const kek = cpkdf(pw, salt, is2001 ? 'gost3411-94' : 'streebog256');
        expect(hex(kek)).toBe(kekHex);
        const d = unmaskPrivateKey(curve!, kek, enc, mask, sbox);
        expect(d).not.toBeNull();
        expect(hex(bigIntToLe(d!, curve!.size))).toBe(s.private_key_le_hex);
        expect(hex(fingerprint(curve!, d!))).toBe(s.primaryFP);

        // Writer direction: in every sample k was stored reduced mod q, so re-masking is exact.
        const k = leToBigInt(decryptPrimary(kek, enc, sbox));
        expect(k < curve!.q).toBe(true);
        expect(hex(maskPrivateKey(curve!, d!, mask, kek, sbox))).toBe(hex(enc));

        // A wrong password yields a key with a different fingerprint.
        const bad = unmaskPrivateKey(curve!, cpkdf(new TextEncoder().encode(s.password + 'x'), salt, is2001 ? 'gost3411-94' : 'streebog256'), enc, mask, sbox);
        if (bad !== null) expect(hex(fingerprint(curve!, bad))).not.toBe(s.primaryFP);
      }
    });
  });
});

describe('unmask', () => {
  it('returns null for a zero mask', () => {
    const c = curveByOid('1.2.643.2.2.36.0')!;
    expect(unmaskPrivateKey(c, new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), SBOX_CRYPTOPRO_A)).toBeNull();
    expect(unmaskPrivateKey(c, new Uint8Array(32), new Uint8Array(32), bigIntToLe(c.q, 32), SBOX_CRYPTOPRO_A)).toBeNull();
    expect(unmaskPrivateKey(c, new Uint8Array(32), new Uint8Array(31), fromHex('01'.padEnd(64, '0')), SBOX_CRYPTOPRO_A)).toBeNull();
  });
});

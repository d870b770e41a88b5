import { describe, it, expect } from 'vitest';
import { readTlv, readBer, readHeader, Cursor, tlv, encodeLength, encodeOid, decodeOid, concat } from '../../src/format/der.ts';
import { encodeBits, bitsOf } from '../../src/format/bits.ts';
import { defaultAlgorithmBlock, parseAlgorithmBlock } from '../../src/format/algorithms.ts';
import { decodeCp1251, encodeCp1251 } from '../../src/format/name-key.ts';
import { fromHex, hex } from '../../src/crypto/bytes.ts';

describe('Cursor', () => {
  it('returns null past its end', () => {
    const c = new Cursor(Uint8Array.of(1, 2, 3), 1, 2);
    expect(c.u8()).toBe(2);
    expect(c.u8()).toBeNull();
    expect(c.take(1)).toBeNull();
    expect(new Cursor(Uint8Array.of(1), 0, 100).take(2)).toBeNull();
    expect(new Cursor(Uint8Array.of(1)).take(-1)).toBeNull();
  });
});

describe('readTlv', () => {
  it('short and long forms', () => {
    const v = new Uint8Array(300).fill(7);
    for (const n of [0, 1, 127, 128, 255, 256, 300]) {
      const b = tlv(0x04, v.subarray(0, n));
      const r = readTlv(b, 0, 0x04, b.length);
      expect(r).toMatchObject({ ok: true, end: b.length });
      if (r.ok) expect(r.value.len).toBe(n);
    }
    expect(hex(encodeLength(0x3e0))).toBe('8203e0');
  });

  it('rejects lying, non-minimal and oversized lengths, indefinite in DER, wrong tags', () => {
    const cases = ['0405010203', '04820003010203', '048100', '0481050102030405', '0484ffffffff00', '0485000000000100', '0480', '3080', '0302', '04', '', '1f0100'];
    for (const c of cases) expect(readTlv(fromHex(c), 0, null, 100).ok, c).toBe(false);
    expect(readTlv(fromHex('0400'), 0, 0x30, 2)).toMatchObject({ ok: false, why: expect.stringContaining('expected tag') });
    // limit below the buffer end is honoured
    expect(readTlv(fromHex('040201020304'), 0, 0x04, 3).ok).toBe(false);
    expect(readTlv(fromHex('040201020304'), 0, 0x04, 4).ok).toBe(true);
  });

  it('BER mode: indefinite lengths walked to 00 00, non-minimal accepted', () => {
    const b = fromHex('30 80 04 01 aa 30 80 05 00 00 00 00 00 ff');
    const r = readBer(b, 0, 0x30, b.length);
    expect(r).toMatchObject({ ok: true, end: 13 });
    expect(readBer(fromHex('30 80 04 01 aa'), 0, null, 5).ok).toBe(false);
    expect(readBer(fromHex('04 81 01 aa'), 0, null, 4).ok).toBe(true);
    expect(readHeader(fromHex('04 80'), 0, 2, true).ok).toBe(false); // primitive indefinite
  });
});

describe('OIDs, bit strings, algorithm blocks, cp1251', () => {
  it('OID round trips', () => {
    for (const o of ['1.2.643.2.2.37.2.1', '1.2.643.7.1.2.1.2.1', '2.5.29.14', '1.2.840.113549.1.9.21', '2.999.1']) expect(decodeOid(encodeOid(o))).toBe(o);
    expect(decodeOid(fromHex('2a85'))).toBeNull();
    expect(decodeOid(fromHex('8001'))).toBeNull();
  });
  it('named bits', () => {
    expect(hex(encodeBits([0, 1]))).toBe('06c0');
    expect(hex(encodeBits([1]))).toBe('0640');
    expect(hex(encodeBits([0, 2]))).toBe('05a0');
    expect(hex(encodeBits([]))).toBe('00');
    expect([...bitsOf(fromHex('05a0'))]).toEqual([0, 2]);
  });
  it('the three §2.1 algorithm blocks exactly', () => {
    expect(hex(defaultAlgorithmBlock('gost2001'))).toBe('a01c06062a8503020262301206072a85030202240006072a850302021e01');
    expect(hex(defaultAlgorithmBlock('gost2012-256'))).toBe('a01f06082a85030701010601301306072a85030202240006082a850307010102 02'.replace(/ /g, ''));
    expect(hex(defaultAlgorithmBlock('gost2012-512'))).toBe('a02106082a85030701010602301506092a8503070102010201 06082a85030701010203'.replace(/ /g, ''));
    for (const g of ['gost2001', 'gost2012-256', 'gost2012-512'] as const) {
      const b = defaultAlgorithmBlock(g);
      expect(parseAlgorithmBlock(b, 0, b.length)).toMatchObject({ ok: true, value: { generation: g } });
    }
    // 512-bit algorithm with a 256-bit curve is refused
    const mixed = concat(fromHex('a01f06082a85030701010602301306072a8503020224000608'), fromHex('2a85030701010202'));
    expect(parseAlgorithmBlock(mixed, 0, mixed.length).ok).toBe(false);
  });
  it('cp1251 agrees with the platform decoder for every byte', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i).filter((x) => x !== 0x98);
    const s = decodeCp1251(all);
    expect(s).toBe(new TextDecoder('windows-1251').decode(all));
    expect(hex(encodeCp1251(s)!)).toBe(hex(all));
    expect(encodeCp1251('日本')).toBeNull();
  });
});

import { parseHeader, encodeHeader } from '../../src/format/header-key.ts';
import { makeContainer } from '../helpers/containers.ts';
import { SBOX_TC26_Z } from '../../src/crypto/gost28147.ts';

describe('header tolerated fields', () => {
  it('keeps unseen fields ([0] parameters, [3]/[4], [6]–[9], [11], 06, 02, [13]) and re-encodes them in order', () => {
    const base = parseHeader(makeContainer({ seed: 'h' }).files['header.key']!);
    if (!base.ok) throw new Error(base.why);
    const other = new Map<number, Uint8Array>([
      [0xa4, tlv(0xa4, tlv(0x03, Uint8Array.of(0)))],
      [0x86, tlv(0x86, Uint8Array.of(0x30, 0))],
      [0x8b, tlv(0x8b, new Uint8Array(8))],
      [0x02, tlv(0x02, Uint8Array.of(1))],
      [0x8d, tlv(0x8d, Uint8Array.of(0x41))],
    ]);
    const enc = encodeHeader({ ...base.value, containerAlgorithmParams: Uint8Array.of(5, 0), containerName: Uint8Array.of(0x41), other }, SBOX_TC26_Z);
    const again = parseHeader(enc);
    if (!again.ok) throw new Error(again.why);
    expect([...again.value.other.keys()]).toEqual([0xa4, 0x86, 0x8b, 0x02, 0x8d]);
    expect(hex(again.value.containerAlgorithmParams!)).toBe('0500');
    expect(hex(encodeHeader(again.value, SBOX_TC26_Z))).toBe(hex(enc));
    // out-of-order fields are rejected
    const swapped = tlv(0x30, tlv(0x30, tlv(0x8a, new Uint8Array(8)), tlv(0xa0, fromHex('06082a85030202250201'))), tlv(0x04, new Uint8Array(4)));
    expect(parseHeader(swapped).ok).toBe(false);
  });
});

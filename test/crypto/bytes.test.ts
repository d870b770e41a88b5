import { describe, expect, it } from 'vitest';
import { beToBigInt, bigIntToLe, equalBytes, fromHex, hex, leToBigInt, reverse } from '../../src/crypto/bytes.ts';

describe('bytes', () => {
  it('round-trips hex and little-endian integers', () => {
    expect(hex(fromHex('00ff10Ab'))).toBe('00ff10ab');
    expect(fromHex('de ad\nbe ef')).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    expect(leToBigInt(fromHex('0100'))).toBe(1n);
    expect(hex(bigIntToLe(0x0102n, 4))).toBe('02010000');
    expect(beToBigInt(fromHex('0102'))).toBe(0x0102n);
    expect(hex(reverse(fromHex('010203')))).toBe('030201');
    expect(equalBytes(fromHex('0102'), fromHex('0102'))).toBe(true);
    expect(equalBytes(fromHex('0102'), fromHex('0103'))).toBe(false);
  });
  it('rejects bad input', () => {
    expect(() => fromHex('abc')).toThrow();
    expect(() => fromHex('zz')).toThrow();
    expect(() => bigIntToLe(256n, 1)).toThrow();
    expect(() => bigIntToLe(-1n, 4)).toThrow();
  });
});

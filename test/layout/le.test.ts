import { describe, expect, it } from 'vitest';
import { fitU16, fitU32, fitU64, u16, u32, u64 } from '../../src/layout/le.ts';

const b = Uint8Array.from([0x34, 0x12, 0x78, 0x56, 0xff, 0xff, 0x1f, 0x00, 0xaa]);

describe('little-endian readers', () => {
  it('read the same value when the field fits', () => {
    expect([u16(b, 0), fitU16(b, 0)]).toEqual([0x1234, 0x1234]);
    expect([u32(b, 0), fitU32(b, 0)]).toEqual([0x56781234, 0x56781234]);
    expect(u32(Uint8Array.from([0, 0, 0, 0x80]), 0)).toBe(0x80000000); // unsigned, not −2^31
    expect([u64(b, 0), fitU64(b, 0)]).toEqual([0x1fffff56781234, 0x1fffff56781234]);
  });

  it('total readers read a missing byte as 0; fit readers give 0 (64-bit: −1)', () => {
    expect([u16(b, 8), fitU16(b, 8)]).toEqual([0xaa, 0]);
    expect([u32(b, 6), fitU32(b, 6)]).toEqual([0xaa001f, 0]);
    expect([u64(b, 4), fitU64(b, 4)]).toEqual([0xaa001fffff, -1]);
  });

  it('fitU64 refuses 2^53 and more', () => {
    const big = new Uint8Array(8);
    big[6] = 0x20; // 2^53
    expect(fitU64(big, 0)).toBe(-1);
    big[6] = 0x1f;
    big.fill(0xff, 0, 6);
    expect(fitU64(big, 0)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

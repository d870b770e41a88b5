import { describe, expect, it } from 'vitest';
import { crc32, findVolumes } from '../../src/fs/partitions.ts';
import { partitionStarts } from '../../src/scan/metadata-plan.ts';
import { MemorySource } from '../../src/source/memory.ts';

const S = 512;
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
function mbrEntry(b: Uint8Array, at: number, i: number, type: number, start: number, count: number) {
  const e = at + 446 + 16 * i;
  b[e + 4] = type;
  dv(b).setUint32(e + 8, start, true);
  dv(b).setUint32(e + 12, count, true);
  b[at + 510] = 0x55;
  b[at + 511] = 0xaa;
}

/** GPT with two basic-data partitions, written by the spec (headers at LBA 1 and the last LBA). */
function gptDisk(sectors: number): Uint8Array {
  const d = new Uint8Array(sectors * S);
  mbrEntry(d, 0, 0, 0xee, 1, sectors - 1);
  const entries = new Uint8Array(128 * 128);
  const basic = [0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7];
  for (const [i, first, last] of [[0, 2048, 4095], [1, 4096, 8191]] as const) {
    entries.set(basic, i * 128);
    entries[i * 128 + 16] = i + 1;
    dv(entries).setBigUint64(i * 128 + 32, BigInt(first), true);
    dv(entries).setBigUint64(i * 128 + 40, BigInt(last), true);
  }
  const last = sectors - 1;
  const header = (my: number, alt: number, arr: number) => {
    const h = new Uint8Array(S);
    h.set(Array.from('EFI PART', (c) => c.charCodeAt(0)));
    dv(h).setUint32(8, 0x10000, true);
    dv(h).setUint32(12, 92, true);
    dv(h).setBigUint64(24, BigInt(my), true);
    dv(h).setBigUint64(32, BigInt(alt), true);
    dv(h).setBigUint64(72, BigInt(arr), true);
    dv(h).setUint32(80, 128, true);
    dv(h).setUint32(84, 128, true);
    dv(h).setUint32(88, crc32(entries), true);
    dv(h).setUint32(16, crc32(h.subarray(0, 92)), true);
    return h;
  };
  d.set(header(1, last, 2), S);
  d.set(entries, 2 * S);
  d.set(entries, (last - 32) * S);
  d.set(header(last, 1, last - 32), last * S);
  return d;
}

describe('findVolumes', () => {
  it('reads a GPT, and its backup header when the primary is damaged', async () => {
    const d = gptDisk(16384);
    const a = await findVolumes(new MemorySource(d).media());
    expect(a.volumes).toEqual([
      { offset: 2048 * S, size: 2048 * S, foundBy: 'gpt', typeHint: 'basic-data' },
      { offset: 4096 * S, size: 4096 * S, foundBy: 'gpt', typeHint: 'basic-data' },
    ]);
    d[S + 40] = d[S + 40]! ^ 0xff; // breaks the primary header CRC
    const b = await findVolumes(new MemorySource(d).media());
    expect(b.volumes.map((v) => v.offset)).toEqual([2048 * S, 4096 * S]);
    expect(b.problems.some((p) => /backup/.test(p.what))).toBe(true);
    d.fill(0, 0, S); // protective MBR gone too
    expect((await findVolumes(new MemorySource(d).media())).volumes.length).toBe(2);
  });

  it('extended partition chain that loops, and entries past the end: bounded, recorded', async () => {
    const d = new Uint8Array(4096 * S);
    mbrEntry(d, 0, 0, 0x0c, 63, 100);
    mbrEntry(d, 0, 1, 0x05, 1000, 2000);
    mbrEntry(d, 0, 2, 0x06, 1 << 30, 100);
    mbrEntry(d, 1000 * S, 0, 0x06, 10, 20);
    mbrEntry(d, 1000 * S, 1, 0x05, 0, 20); // next EBR = itself
    const r = await findVolumes(new MemorySource(d).media());
    expect(r.volumes.map((v) => v.offset)).toEqual([63 * S, 1010 * S]);
    expect(r.problems.some((p) => /loops/.test(p.what))).toBe(true);
    expect(r.problems.some((p) => /outside/.test(p.what))).toBe(true);
  });

  it('never throws on garbage', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let k = 0; k < 200; k++) {
      const d = Uint8Array.from({ length: 64 * S }, rnd);
      if (k % 2) {
        d[510] = 0x55;
        d[511] = 0xaa;
        for (let i = 0; i < 4; i++) d[446 + 16 * i] = 0;
        d[446 + 4] = 0x05;
      }
      const r = await findVolumes(new MemorySource(d).media());
      expect(Array.isArray(r.volumes)).toBe(true);
    }
    expect((await findVolumes(new MemorySource(new Uint8Array(0)).media())).volumes).toEqual([]);
  });
});

describe('partitionStarts (the scan\'s retention plan)', () => {
  it('reads a GPT with the same parser as findVolumes, both CRCs checked', () => {
    const d = gptDisk(16384);
    expect(partitionStarts(d.subarray(0, 1 << 20))).toEqual([2048 * S, 4096 * S]);
    const badHeader = d.slice(0, 1 << 20);
    badHeader[S + 40] = badHeader[S + 40]! ^ 0xff; // inside the CRC-covered header: the CRC no longer matches
    expect(partitionStarts(badHeader)).toEqual([]);
    const badArray = d.slice(0, 1 << 20);
    badArray[2 * S + 20] = badArray[2 * S + 20]! ^ 0xff; // inside entry 0: the array CRC no longer matches
    expect(partitionStarts(badArray)).toEqual([]);
  });

  it('reads the primary MBR entries, skipping extended and protective ones', () => {
    const d = new Uint8Array(1 << 20);
    mbrEntry(d, 0, 0, 0x0c, 2048, 100);
    mbrEntry(d, 0, 1, 0x05, 4096, 100);
    mbrEntry(d, 0, 2, 0x07, 8192, 100);
    expect(partitionStarts(d)).toEqual([2048 * S, 8192 * S]);
  });
});

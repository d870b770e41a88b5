// The retained reader's re-reads (issue 14, item 6): a repeat is served from memory, but only a
// bounded amount of re-read bytes is ever held, whatever the file-system stage asks for.
import { describe, expect, it } from 'vitest';
import { RetainedStore, retainedReader } from '../../src/scan/retained.ts';
import type { ByteSource } from '../../src/source/types.ts';

function source(size: number): ByteSource {
  return {
    path: 'mem',
    size,
    sectorSize: 512,
    read: (offset, into) => {
      for (let i = 0; i < into.length; i++) into[i] = (offset + i) & 0xff;
      return Promise.resolve({ bytes: into.length, bad: [] });
    },
    close: () => Promise.resolve(),
  };
}

describe('retained reader', () => {
  it('serves a repeated re-read from memory and keeps at most its cache bound', async () => {
    const r = retainedReader(new RetainedStore(), source(1 << 20), 1 << 20, 4096);
    const a = await r.read(1000, 1024);
    expect(await r.read(1000, 1024)).toEqual(a);
    expect(r.rereads.count).toBe(1);
    // Eight more distinct KiB push the first out of a 4 KiB cache: it is read again, not kept forever.
    for (let i = 1; i <= 8; i++) await r.read(1000 + i * 4096, 1024);
    expect(r.rereads.count).toBe(9);
    const again = await r.read(1000, 1024);
    expect(again).toEqual(a);
    expect(r.rereads.count).toBe(10);
  });
});

describe('shared reads', () => {
  it('hand a reader that only reads the kept bytes themselves; a plain read gets a copy it may write', async () => {
    const store = new RetainedStore();
    store.add(0, new Uint8Array(8192).fill(7));
    const r = retainedReader(store, source(1 << 20), 1 << 20);
    const plain = (await r.read(512, 1024))!;
    plain.fill(0); // the caller's own copy: the store keeps its bytes
    expect(await r.read(512, 1024, true)).toEqual(new Uint8Array(1024).fill(7));
    expect((await r.read(512, 1024, true))!.buffer).toBe((await r.read(0, 4096, true))!.buffer);
    // A re-read kept for a shared caller still gives a plain one a copy.
    const kept = (await r.read(65536, 512, true))!;
    const copy = (await r.read(65536, 512))!;
    expect(copy).toEqual(kept);
    copy.fill(0);
    expect(await r.read(65536, 512, true)).toBe(kept);
    expect(r.rereads.count).toBe(1);
  });
});

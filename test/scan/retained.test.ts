// The retained reader's re-reads (issue 14, item 6): a repeat is served from memory, but only a
// bounded amount of re-read bytes is ever held, whatever the file-system stage asks for.
import { describe, expect, it } from 'vitest';
import { RetainedStore, RetentionPlan, retainedReader } from '../../src/scan/retained.ts';
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

describe('retention plan', () => {
  const medium = new Uint8Array(1 << 16).map((_, i) => (i * 7) & 0xff);
  const stream = (plan: RetentionPlan) => {
    for (let base = 0; base < medium.length; base += 4096) plan.observe(base, medium.slice(base, base + 4096));
  };

  it('joins overlapping wants and added bytes into what the medium holds', async () => {
    const store = new RetainedStore();
    const plan = new RetentionPlan(store, 1 << 20);
    plan.want({ offset: 0, length: 3000 });
    plan.want({ offset: 1000, length: 9000 });
    stream(plan);
    store.add(9500, medium.slice(9500, 12000)); // a candidate's sectors, reaching past the wants
    const r = retainedReader(store, null, medium.length);
    expect(await r.read(0, 12000)).toEqual(medium.subarray(0, 12000));
    expect(await r.read(12000, 1)).toBeNull();
    expect(store.size).toBe(12000);
  });

  it('keeps a want streamed in several chunks as one view of its buffer, bytes inside it dropped', async () => {
    const store = new RetainedStore();
    const plan = new RetentionPlan(store, 1 << 20);
    plan.want({ offset: 1000, length: 20000 });
    stream(plan);
    store.add(5000, medium.slice(5000, 6000));
    const r = retainedReader(store, null, medium.length);
    const a = (await r.read(1000, 20000, true))!;
    expect(a).toEqual(medium.subarray(1000, 21000));
    expect((await r.read(5000, 1000, true))!.buffer).toBe(a.buffer);
    expect(store.size).toBe(20000);
  });

  it('lets bytes added inside a want that differ from it win, as a copy (a carved NTFS record holds its fixed-up bytes)', async () => {
    const store = new RetainedStore();
    const plan = new RetentionPlan(store, 1 << 20);
    plan.want({ offset: 0, length: 16384 });
    stream(plan);
    const fixed = new Uint8Array(1024).fill(0xee);
    store.add(6144, fixed);
    const r = retainedReader(store, null, medium.length);
    expect(await r.read(6144, 1024)).toEqual(fixed);
    expect(await r.read(0, 6144)).toEqual(medium.subarray(0, 6144));
    expect(await r.read(7168, 9216)).toEqual(medium.subarray(7168, 16384));
  });
});

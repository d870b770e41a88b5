// A piscina worker for anchor-native.test.ts (loaded as the pass's carving workers are): the anchor
// test, in C and in TypeScript, over a buffer in shared memory cut into the pass's pieces.
import { CARVERS } from '../../src/carve/index.ts';
import { anchorHits } from '../../src/scan/carve-chunk.ts';

export default function hits(q: { shared: SharedArrayBuffer; byteOffset: number; length: number; piece: number }): { native: number[]; ts: number[] } {
  const b = new Uint8Array(q.shared, q.byteOffset, q.length);
  const run = (native: boolean) => {
    const out: number[] = [];
    for (let at = 0; at < q.length; at += q.piece) {
      const end = Math.min(q.length, at + q.piece);
      anchorHits(CARVERS, b.subarray(0, end), at, end, out, { native });
    }
    return out;
  };
  return { native: run(true), ts: run(false) };
}

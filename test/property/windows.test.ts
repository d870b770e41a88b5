// A carver reads only its window (src/carve/window.ts): the pass hands it those bytes, and a
// one-job pass keeps nothing else of a chunk (native/anchors.c anchor_read_keep). For every valid,
// cut, flipped and lying object of every carver kind, planted among random bytes: at each hit,
// scrambling every byte outside a matching carver's window changes nothing it returns, and the
// scan's carve (on the window, rebased) returns the same. Seeded: KEYCARVE_PROPERTY_SEED=….
import { describe, expect, it, onTestFailed } from 'vitest';
import { CARVERS } from '../../src/carve/index.ts';
import type { CarverSpec, Chunk } from '../../src/carve/types.ts';
import { carveWindow } from '../../src/carve/window.ts';
import { concat } from '../../src/format/der.ts';
import { buildAnchorTable, matchingCarvers } from '../../src/scan/anchor-table.ts';
import { anchorHits, carveAt, emptyResult } from '../../src/scan/carve-chunk.ts';
import { seededRandom } from '../helpers/containers.ts';
import { FEEDERS, lieDer, lieLe, lieOuter, tlvHeaders } from './fixtures.ts';

const SEED = process.env.KEYCARVE_PROPERTY_SEED ?? 'keycarve-windows';
const rnd = seededRandom(SEED);
const S = 512;
const ROOM = 80 * 1024; // more than any window's back or ahead
const BASE = 3 << 20;

/** 8.3 entry. */
function entry(name11: string, attr: number): Uint8Array {
  const e = new Uint8Array(32);
  e.set(Uint8Array.from(name11, (c) => c.charCodeAt(0)));
  e[11] = attr;
  e[26] = 9;
  return e;
}

/** A directory of three sectors, the first opening with `.`: a later sector listing key files
 * belongs to it (fat-dir looks back for that `.` sector: its window's back). */
function fatDirectory(): Uint8Array {
  const keys = (n: number) => Array.from({ length: n }, (_, k) => entry(`K${String(k).padStart(6, '0')} KEY`, 0x20));
  return concat(entry('.          ', 0x10), entry('..         ', 0x10), ...keys(14), ...keys(16), ...keys(5), new Uint8Array(S - 5 * 32));
}

/** Each object, and a few of its mutations (all of them are the property test's, total.test.ts). */
function inputs(): { what: string; bytes: Uint8Array }[] {
  const out: { what: string; bytes: Uint8Array }[] = [{ what: 'fat-dir: three-sector directory', bytes: fatDirectory() }];
  for (const [kind, feeder] of Object.entries(FEEDERS)) {
    for (const obj of feeder.objects()) {
      out.push({ what: `${kind}: valid`, bytes: obj }, { what: `${kind}: cut in half`, bytes: obj.subarray(0, obj.length >> 1) });
      const flipped = obj.slice();
      flipped[rnd(2).reduce((a, x) => a * 256 + x, 0) % obj.length]! ^= 0x10;
      out.push({ what: `${kind}: a bit flipped`, bytes: flipped });
      if (feeder.der) {
        for (const at of tlvHeaders(obj).slice(0, 4)) out.push({ what: `${kind}: DER length at ${at} made maximal`, bytes: lieDer(obj, at) });
        out.push({ what: `${kind}: outer length 4 GiB`, bytes: lieOuter(obj) });
      } else for (const at of [0, 8, 16, 28]) if (at + 4 <= obj.length) out.push({ what: `${kind}: 0xFFFFFFFF at ${at}`, bytes: lieLe(obj, at) });
    }
  }
  return out;
}

/** Fast filler (xorshift, seeded from the run's seed): the objects' surroundings. */
function filler(n: number): Uint8Array {
  let x = new DataView(rnd(4).buffer).getUint32(0) || 1;
  return Uint8Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

const table = buildAnchorTable(CARVERS);
const alone = new Map(CARVERS.map((c) => [c, [c]]));

describe('property: a carver reads only its window', () => {
  it('bytes outside the window change nothing, and the scan carves the window as the whole chunk', () => {
    onTestFailed(() => console.error(`seed ${SEED}; rerun with KEYCARVE_PROPERTY_SEED=${SEED}`));
    const other = filler(2 * ROOM + 256 * 1024);
    let checked = 0;
    const kinds = new Set<string>();
    for (const { what, bytes: obj } of inputs()) {
      // The object at a sector start, ROOM after the chunk's start; random bytes around it.
      const length = ROOM + Math.ceil(obj.length / S) * S + ROOM;
      const bytes = filler(length);
      bytes.set(obj, ROOM);
      const chunk: Chunk = { base: BASE, bytes, page: length - ROOM + S };
      const hits: number[] = [];
      anchorHits(CARVERS, bytes, ROOM - 2 * S, ROOM + obj.length, hits);
      const found = new Set<CarverSpec>();
      for (const s of hits) {
        matchingCarvers(table, bytes, s, found);
        for (const carver of found) {
          const { back, ahead } = carveWindow(carver);
          const [lo, hi] = [Math.max(0, s - back), Math.min(length, s + ahead)];
          const scrambled = other.slice(0, length);
          scrambled.set(bytes.subarray(lo, hi), lo);
          const want = carver.carve(chunk, s);
          const where = `${what}: ${carver.kind} at ${s - ROOM}`;
          expect(carver.carve({ ...chunk, bytes: scrambled }, s), where).toEqual(want);
          const r = emptyResult();
          carveAt(chunk, alone.get(carver)!, [s], r);
          expect(r.candidates, `${where}, on its window`).toEqual(want);
          checked++;
          if (want.length > 0) kinds.add(carver.kind);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    // Every carver found something somewhere, so the comparisons were not all of empty results.
    expect([...kinds].sort()).toEqual([...new Set(CARVERS.map((c) => c.kind))].sort());
  });

  it('fat-dir needs its look-back: without it, a later sector of a directory would be carved as a directory of its own', () => {
    const dir = fatDirectory();
    const bytes = concat(filler(ROOM), dir, filler(ROOM));
    const chunk: Chunk = { base: BASE, bytes, page: bytes.length };
    const fatDir = CARVERS.find((c) => c.kind === 'fat-dir')!;
    const later = ROOM + S; // the second sector lists key files, no `.`
    expect(fatDir.carve(chunk, later)).toEqual([]);
    const cut: Chunk = { base: BASE + later, bytes: bytes.subarray(later), page: bytes.length - later };
    expect(fatDir.carve(cut, 0).map((c) => c.kind)).toEqual(['fat-dir']);
    expect(carveWindow(fatDir).back).toBeGreaterThanOrEqual(S);
  });
});

/**
 * A carver that throws is a bug, never a lost scan: the failure is recorded in report.json (carver,
 * offset, message; the first 100 kept, all counted in stats.carvers), nothing is printed over the
 * progress bar, and the other carvers' results still reach the report.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { CARVERS } from '../../src/carve/index.ts';
import type { CarverSpec } from '../../src/carve/types.ts';
import { carveChunk, MAX_ALERTS, mergeCarveStats, type CarveAlert, type CarverStats } from '../../src/scan/carve-chunk.ts';
import type { CarvePool } from '../../src/scan/pool.ts';
import { scan } from '../../src/run/scan-run.ts';
import { MemorySource } from '../../src/source/memory.ts';
import { tempDir } from '../e2e/helpers.ts';
import { makeContainer } from '../helpers/containers.ts';

const MARK = new TextEncoder().encode('crafted to throw');

/** The x509 carver, except that it throws on a sector carrying MARK just after its anchor. */
const x509 = CARVERS.find((c) => c.kind === 'x509')!;
const anchor = x509.anchors[0]!;
const fragile: CarverSpec = {
  ...x509,
  carve(chunk, start) {
    const at = start + anchor.at + anchor.bytes.length;
    if (MARK.every((b, i) => chunk.bytes[at + i] === b)) throw new Error('crafted input');
    return x509.carve(chunk, start);
  },
};
const carvers = CARVERS.map((c) => (c === x509 ? fragile : c));

/** A sector that meets the fragile carver's anchor and then the mark. */
function craftedSector(): Uint8Array {
  const s = new Uint8Array(512);
  s.set(anchor.bytes, anchor.at);
  s.set(MARK, anchor.at + anchor.bytes.length);
  return s;
}

/** The pool's contract, run in this thread with our carver list. */
const inProcessPool: CarvePool = {
  // Whole page at once (no tail hand-back): the crafted sectors lie far from chunk edges.
  run: (t) => Promise.resolve({ ...carveChunk({ base: t.base, bytes: new Uint8Array(t.shared, t.byteOffset, t.length), page: t.length }, carvers), tail: [], read: 0 }),
  close: () => Promise.resolve(),
};

describe('carver failures', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('carveChunk records the failure with carver, offset and message, and counts per carver', () => {
    const bytes = new Uint8Array(64 * 1024);
    bytes.set(craftedSector(), 8192);
    const r = carveChunk({ base: 1 << 20, bytes, page: bytes.length }, carvers);
    expect(r.alerts).toEqual([{ carver: 'x509', offset: (1 << 20) + 8192, message: 'crafted input' }]);
    expect(r.carvers['x509']).toMatchObject({ calls: 1, candidates: 0, failures: 1 });
  });

  it('keeps the first failures by offset and counts the rest', () => {
    const total = { alerts: [] as CarveAlert[], carvers: {} as Record<string, CarverStats> };
    const chunk = (base: number) => {
      const bytes = new Uint8Array(512 * (MAX_ALERTS + 20));
      for (let s = 0; s < bytes.length; s += 512) bytes.set(craftedSector(), s);
      return carveChunk({ base, bytes, page: bytes.length }, carvers);
    };
    // Later chunk first, as workers may finish out of order.
    mergeCarveStats(total, chunk(1 << 20));
    mergeCarveStats(total, chunk(0));
    expect(total.alerts).toHaveLength(MAX_ALERTS);
    expect(total.alerts[0]!.offset).toBe(0);
    expect(total.alerts.every((a) => a.offset < 1 << 20)).toBe(true);
    expect(total.carvers['x509']!.failures).toBe(2 * (MAX_ALERTS + 20));
  });

  it('a scan records the failure in report.json, prints nothing, and still finds the container', async () => {
    const c = makeContainer({ seed: 'fragile' });
    const img = new Uint8Array(1 << 20);
    let at = 64 * 1024;
    for (const name of ['header.key', 'primary.key', 'masks.key', 'name.key', 'primary2.key', 'masks2.key']) {
      img.set(c.files[name]!, at);
      at += 8192;
    }
    const crafted = 512 * 1024;
    img.set(craftedSector(), crafted);

    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const stderr = vi.spyOn(process.stderr, 'write');
    const out = join(t.dir, 'out');
    try {
      const { report } = await scan({ source: 'fragile.img', out, sourceOverride: new MemorySource(img), poolOverride: inProcessPool });
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
      expect(stderr).not.toHaveBeenCalled();
      expect(report.carverFailures).toEqual([{ carver: 'x509', offset: crafted, message: 'crafted input' }]);
      expect(report.stats.carvers['x509']).toMatchObject({ failures: 1 });
      expect(report.stats.carvers['header']).toMatchObject({ candidates: 1, failures: 0 });
      expect(report.containers.map((x) => x.status)).toEqual(['verified']);

      const written = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as typeof report;
      expect(written.carverFailures).toEqual(report.carverFailures);
      const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
      const ajv = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } })({ allErrors: true });
      const validate = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, '../../schema/report.schema.json'), 'utf8')) as object);
      expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
    } finally {
      warn.mockRestore();
      error.mockRestore();
      stderr.mockRestore();
    }
  });
});

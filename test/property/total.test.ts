// Every carver in the registry and every parser of bytes, on random, truncated, bit-flipped and
// length-lying input: no throw (only the parser's typed error), results inside the input, no
// allocation a lying length asks for, and time linear in the input (1 MiB costs at most 40× one of
// its 64 KiB pieces: linear is 16×, quadratic 256×). Seeded: KEYCARVE_PROPERTY_SEED=… reproduces a run.
import { classify } from '../../src/run/assemble-inputs.ts';
import { openHive } from '../../src/fs/regf/hive.ts';
import { containersInHive } from '../../src/fs/regf/index.ts';
import { emptyHive } from '../fs/regf/build.ts';
import { describe, expect, it, onTestFailed } from 'vitest';
import { CARVERS } from '../../src/carve/index.ts';
import type { Candidate, CandidateKind, Chunk } from '../../src/carve/types.ts';
import { parseCertificate, certificateDer } from '../../src/format/certificate.ts';
import { readBer, readHeader, readTlv, decodeOid } from '../../src/format/der.ts';
import { peekDeclared, peekTlv, readLength } from '../../src/format/der-peek.ts';
import { parseHeader, parseKeyValidity } from '../../src/format/header-key.ts';
import { salvageHeader } from '../../src/format/header-rebuild.ts';
import { identifyKeyFile } from '../../src/format/key-file-id.ts';
import { parseMasks } from '../../src/format/masks-key.ts';
import { parseName } from '../../src/format/name-key.ts';
import { checkPkcs12, parsePkcs12 } from '../../src/format/pkcs12.ts';
import { parsePrimary } from '../../src/format/primary-key.ts';
import { parseAlgorithmBlock } from '../../src/format/algorithms.ts';
import { analyseMedia, claimVolume } from '../../src/fs/index.ts';
import { findVolumes } from '../../src/fs/partitions.ts';
import { parseBootSector } from '../../src/fs/exfat/boot.ts';
import { parseFatBoot } from '../../src/fs/fat/boot.ts';
import { parseNtfsBoot } from '../../src/fs/ntfs/boot.ts';
import { indxEntries } from '../../src/fs/ntfs/indx.ts';
import { decodeRuns } from '../../src/fs/ntfs/runlist.ts';
import { classifyBoot } from '../../src/layout/boot-sector.ts';
import { parseDirectory, parseSetAt } from '../../src/layout/exfat-entry-set.ts';
import { parseDirEntries } from '../../src/layout/fat-dir-entry.ts';
import { applyFixups, parseAttributeList, parseFileName, parseRecord, parseStandardInformation } from '../../src/layout/ntfs-record.ts';
import { gptEntries, mbrEntries, parseGptHeader } from '../../src/layout/partition-table.ts';
import { buildAnchorTable, matchingCarvers } from '../../src/scan/anchor-table.ts';
import { carveChunk } from '../../src/scan/carve-chunk.ts';
import { MemorySource } from '../../src/source/memory.ts';
import type { CarverSpec } from '../../src/carve/types.ts';
import { seededRandom } from '../helpers/containers.ts';
import { parseRegExport } from '../../src/format/reg-export.ts';
import { regExportEvidence } from '../../src/fs/regf/reg-files.ts';
import { fileName } from '../fs/ntfs/util.ts';
import {
  CERT, CONTAINER, exfatDirSector, fatBoot, fatDirSector, FEEDERS, gptHeader, lieDer, lieLe, lieOuter, mbr, ntfsRecord, pfx, tlvHeaders,
} from './fixtures.ts';

const SEED = process.env.KEYCARVE_PROPERTY_SEED ?? 'keycarve-property';
const rnd = seededRandom(SEED);
const seeded = (what: string) => `${what} (seed ${SEED}; rerun with KEYCARVE_PROPERTY_SEED=${SEED})`;
const reportSeed = () => onTestFailed(() => console.error(seeded('property test failed')));
const hex = (b: Uint8Array) => Buffer.from(b.subarray(0, 24)).toString('hex');

// ---------------------------------------------------------------- inputs

const KiB = 1024;
/** Every mutation of one valid object: cuts at every k-th byte, flipped bytes, lying lengths. */
function mutations(obj: Uint8Array, der: boolean): { what: string; bytes: Uint8Array }[] {
  const out: { what: string; bytes: Uint8Array }[] = [];
  const step = Math.max(1, Math.floor(obj.length / 64));
  for (let n = 0; n < obj.length; n += step) out.push({ what: `cut at ${n}`, bytes: obj.subarray(0, n) });
  for (let i = 0; i < 64; i++) {
    const b = obj.slice();
    const at = rnd(4).reduce((a, x) => a * 256 + x, 0) % b.length;
    b[at]! ^= 1 << (rnd(1)[0]! & 7);
    out.push({ what: `bit flipped at ${at}`, bytes: b });
  }
  if (der) {
    for (const at of tlvHeaders(obj)) out.push({ what: `DER length at ${at} made maximal`, bytes: lieDer(obj, at) });
    out.push({ what: 'outer length 4 GiB', bytes: lieOuter(obj) });
  } else for (let at = 0; at + 4 <= obj.length; at += 2) out.push({ what: `0xFFFFFFFF at ${at}`, bytes: lieLe(obj, at) });
  return out;
}

const KINDS = Object.keys(FEEDERS) as CandidateKind[];
const OBJECTS = KINDS.flatMap((kind) => FEEDERS[kind].objects().map((bytes) => ({ kind, bytes, der: FEEDERS[kind].der })));
const MUTANTS = OBJECTS.flatMap((o) => mutations(o.bytes, o.der).map((m) => ({ ...m, what: `${o.kind}: ${m.what}` })));
const RANDOM = [0, 1, 2, 31, 512, 4 * KiB, 64 * KiB].map((n) => ({ what: `${n} random bytes`, bytes: rnd(n) }));

/** Valid objects tiled at sector starts up to `size` (every sector an anchor hit: the carvers' worst case). */
function tiled(objects: readonly Uint8Array[], size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let at = 0, i = 0; at < size; i++) {
    const o = objects[i % objects.length]!.subarray(0, size - at);
    b.set(o, at);
    at += Math.ceil(Math.max(o.length, 1) / 512) * 512;
  }
  return b;
}

// ---------------------------------------------------------------- carvers

const BASE = 1 << 20;
const chunkOf = (bytes: Uint8Array): Chunk => ({ base: BASE, bytes, page: bytes.length });
const maxLength = new Map(CARVERS.map((c) => [c.kind, c.maxLength]));

/** Runs the whole registry over `bytes` as the scan does; candidates must lie inside the chunk. */
function carveChecked(what: string, bytes: Uint8Array): Candidate[] {
  const r = carveChunk(chunkOf(bytes), CARVERS);
  expect(r.alerts, seeded(`${what}: a carver threw on ${hex(bytes)}…`)).toEqual([]);
  for (const c of r.candidates) {
    const at = c.offset - BASE;
    const where = seeded(`${what}: ${c.kind} at ${at}, ${c.bytes.length} bytes`);
    expect(at >= 0 && at < bytes.length && at + c.bytes.length <= bytes.length, where).toBe(true);
    expect(c.bytes.length, where).toBeLessThanOrEqual(maxLength.get(c.kind)!);
    if (c.truncated) expect(at + c.bytes.length, `${where}: truncated ends at the chunk's end`).toBe(bytes.length);
  }
  return r.candidates;
}

describe('property: every carver in the registry', () => {
  it('has a feeder for every registered carver, and the anchor table hands each feeder to its carver', () => {
    const missing = CARVERS.map((c) => c.kind).filter((k) => !(k in FEEDERS));
    expect(missing, 'add these kinds to FEEDERS in test/property/fixtures.ts').toEqual([]);
    expect(KINDS.filter((k) => !CARVERS.some((c) => c.kind === k)), 'feeders for carvers no longer registered').toEqual([]);
    const table = buildAnchorTable(CARVERS);
    const hits = new Set<CarverSpec>();
    for (const o of OBJECTS) {
      matchingCarvers(table, o.bytes, 0, hits);
      expect([...hits].map((c) => c.kind), `${o.kind} fixture ${hex(o.bytes)}`).toContain(o.kind);
    }
  });

  it('finds every valid object whole, at its offset', () => {
    for (const o of OBJECTS) {
      const found = carveChecked(`valid ${o.kind}`, o.bytes).filter((c) => c.kind === o.kind && c.offset === BASE);
      expect(found.length, `${o.kind} not carved from its own fixture`).toBe(1);
      expect(found[0]!.truncated, o.kind).toBeUndefined();
    }
  });

  it('random, cut, flipped and lying input: never throws, stays inside the chunk; a cut object is never reported whole', () => {
    reportSeed();
    for (const r of RANDOM) carveChecked(r.what, r.bytes);
    for (const o of OBJECTS) {
      for (const m of mutations(o.bytes, o.der)) {
        const found = carveChecked(`${o.kind}: ${m.what}`, m.bytes);
        if (!m.what.startsWith('cut') || !o.der) continue;
        const whole = found.filter((c) => c.kind === o.kind && c.offset === BASE && c.checks.includes('exact-length'));
        expect(whole.map((c) => c.bytes.length), seeded(`${o.kind} ${m.what} reported complete`)).toEqual([]);
      }
    }
  });
});

// ---------------------------------------------------------------- parsers

interface ParserCase {
  readonly run: (b: Uint8Array) => unknown;
  /** Inputs it must accept. */
  readonly valid: readonly Uint8Array[];
  /** Whether a result is an acceptance, when not the default (see accepted()). */
  readonly accepts?: (r: unknown) => boolean;
}

const fixedRecord = applyFixups(ntfsRecord(), 1024)!;
const gpt = parseGptHeader(gptHeader()) as Exclude<ReturnType<typeof parseGptHeader>, string | null>;
const DER_FILES = [CONTAINER['header.key']!, CONTAINER['masks.key']!, CONTAINER['primary.key']!, CONTAINER['name.key']!, CERT, pfx()];

const PARSERS: Record<string, ParserCase> = {
  parseHeader: { run: parseHeader, valid: [CONTAINER['header.key']!] },
  parseMasks: { run: parseMasks, valid: [CONTAINER['masks.key']!, CONTAINER['masks2.key']!] },
  parsePrimary: { run: parsePrimary, valid: [CONTAINER['primary.key']!, CONTAINER['primary2.key']!] },
  parseName: { run: parseName, valid: [CONTAINER['name.key']!] },
  parseCertificate: { run: parseCertificate, valid: [CERT] },
  certificateDer: { run: certificateDer, valid: [CERT] },
  parsePkcs12: { run: parsePkcs12, valid: [pfx()] },
  checkPkcs12: { run: (b) => checkPkcs12(b).info ?? checkPkcs12(b).checks, valid: [pfx()] },
  identifyKeyFile: { run: identifyKeyFile, valid: DER_FILES.slice(0, 4) },
  assembleClassify: { run: (bytes) => classify({ path: 'x', folder: '/', name: 'x', bytes }), valid: DER_FILES },
  salvageHeader: { run: salvageHeader, valid: [] },
  parseKeyValidity: { run: parseKeyValidity, valid: [] },
  parseAlgorithmBlock: { run: (b) => parseAlgorithmBlock(b, 0, b.length), valid: [] },
  readTlv: { run: (b) => readTlv(b, 0, null, b.length), valid: DER_FILES },
  readBer: { run: (b) => readBer(b, 0, null, b.length), valid: DER_FILES },
  readHeader: { run: (b) => readHeader(b, 0, b.length), valid: DER_FILES },
  readLength: { run: (b) => readLength(b, 1, b.length, false), valid: DER_FILES },
  peekTlv: { run: (b) => peekTlv(b, 0), valid: DER_FILES },
  peekDeclared: { run: (b) => peekDeclared(b, 0), valid: DER_FILES },
  decodeOid: { run: decodeOid, valid: [] },
  classifyBoot: { run: classifyBoot, valid: [fatBoot(), mbr(), gptHeader()], accepts: (r) => typeof r === 'string' },
  mbrEntries: { run: mbrEntries, valid: [mbr()] },
  parseGptHeader: { run: parseGptHeader, valid: [gptHeader()] },
  gptEntries: { run: (b) => gptEntries(b, gpt), valid: [] },
  parseDirEntries: { run: parseDirEntries, valid: [fatDirSector()] },
  parseSetAt: { run: (b) => parseSetAt(b, 0), valid: [exfatDirSector()] },
  parseDirectory: { run: parseDirectory, valid: [exfatDirSector()] },
  applyFixups: { run: (b) => applyFixups(b, 1024), valid: [ntfsRecord()] },
  parseRecord: { run: parseRecord, valid: [fixedRecord] },
  parseFileName: { run: parseFileName, valid: [fileName(5, 5, 'masks.key')] },
  parseStandardInformation: { run: parseStandardInformation, valid: [] },
  parseAttributeList: { run: parseAttributeList, valid: [] },
  parseFatBoot: { run: (b) => parseFatBoot(b, 0), valid: [fatBoot()] },
  parseExfatBoot: { run: parseBootSector, valid: [] },
  parseNtfsBoot: { run: parseNtfsBoot, valid: [] },
  claimVolume: { run: (b) => claimVolume(b, 0, []), valid: [fatBoot()] },
  decodeRuns: { run: (b) => decodeRuns(b, 0, 1 << 20, 1 << 24), valid: [] },
  indxEntries: { run: (b) => indxEntries(b, { num: 5, seq: 5, inUse: true }), valid: [] },
  openHive: { run: openHive, valid: [emptyHive()] },
  parseRegExport: { run: parseRegExport, valid: FEEDERS['reg-export'].objects() },
  regExportEvidence: { run: (b) => regExportEvidence(b, { at: 0, deleted: false, volumeOffset: 0 }), valid: FEEDERS['reg-export'].objects() },
  containersInHive: { run: (b) => containersInHive(b, { evidence: 'fat-entry', name: 'SOFTWARE', parentName: null, parentPath: null, folderKey: null, deleted: false, size: b.length, extents: [{ offset: 0, length: b.length }], confirmed: true, volumeOffset: 0 }), valid: [emptyHive()] },
};

/** A typed failure names its problem: Parsed / RecordResult / RunsResult carry `why`, readLength a `fault`. */
function checkResult(name: string, r: unknown, b: Uint8Array): void {
  const where = seeded(`${name} on ${b.length} bytes ${hex(b)}…`);
  if (typeof r === 'string') expect(r.length, `${where}: empty reason`).toBeGreaterThan(0);
  if (r === null || typeof r !== 'object' || !('ok' in r)) return;
  const p = r as { ok: boolean; why?: unknown; fault?: unknown; end?: unknown };
  if (!p.ok) expect(typeof (p.why ?? p.fault) === 'string' && String(p.why ?? p.fault).length > 0, `${where}: failure without a reason`).toBe(true);
  else if (typeof p.end === 'number') expect(p.end, `${where}: end past the input`).toBeLessThanOrEqual(b.length);
}

function accepted(r: unknown): boolean {
  if (r === null || r === undefined || typeof r === 'string') return false;
  if (Array.isArray(r)) return r.length > 0;
  if (typeof r === 'object' && 'ok' in r) return (r as { ok: boolean }).ok;
  return true;
}

function runChecked(name: string, p: ParserCase, b: Uint8Array): unknown {
  let r: unknown;
  try {
    r = p.run(b);
  } catch (e) {
    throw new Error(seeded(`${name} threw on ${b.length} bytes ${hex(b)}…: ${String(e)}`));
  }
  checkResult(name, r, b);
  return r;
}

describe('property: every parser of bytes', () => {
  for (const [name, p] of Object.entries(PARSERS))
    it(`${name}: accepts its valid inputs; random, cut, flipped and lying input give a result or a typed error`, () => {
      reportSeed();
      for (const v of p.valid) expect((p.accepts ?? accepted)(runChecked(name, p, v)), `${name} rejected its valid input ${hex(v)}…`).toBe(true);
      for (const r of RANDOM) runChecked(name, p, r.bytes);
      for (const m of MUTANTS) runChecked(name, p, m.bytes);
    });

  it('the file-system stage on random, tiled and mutated media never throws; volumes start inside the medium, problems are words', async () => {
    reportSeed();
    const media = [...RANDOM.map((r) => r.bytes), tiled(OBJECTS.map((o) => o.bytes), 256 * KiB), ...MUTANTS.filter((m) => /^boot/.test(m.what)).map((m) => tiled([m.bytes, fatDirSector()], 8 * KiB))];
    for (const bytes of media) {
      const src = new MemorySource(bytes);
      const where = seeded(`media of ${bytes.length} bytes ${hex(bytes)}…`);
      const candidates = carveChecked('media', bytes).map((c) => ({ ...c, offset: c.offset - BASE }));
      const v = await findVolumes(src.media());
      for (const x of v.volumes) expect(x.offset, where).toBeLessThan(Math.max(bytes.length, 1));
      const a = await analyseMedia(src.media(), candidates, { carvedVolumes: true });
      for (const x of a.volumes) expect(x.offset, where).toBeLessThan(Math.max(bytes.length, 1));
      for (const x of [...v.problems, ...a.problems]) expect(x.what, where).toMatch(/\w{3}/);
    }
  }, 60_000);
});

// ---------------------------------------------------------------- memory and time

describe('property: bounded memory and linear time', () => {
  const mem = () => process.memoryUsage().arrayBuffers;
  const LIMIT = 64 * 1024 * KiB;
  /** 1 KiB inputs whose lengths claim up to 4 GiB. */
  const LIES = MUTANTS.filter((m) => /4 GiB|maximal|0xFFFFFFFF/.test(m.what)).map((m) => ({ ...m, bytes: m.bytes.subarray(0, KiB) }));

  it('no allocation driven by a lying length (array buffers grow < 64 MiB per call)', () => {
    reportSeed();
    expect(LIES.length).toBeGreaterThan(100);
    for (const l of LIES) {
      let before = mem();
      carveChunk(chunkOf(l.bytes), CARVERS);
      expect(mem() - before, seeded(`carvers on ${l.what}`)).toBeLessThan(LIMIT);
      for (const [name, p] of Object.entries(PARSERS)) {
        before = mem();
        runChecked(name, p, l.bytes);
        expect(mem() - before, seeded(`${name} on ${l.what}`)).toBeLessThan(LIMIT);
      }
    }
  }, 300_000); // ~50 s alone on 2 cores (process.memoryUsage() reads /proc per call); >120 s seen under load

  /** Milliseconds for one call of `f`: the fastest of at least 5 calls and 10 ms, after a warm-up
   * call (GC pauses and not-yet-optimised code only ever add time). */
  function cost(f: () => unknown): number {
    f();
    let best = Infinity;
    const start = performance.now();
    for (let n = 0; n < 5 || performance.now() - start < 10; n++) {
      const t0 = performance.now();
      f();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  }

  const RATIO = 96; // 16× the bytes: linear costs 16×, quadratic 256×; slack for a loaded 2-core machine (a 620-test run once measured > 40 here)
  /** Cost of one 64 KiB piece (the mean over the 16 pieces of `large`: the same bytes, so the
   * same cache behaviour and the same early stops) and of the whole 1 MiB. */
  function costs(large: Uint8Array, f: (b: Uint8Array) => unknown): [number, number] {
    const pieces = Array.from({ length: 16 }, (_, i) => large.subarray(i * 64 * KiB, (i + 1) * 64 * KiB));
    return [
      cost(() => {
        for (const p of pieces) f(p);
      }) / 16,
      cost(() => f(large)),
    ];
  }
  const RANDOM_MIB = rnd(1024 * KiB);
  const inputs = (objects: readonly Uint8Array[]) => ({ random: RANDOM_MIB, tiled: tiled(objects.length ? objects : [new Uint8Array(1)], 1024 * KiB) });

  it('the carvers: 1 MiB of random or of tiled valid objects costs at most 40× a 64 KiB piece of it', () => {
    reportSeed();
    for (const [kind, large] of Object.entries(inputs(OBJECTS.map((o) => o.bytes)))) {
      const [a, b] = costs(large, (x) => carveChunk(chunkOf(x), CARVERS));
      expect(b / a, seeded(`carvers on ${kind} input: ${a.toFixed(3)} ms for 64 KiB, ${b.toFixed(3)} ms for 1 MiB`)).toBeLessThan(RATIO);
    }
  }, 60_000);

  it('every parser: 1 MiB costs at most 40× a 64 KiB piece of it', () => {
    reportSeed();
    const slow: string[] = [];
    for (const [name, p] of Object.entries(PARSERS))
      for (const [kind, large] of Object.entries(inputs(p.valid))) {
        const [a, b] = costs(large, p.run);
        if (b / a >= RATIO) slow.push(`${name} on ${kind}: ${a.toFixed(4)} ms for 64 KiB, ${b.toFixed(4)} ms for 1 MiB`);
      }
    expect(slow, seeded('superlinear parsers')).toEqual([]);
  }, 120_000);
});

/**
 * Imports point down the pipeline only. The folders of src/, top to bottom:
 *
 *   cli → run, image → output → reassemble → fs → scan → carve → layout → source → format → crypto
 *
 * and what each may import besides itself (an entry "x" is any file of x/, "x/types.ts" that one
 * file — a stage's data types, not its code):
 *
 * | folder     | may import                                                                   |
 * |------------|------------------------------------------------------------------------------|
 * | cli        | run, image, output, reassemble, fs, scan, carve, layout, source, format, crypto, version, file-errors |
 * | run        | output, reassemble, fs, scan, carve, layout, source, format, crypto, version  |
 * | image      | output, source (the imaging engine: reads the device, output writes image and map) |
 * | output     | reassemble, fs/types.ts, carve/types.ts, source/types.ts, source/ddrescue-map.ts, format, crypto, file-errors |
 * | reassemble | fs/types.ts, carve/types.ts, source/types.ts, format, crypto                 |
 * | fs         | carve/types.ts, layout, source/types.ts, format, crypto                      |
 * | scan       | carve, layout, source, format, crypto, native                                |
 * | carve      | layout, format, crypto                                                       |
 * | layout     | format, crypto                                                               |
 * | source     | native                                                                       |
 * | format     | crypto                                                                       |
 * | crypto     | native                                                                       |
 * | version    | — (src/version.ts)                                                           |
 * | file-errors| — (src/file-errors.ts: errno → words, for cli, run and output)               |
 * | native     | — (src/native.ts: the lookup of the optional C addon, for source, scan, crypto) |
 *
 * `carve` and `fs` never import each other's code: what both read (8.3 entries, exFAT entry sets,
 * NTFS FILE records, boot sectors, little-endian fields) lives in `layout`, key-file identification
 * and names in `format`. EXCEPTIONS below are the known upward imports still to be removed; each
 * is named, and one that no longer occurs fails too, so the list only shrinks.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  cli: ['run', 'image', 'output', 'reassemble', 'fs', 'scan', 'carve', 'layout', 'source', 'format', 'crypto', 'version', 'file-errors'],
  run: ['output', 'reassemble', 'fs', 'scan', 'carve', 'layout', 'source', 'format', 'crypto', 'version', 'file-errors'],
  image: ['output', 'source'],
  output: ['reassemble', 'fs/types.ts', 'carve/types.ts', 'source/types.ts', 'source/ddrescue-map.ts', 'format', 'crypto', 'file-errors'],
  reassemble: ['fs/types.ts', 'carve/types.ts', 'source/types.ts', 'format', 'crypto'],
  fs: ['carve/types.ts', 'layout', 'source/types.ts', 'format', 'crypto'],
  scan: ['carve', 'layout', 'source', 'format', 'crypto', 'native'],
  carve: ['layout', 'format', 'crypto'],
  layout: ['format', 'crypto'],
  source: ['native'],
  format: ['crypto'],
  crypto: ['native'],
  version: [],
  'file-errors': [],
  native: [],
};

interface Exception {
  /** Importing file, relative to src/. */
  readonly file: string;
  /** The folder (or top-level module) it may still reach. */
  readonly to: string;
  readonly why: string;
}

const EXCEPTIONS: readonly Exception[] = [];

/** Folder under src/ of a path ("carve"), or the top-level module's name ("version"). */
function layerOf(path: string): string {
  const parts = relative(SRC, path).split('/');
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers of `import … from`, `export … from`, `import '…'` and `import('…')`. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*(['"])(\.{1,2}\/[^'"]+)\1/g)) out.push(m[2]!);
  return out;
}

function allowed(from: string, target: string): boolean {
  const to = layerOf(target);
  const within = relative(join(SRC, to), target);
  return (ALLOWED[from] ?? []).some((a) => a === to || a === `${to}/${within}`);
}

interface Edge {
  readonly file: string;
  readonly spec: string;
  readonly to: string;
}

function edges(): Edge[] {
  return sourceFiles(SRC).flatMap((f) =>
    specifiers(readFileSync(f, 'utf8')).map((spec) => ({ file: relative(SRC, f), spec, to: resolve(dirname(f), spec) })),
  );
}

describe('import direction', () => {
  const all = edges();

  it('parses the imports of src/', () => {
    // A parser that saw nothing would pass every rule.
    expect(all.length).toBeGreaterThan(200);
    expect(all.some((e) => e.file === 'carve/index.ts' && e.spec === './types.ts')).toBe(true);
  });

  it('knows every folder of src/', () => {
    const unknown = [...new Set(all.flatMap((e) => [layerOf(join(SRC, e.file)), layerOf(e.to)]))].filter((l) => !(l in ALLOWED));
    expect(unknown, 'add these folders to ALLOWED with what they may import').toEqual([]);
  });

  it('has no import up the pipeline', () => {
    const bad = all
      .filter((e) => !relative(SRC, e.to).startsWith('..'))
      .filter((e) => {
        const from = layerOf(join(SRC, e.file));
        const to = layerOf(e.to);
        if (from === to || allowed(from, e.to)) return false;
        return !EXCEPTIONS.some((x) => x.file === e.file && x.to === to);
      })
      .map((e) => `${e.file} imports '${e.spec}'`);
    expect(bad, 'upward or sideways imports (see the table at the top of this test)').toEqual([]);
  });

  it('imports nothing from outside src/', () => {
    expect(all.filter((e) => relative(SRC, e.to).startsWith('..')).map((e) => `${e.file} imports '${e.spec}'`)).toEqual([]);
  });

  it('lists only exceptions that still occur', () => {
    const stale = EXCEPTIONS.filter((x) => !all.some((e) => e.file === x.file && layerOf(e.to) === x.to && !allowed(layerOf(join(SRC, e.file)), e.to)));
    expect(stale.map((x) => `${x.file} → ${x.to}`), 'remove these from EXCEPTIONS').toEqual([]);
  });
});

// Test images built with the real tools (mkfs.vfat + mtools, sfdisk), plus small readers/helpers.
// Containers are made by the project's own writer (deterministic seeds), kept in memory and only
// ever written into temp images (staged next to the image, inside the test's own temp folder).
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, writeSync, ftruncateSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Candidate, CarverSpec } from '../../../src/carve/types.ts';
import type { FileEvidence, MediaReader } from '../../../src/fs/types.ts';
import type { Generation } from '../../../src/format/algorithms.ts';
import { makeCertificate } from '../../helpers/certificates.ts';
import { makeContainer, writeContainerDir } from '../../helpers/containers.ts';
import { requireTools } from '../../helpers/tools.ts';

/** What every FAT image recipe runs: mkfs.vfat and mtools. */
export const fatTools = requireTools('mkfs.vfat', 'mcopy', 'mmd', 'mdel', 'mdeltree');

type KeyFiles = Record<string, Uint8Array>;

/** A container like a real one: a certificate of `padding` characters in header.key, or none. */
function fixture(name: string, generation: Generation, padding: number | null, password?: string): KeyFiles {
  const key = makeContainer({ algorithm: generation, seed: name }).privateKey;
  const cert = padding === null ? undefined : makeCertificate({ generation, privateKey: key, subject: name, padding });
  return makeContainer({ algorithm: generation, seed: name, privateKey: key, name, ...(cert ? { certificate: cert } : {}), ...(password ? { password } : {}) }).files;
}

export const CONTAINERS = {
  g2001: fixture('g2001', 'gost2001', 560, '1'), // ~1 KiB header (certificate)
  srv: fixture('srv', 'gost2012-256', 1000), // ~1.4 KiB
  g512: fixture('g2012512', 'gost2012-512', 500, '1'), // ~1 KiB, 88-byte masks
  nopin: fixture('le-22951', 'gost2012-256', null), // ~110 bytes, no certificate
  test: fixture('test', 'gost2012-256', 450, '12345678'), // ~900 bytes
} as const;

export function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
}

export function tmp(prefix = 'kc-fat-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function fileReader(path: string): MediaReader & { close(): void } {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    size,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset >= size) return null;
      const n = Math.min(length, size - offset);
      const b = new Uint8Array(n);
      readSync(fd, b, 0, n, offset);
      return b;
    },
    close: () => closeSync(fd),
  };
}

export function patch(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

export function peekBytes(path: string, offset: number, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  const b = new Uint8Array(n);
  readSync(fd, b, 0, n, offset);
  closeSync(fd);
  return b;
}

export function sparse(path: string, size: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
}

/** mtools target for an image (with @@offset for partitions). */
export const mt = (img: string, offset = 0) => (offset ? `${img}@@${offset}` : img);

/** Copies a container's key files into the image at `dest`, staged in a folder beside the image. */
export function mcopyDir(img: string, files: KeyFiles, dest: string, offset = 0): void {
  try {
    run('mmd', ['-i', mt(img, offset), `::${dest}`]);
  } catch {
    // already there (the test made it earlier to steer cluster allocation)
  }
  const stage = mkdtempSync(join(dirname(img), 'stage-'));
  try {
    writeContainerDir(stage, files);
    const names = Object.keys(files).filter((f) => f.endsWith('.key')).sort(); // header first: allocation order matters for tests
    names.sort((a, b) => (a === 'header.key' ? -1 : b === 'header.key' ? 1 : a.localeCompare(b)));
    for (const f of names) run('mcopy', ['-D', 'o', '-i', mt(img, offset), join(stage, f), `::${dest}/${f}`]);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export function writeTempFile(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  const fd = openSync(p, 'w');
  writeSync(fd, bytes);
  closeSync(fd);
  return p;
}

/** Runs a carver over a whole image the way the scan does: every 512-byte sector whose anchor matches. */
export async function carveImage(reader: MediaReader, spec: CarverSpec, page = 1 << 20): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (let base = 0; base < reader.size; base += page) {
    const bytes = (await reader.read(base, page + spec.maxLength)) ?? new Uint8Array(0);
    const chunk = { base, bytes, page: Math.min(page, bytes.length) };
    for (let s = 0; s < chunk.page; s += 512) {
      const hit = spec.anchors.some((a) => a.bytes.every((x, i) => ((bytes[s + a.at + i] ?? -1) & (a.mask?.[i] ?? 0xff)) === (x & (a.mask?.[i] ?? 0xff))));
      if (hit) out.push(...spec.carve(chunk, s));
    }
  }
  return out;
}

export async function bytesOf(reader: MediaReader, f: FileEvidence): Promise<Uint8Array | null> {
  if (f.resident) return f.resident;
  if (!f.extents.length && f.size > 0) return null;
  const out = new Uint8Array(f.size);
  let at = 0;
  for (const x of f.extents) {
    const b = await reader.read(x.offset, x.length);
    if (!b) return null;
    out.set(b.subarray(0, Math.min(b.length, f.size - at)), at);
    at += x.length;
  }
  return at === f.size ? out : null;
}

export interface Expect {
  /** Folder name, or a pattern when its first letter is lost (8.3 entry, deleted, no long name). */
  folder: string | RegExp;
  files: Record<string, Uint8Array>;
}

/**
 * Every expected container must come back bit-exact, confirmed, all its files under one folder key
 * with the folder name. Returns a description of what failed (empty when all good).
 */
export async function checkContainers(reader: MediaReader, files: readonly FileEvidence[], expects: readonly Expect[]): Promise<string[]> {
  const fails: string[] = [];
  for (const ex of expects) {
    const mine = files.filter((f) => f.parentName !== null && (typeof ex.folder === 'string' ? f.parentName === ex.folder : ex.folder.test(f.parentName)));
    const keys = new Set(mine.map((f) => f.folderKey));
    if (!mine.length) fails.push(`${ex.folder}: folder not found`);
    else if (keys.size !== 1) fails.push(`${ex.folder}: ${keys.size} folder keys`);
    for (const [name, want] of Object.entries(ex.files)) {
      const f = mine.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (!f) {
        fails.push(`${ex.folder}/${name}: missing`);
        continue;
      }
      const got = await bytesOf(reader, f);
      if (!f.confirmed) fails.push(`${ex.folder}/${name}: not confirmed`);
      if (!got || Buffer.compare(Buffer.from(got), Buffer.from(want)) !== 0) fails.push(`${ex.folder}/${name}: bytes differ`);
    }
  }
  return fails;
}

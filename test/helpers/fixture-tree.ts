/**
 * A stand-in for ../shared/samples made by the project's own writer: the same relative folder
 * paths, containers of the same algorithms and similar header sizes (certificates padded to real
 * sizes, or none), so image scripts written against the sample layout run without the samples.
 */
import { join } from 'node:path';
import type { Generation } from '../../src/format/algorithms.ts';
import { makeCertificate } from './certificates.ts';
import { makeContainer, writeContainerDir } from './containers.ts';

interface Spec {
  readonly rel: string;
  readonly generation: Generation;
  readonly name: string;
  readonly padding: number | null;
  readonly password?: string;
  /** Also write the certificate next to the key files under this name. */
  readonly certFile?: string;
}

const SPECS: readonly Spec[] = [
  { rel: '91team_cryptopro/srv.000', generation: 'gost2012-256', name: 'srv', padding: 1000 },
  { rel: 'dbfun_cryptopro/bundle-cyrillic/obnokykb.000', generation: 'gost2012-256', name: 'тестовое название контейнера', padding: 700 },
  { rel: 'dbfun_cryptopro/bundle-no-pin/le-22951.000', generation: 'gost2012-256', name: 'le-22951', padding: null },
  { rel: 'kov-serg_get-cpcert/g2001.000', generation: 'gost2001', name: 'g2001', padding: 560, password: '1' },
  { rel: 'dbfun_cryptopro/bundle-pin/le-09650.000', generation: 'gost2012-256', name: 'le-09650', padding: null, password: '12345678' },
  { rel: 'waves-enterprise_cryptopro-sign/test.000', generation: 'gost2012-256', name: 'test', padding: 450, password: '12345678' },
  { rel: 'svkreml_ExtractPkey/00000000.000', generation: 'gost2012-256', name: '00000000-14bf-4902-b265-c9c6d9bb63a7', padding: 800, password: '123456', certFile: 'user.crt' },
  { rel: 'dbfun_cryptopro/bundle-cosign/e4ac4ef8.000', generation: 'gost2012-256', name: 'e4ac4ef8', padding: 600, password: '12345678' },
  { rel: 'kov-serg_get-cpcert/g2012512.000', generation: 'gost2012-512', name: 'g2012512', padding: 500, password: '1' },
];

/** The files of one container of the tree, by its relative folder (and its loose certificate). */
export function fixtureFiles(rel: string): Record<string, Uint8Array> {
  const s = SPECS.find((x) => x.rel === rel);
  if (!s) throw new Error(`no fixture container ${rel}`);
  const key = makeContainer({ algorithm: s.generation, seed: s.rel }).privateKey;
  const cert = s.padding === null ? undefined : makeCertificate({ generation: s.generation, privateKey: key, subject: s.name, padding: s.padding });
  const c = makeContainer({ algorithm: s.generation, seed: s.rel, privateKey: key, name: s.name, ...(cert ? { certificate: cert } : {}), ...(s.password ? { password: s.password } : {}) });
  return s.certFile && cert ? { ...c.files, [s.certFile]: cert } : c.files;
}

/** Writes the whole tree under `dir` (the caller's temp folder, which it removes) and returns it. */
export function writeFixtureTree(dir: string): string {
  for (const s of SPECS) writeContainerDir(join(dir, s.rel), fixtureFiles(s.rel));
  return dir;
}

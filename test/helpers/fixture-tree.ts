/**
 * A stand-in for ../shared/samples made by the project's own writer: the same relative folder
 * paths, containers of the same algorithms and similar header sizes (certificates padded to real
 * sizes, or none), so image scripts written against the sample layout run without the samples.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

let root: string | null = null;

/** Builds the tree once per process (removed at exit) and returns its root. */
export function fixtureTree(): string {
  if (root) return root;
  const dir = mkdtempSync(join(tmpdir(), 'keycarve-fixture-tree-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const s of SPECS) {
    const key = makeContainer({ algorithm: s.generation, seed: s.rel }).privateKey;
    const cert = s.padding === null ? undefined : makeCertificate({ generation: s.generation, privateKey: key, subject: s.name, padding: s.padding });
    const c = makeContainer({ algorithm: s.generation, seed: s.rel, privateKey: key, name: s.name, ...(cert ? { certificate: cert } : {}), ...(s.password ? { password: s.password } : {}) });
    const out = writeContainerDir(join(dir, s.rel), c.files);
    if (s.certFile && cert) writeFileSync(join(out, s.certFile), cert);
  }
  return (root = dir);
}

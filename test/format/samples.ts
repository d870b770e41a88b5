// Reads the shared public sample containers in place (never copied into the repo).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerFiles } from '../../src/format/container.ts';
import { HAVE_SAMPLES, SAMPLES_DIR } from '../helpers/samples-dir.ts';

export { eachSample, HAVE_SAMPLES, needSamples } from '../helpers/samples-dir.ts';
export const SAMPLES = SAMPLES_DIR;

export interface ManifestEntry {
  container: string;
  password: string;
  password_protected: boolean;
  algorithm_oid: string;
  curve_oid: string;
  digest_oid: string;
  container_name_raw_hex: string;
  primaryFP: string;
  hmacPassword: string | null;
  header_mac: string;
  mac_sbox: 'E-A' | 'E-Z';
  private_key_le_hex: string;
  header_has_certificate: boolean;
  header_kcc_attributes_bitstring: string;
  header_key_attributes_bitstring: string;
}

export const MANIFEST: ManifestEntry[] = HAVE_SAMPLES ? JSON.parse(readFileSync(join(SAMPLES, 'manifest.json'), 'utf8')) : [];

export function sampleFile(e: ManifestEntry, f: string): Uint8Array | undefined {
  const p = join(SAMPLES, e.container, f);
  return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
}

export function sampleFiles(e: ManifestEntry): ContainerFiles {
  return {
    header: sampleFile(e, 'header.key'),
    primary: sampleFile(e, 'primary.key'),
    masks: sampleFile(e, 'masks.key'),
    primary2: sampleFile(e, 'primary2.key'),
    masks2: sampleFile(e, 'masks2.key'),
    name: sampleFile(e, 'name.key'),
  };
}

/** Loose certificate shipped next to a sample container (.cer/.crt/.pem), if any. */
export function looseCert(e: ManifestEntry): Uint8Array | undefined {
  const dir = join(SAMPLES, e.container);
  const parent = join(dir, '..');
  for (const p of [join(dir, 'user.crt'), join(parent, 'certificate.cer'), join(parent, 'test.cer'), join(parent, 'certnew2.cer'), dir.replace(/\.000$/, '.pem')])
    if (existsSync(p) && p !== dir) return new Uint8Array(readFileSync(p));
  return undefined;
}

// A certificate file may hold several certificates (a PKCS#7 chain, a PEM with the CA's): the one
// that belongs to a container is the one its key or header fingerprint proves, never just the first.
import { verifyContainer, type ContainerFiles, type ContainerResult } from './container.ts';
import type { Tie } from './status.ts';

/**
 * The container checked against each certificate in turn: the first whose public key the unmasked
 * key matches, else the first the header fingerprint names; null when none is proven.
 */
export function verifyAgainstCertificates(files: ContainerFiles, passwords: readonly string[], certs: readonly Uint8Array[], tie: Tie | null): ContainerResult | null {
  let byFingerprint: ContainerResult | null = null;
  for (const c of certs) {
    const r = verifyContainer(files, passwords, c, tie);
    if (r.checks.some((x) => x.name === 'key-certificate' && x.ok)) return r;
    if (!byFingerprint && r.checks.some((x) => x.name === 'fp-certificate' && x.ok)) byFingerprint = r;
  }
  return byFingerprint;
}

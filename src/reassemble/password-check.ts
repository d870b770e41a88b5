/**
 * One password guess against one target (cryptopro-format.md §12). A container is tested with
 * verifyContainer itself: with header [2] that costs one CPKDF per byte form of the guess (the MAC
 * rejects a wrong one before any unmasking); without it the key is unmasked and matched against
 * the fingerprint or certificate. A hit is only a guess that *opened* the key, so the proof is the
 * status verifyContainer makes. A PFX is tested with its MacData.
 */
import { verifyContainer, type ContainerFiles, type ContainerResult } from '../format/container.ts';
import { parsePkcs12, type Pkcs12Info } from '../format/pkcs12.ts';
import { pkcs12MacProblem, pkcs12PasswordMatches } from '../format/pkcs12-mac.ts';

export type PasswordTarget = { readonly kind: 'container'; readonly files: ContainerFiles } | { readonly kind: 'pkcs12'; readonly bytes: Uint8Array };

/** A target ready to test guesses on (parsed once per worker). */
export interface Tester {
  /** True when `pw` opens the target. */
  test(pw: string): boolean;
}

/** Why guesses cannot be tested on `t` (one line for the user), or the tester. */
export function makeTester(t: PasswordTarget): Tester | string {
  if (t.kind === 'pkcs12') {
    const r = parsePkcs12(t.bytes);
    if (!r.ok) return `not a readable PKCS#12 file (malformed at byte ${r.at}: ${r.why})`;
    const problem = pkcs12MacProblem(r.value);
    if (problem) return problem;
    const info: Pkcs12Info = r.value;
    return { test: (pw) => pkcs12PasswordMatches(info, pw) };
  }
  const files = searchFiles(t.files);
  if (!files.primary || !files.masks) return 'the container has no primary.key and masks.key pair — a password opens the key in them';
  if (!files.header) return 'the container has no header.key, whose fingerprint proves a key — rebuild it from the certificate with fix-header first';
  return { test: (pw) => opens(verifyContainer(files, [pw], undefined, 'folder'), pw) };
}

/** The search uses the first pair only: a reserve copy would double the cost of every wrong guess. */
function searchFiles(f: ContainerFiles): ContainerFiles {
  return f.primary && f.masks ? { header: f.header, primary: f.primary, masks: f.masks, name: f.name } : f;
}

/** verifyContainer tries the empty password too: only `pw` itself (or '' when pw is '') counts. */
function opens(r: ContainerResult, pw: string): boolean {
  return r.opened && (r.passwordIndex === 0 || pw === '');
}

/** The proof for a found password: the full verification of the container with it. */
export function confirmContainer(files: ContainerFiles, pw: string, cert?: Uint8Array): ContainerResult {
  return verifyContainer(files, [pw], cert, 'folder');
}

/**
 * Pairs files that no folder ties together, by cryptography (format notes §5):
 *  - each header's password is found with its password MAC (header alone, no primary needed);
 *  - one KEK per masks file per password (the KDF is the expensive part);
 *  - every (primary, masks) pair that can be unmasked gives d; d·G's fingerprint is looked up among
 *    the headers' and certificates' fingerprints of that curve;
 *  - with no header at all, (primary, masks) and (primary2, masks2) pair by equal d.
 * Work is bounded: pairs are tried nearest-first on the medium and the scalar multiplications are
 * capped; a cut-off is reported, never silent.
 */
import { cpkdf, type KdfHash } from '../crypto/cpkdf.ts';
import { CURVES, fingerprint, type GostCurve } from '../crypto/curves.ts';
import { SBOX_CRYPTOPRO_A, SBOX_TC26_Z, type SBox } from '../crypto/gost28147.ts';
import { hex } from '../crypto/bytes.ts';
import { unmaskPrivateKey } from '../crypto/unmask.ts';
import { curveByOid } from '../crypto/curves.ts';
import { parseMasks, type MasksKey } from '../format/masks-key.ts';
import { keyCiphertexts, parsePrimary } from '../format/primary-key.ts';
import { checkPasswordMac, parseHeader, type HeaderKey } from '../format/header-key.ts';
import { passwordEncodings } from '../format/container.ts';
import type { KeyFile } from './key-files.ts';
import type { PasswordVariant } from './password-variants.ts';

export interface FpTarget {
  readonly fp: string; // hex of the 8-byte fingerprint
  readonly curve: GostCurve;
  readonly header: KeyFile | null;
  readonly certIndex: number | null;
  /** The header's second key ([11], format notes §11): its pair belongs in primary2/masks2. */
  readonly second: boolean;
}

export interface KeyPair {
  readonly primary: KeyFile;
  readonly masks: KeyFile;
  readonly password: PasswordVariant;
  readonly curve: GostCurve;
  /** Stable identity of the private key (curve + d) without exposing d in reports. */
  readonly keyId: string;
  readonly d: bigint;
}

export interface PairingResult {
  /** (primary, masks) pairs whose key matched a header or certificate fingerprint. */
  readonly matched: { pair: KeyPair; targets: readonly FpTarget[] }[];
  /** Pairs without a fingerprint match, grouped by equal key (reserve copies of one key). */
  readonly byKey: Map<string, KeyPair[]>;
  /** Password found for each header by its password MAC. */
  readonly headerPasswords: Map<number, PasswordVariant>;
  readonly work: { kdf: number; unmask: number; scalarMults: number; cutOff: boolean };
}

export interface PairingOptions {
  readonly maxScalarMults: number;
  readonly maxKdf: number;
}

const HASH_OF_SBOX = (s: SBox): KdfHash => (s === SBOX_CRYPTOPRO_A ? 'gost3411-94' : 'streebog256');

/** Distinct parameter sets by size (curves sharing q give the same d, so one is enough to unmask). */
function curvesOfSize(size: number): GostCurve[] {
  const seen = new Set<bigint>();
  return CURVES.filter((c) => c.size === size && !seen.has(c.q) && seen.add(c.q));
}

export function pairByCryptography(
  headers: readonly KeyFile[],
  masks: readonly KeyFile[],
  primaries: readonly KeyFile[],
  certs: readonly { fp: Uint8Array; curveOid: string }[],
  variants: readonly PasswordVariant[],
  opts: PairingOptions,
): PairingResult {
  const work = { kdf: 0, unmask: 0, scalarMults: 0, cutOff: false };
  const headerPasswords = new Map<number, PasswordVariant>();
  // Several headers may share one fingerprint: copies of a container hold the same key.
  const targets = new Map<string, FpTarget[]>();
  const addTarget = (k: string, t: FpTarget) => targets.set(k, [...(targets.get(k) ?? []), t]);
  const passwordsToTry = new Set<PasswordVariant>([variants[0]!]);

  for (const h of headers) {
    const p = parseHeader(h.bytes);
    if (!p.ok) continue;
    const hdr: HeaderKey = p.value;
    const curve = curveByOid(hdr.algorithm.curveOid);
    if (!curve) continue;
    addTarget(`${curve.q}:${hex(hdr.primaryFP)}`, { fp: hex(hdr.primaryFP), curve, header: h, certIndex: null, second: false });
    const curve2 = (hdr.secondaryAlgorithm && curveByOid(hdr.secondaryAlgorithm.curveOid)) || curve;
    if (hdr.secondaryFP) addTarget(`${curve2.q}:${hex(hdr.secondaryFP)}`, { fp: hex(hdr.secondaryFP), curve: curve2, header: h, certIndex: null, second: true });
    for (const v of variants) {
      if (work.kdf >= opts.maxKdf) {
        work.cutOff = true;
        break;
      }
      const encodings = v.text === '' ? [new Uint8Array(0)] : passwordEncodings(v.text);
      let found = false;
      for (const enc of encodings) {
        work.kdf++;
        const r = checkPasswordMac(hdr, enc);
        if (r.ok) found = true;
        if (!r.required) break; // no password MAC: only the empty password can open it
      }
      if (found) {
        headerPasswords.set(h.id, v);
        passwordsToTry.add(v);
        break;
      }
    }
  }
  certs.forEach((c, i) => {
    const curve = curveByOid(c.curveOid);
    if (curve) addTarget(`${curve.q}:${hex(c.fp)}`, { fp: hex(c.fp), curve, header: null, certIndex: i, second: false });
  });
  // Headerless media: the given passwords are all we have.
  if (headers.length === 0) for (const v of variants) passwordsToTry.add(v);

  interface KekEntry { readonly masks: KeyFile; readonly m: MasksKey; readonly sbox: SBox; readonly password: PasswordVariant; readonly kek: Uint8Array }
  const keks: KekEntry[] = [];
  for (const mf of masks) {
    const m = parseMasks(mf.bytes);
    if (!m.ok) continue;
    const sboxes = mf.ident.sbox === 'E-A' ? [SBOX_CRYPTOPRO_A] : mf.ident.sbox === 'E-Z' ? [SBOX_TC26_Z] : [SBOX_TC26_Z, SBOX_CRYPTOPRO_A];
    for (const sbox of sboxes)
      for (const v of passwordsToTry) {
        const encodings = v.text === '' ? [new Uint8Array(0)] : passwordEncodings(v.text);
        for (const enc of encodings) {
          if (work.kdf >= opts.maxKdf) {
            work.cutOff = true;
            continue;
          }
          work.kdf++;
          keks.push({ masks: mf, m: m.value, sbox, password: v, kek: cpkdf(enc, m.value.salt.subarray(0, 12), HASH_OF_SBOX(sbox)) });
        }
      }
  }

  const prims = primaries.flatMap((pf) => {
    const p = parsePrimary(pf.bytes);
    // A token-made primary.key holds two ciphertexts; each is tried, the one that matches wins.
    return p.ok ? keyCiphertexts(p.value).map((key) => ({ pf, key })) : [];
  });
  // Nearest first: a container's files usually sit in neighbouring clusters.
  const pairs = keks.flatMap((k) => prims.filter((p) => p.key.length === k.m.mask.length).map((p) => ({ k, p })));
  pairs.sort((a, b) => Math.abs(a.k.masks.offset - a.p.pf.offset) - Math.abs(b.k.masks.offset - b.p.pf.offset));

  const matched: PairingResult['matched'] = [];
  const byKey = new Map<string, KeyPair[]>();
  const matchedPrimary = new Set<number>();
  const targetQs = new Set([...targets.values()].flat().map((t) => t.curve.q));
  // A primary or masks file belongs to one container: once it matched, its other pairs are skipped.
  const done = new Set<KeyFile>();
  for (const { k, p } of pairs) {
    if (done.has(p.pf) || done.has(k.masks)) continue;
    for (const curve of curvesOfSize(k.m.mask.length)) {
      work.unmask++;
      const d = unmaskPrivateKey(curve, k.kek, p.key, k.m.mask, k.sbox);
      if (d === null) continue;
      const keyId = keyIdentity(curve, d);
      const pair: KeyPair = { primary: p.pf, masks: k.masks, password: k.password, curve, keyId, d };
      if (targetQs.has(curve.q) && !matchedPrimary.has(p.pf.id * 1e6 + k.masks.id)) {
        if (work.scalarMults >= opts.maxScalarMults) {
          work.cutOff = true;
        } else {
          work.scalarMults++;
          const t = targets.get(`${curve.q}:${hex(fingerprint(curve, d))}`);
          if (t) {
            matched.push({ pair, targets: t });
            matchedPrimary.add(p.pf.id * 1e6 + k.masks.id);
            done.add(p.pf).add(k.masks);
            break;
          }
        }
      }
      const list = byKey.get(keyId) ?? [];
      list.push(pair);
      byKey.set(keyId, list);
    }
  }
  // Only equal-key groups of two or more distinct pairs mean anything (a random d repeats never).
  for (const [id, list] of byKey) if (new Set(list.map((x) => x.primary.id)).size < 2) byKey.delete(id);
  return { matched, byKey, headerPasswords, work };
}

/** In-memory identity of a private key (equal keys, equal ids); never written to the report. */
export function keyIdentity(curve: GostCurve, d: bigint): string {
  return `${curve.q.toString(36)}:${d.toString(36)}`;
}

/**
 * Password candidates for `keycarve password` (cryptopro-format.md §12), lazily: a mask's space is
 * walked like an odometer, never listed. Order: the empty password, the built-in likely list, the
 * user's --candidate values, each --wordlist line, each --mask; every one followed by its variants.
 * Duplicates are dropped within a bounded window (variants of one base, and near neighbours) —
 * never with a set of the whole space.
 */
import { invertCaps, otherLayout } from './password-variants.ts';

/**
 * What people type when asked for "the password" and did not choose one (§11, §12): the token
 * default PINs (Rutoken/ESMART 12345678, Rutoken admin 87654321, JaCarta/eToken 1234567890,
 * JaCarta PKI 11111111 and admin 00000000), the runs installers suggest (0000…, 1234… of the
 * lengths CSP and tokens ask for: 4, 6, 8), the NCA test password Qwerty12 (§9) and the keyboard
 * runs qwerty/йцукен is the same key row of. Short on purpose: every scan tries it on every
 * locked container, one CPKDF (~16 ms) each.
 */
export const LIKELY_PASSWORDS: readonly string[] = [
  '12345678', '1234567890', '87654321', '11111111', '00000000',
  '0000', '000000', '1234', '123456', '1', 'qwerty', 'Qwerty12', 'password',
];

export type VariantKind = 'layout' | 'caps' | 'case';
export const VARIANT_KINDS: readonly VariantKind[] = ['layout', 'caps', 'case'];

/** First letter capitalised, the rest as typed. */
export function capitaliseFirst(s: string): string {
  const [first = '', ...rest] = s;
  return first.toUpperCase() + rest.join('');
}

/** `pw` and its variants (the other layout, Caps Lock inverted, both; first letter capitalised), unique. */
export function variantsOf(pw: string, kinds: readonly VariantKind[]): string[] {
  const out = [pw];
  if (kinds.includes('layout')) out.push(otherLayout(pw));
  if (kinds.includes('caps')) for (const s of [...out]) out.push(invertCaps(s));
  if (kinds.includes('case')) for (const s of [...out]) out.push(capitaliseFirst(s));
  return [...new Set(out)];
}

/** Upper bound of variants per base candidate, for a total. */
export function variantFactor(kinds: readonly VariantKind[]): number {
  return (kinds.includes('layout') ? 2 : 1) * (kinds.includes('caps') ? 2 : 1) * (kinds.includes('case') ? 2 : 1);
}

// --- masks (hashcat syntax, with Cyrillic classes)

const range = (a: string, z: string): string => {
  let s = '';
  for (let c = a.charCodeAt(0); c <= z.charCodeAt(0); c++) s += String.fromCharCode(c);
  return s;
};
const CLASSES: Record<string, string> = {
  l: range('a', 'z'),
  u: range('A', 'Z'),
  d: range('0', '9'),
  s: " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  r: range('а', 'я') + 'ё',
  R: range('А', 'Я') + 'Ё',
};
CLASSES.a = CLASSES.l! + CLASSES.u! + CLASSES.d! + CLASSES.s!;

/** Thrown for a mask or custom set the syntax does not allow; the message is for the user. */
export class MaskError extends Error {}

/** A custom set (`--custom1 '?d?l-_'`): classes and literals, unique characters. */
export function parseCharset(text: string, custom: readonly string[] = []): string {
  return [...new Set(expand(text, custom, 'set').join(''))].join('');
}

/** A mask → one character set per position. */
export function parseMask(mask: string, custom: readonly string[] = []): string[][] {
  if (mask.length === 0) throw new MaskError('empty mask — give e.g. ?d?d?d?d or Ivanov?d?d?d?d');
  return expand(mask, custom, 'mask').map((set) => [...new Set(set)]);
}

function expand(text: string, custom: readonly string[], what: 'mask' | 'set'): string[] {
  const out: string[] = [];
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch !== '?') {
      out.push(ch);
      continue;
    }
    const k = chars[++i];
    if (k === undefined) throw new MaskError(`${what} ${text} ends with a lone ? — write ?? for a literal question mark`);
    if (k === '?') out.push('?');
    else if (CLASSES[k]) out.push(CLASSES[k]!);
    else if (/^[1-4]$/.test(k) && what === 'mask') {
      const set = custom[Number(k) - 1];
      if (!set) throw new MaskError(`mask ${text} uses ?${k} but --custom${k} is not given`);
      out.push(set);
    } else throw new MaskError(`${what} ${text}: unknown class ?${k} — use ?l ?u ?d ?s ?a ?r ?R ?1…?4 or ??`);
  }
  return out;
}

/** Number of candidates a mask yields (a bigint: ?a×12 does not fit a double exactly). */
export function maskSize(sets: readonly (readonly string[])[]): bigint {
  return sets.reduce((n, s) => n * BigInt(s.length), 1n);
}

/** The mask's candidates, the last position changing fastest. */
export function* maskCandidates(sets: readonly (readonly string[])[]): Generator<string> {
  const idx = new Array<number>(sets.length).fill(0);
  for (;;) {
    yield idx.map((k, p) => sets[p]![k]).join('');
    let p = sets.length - 1;
    while (p >= 0 && ++idx[p]! === sets[p]!.length) idx[p--] = 0;
    if (p < 0) return;
  }
}

// --- the whole stream

export interface CandidateSpec {
  readonly likely: boolean;
  readonly candidates: readonly string[];
  /** Lines of each wordlist, already decoded. */
  readonly wordlists: readonly (readonly string[])[];
  readonly masks: readonly (readonly (readonly string[])[])[];
  readonly variants: readonly VariantKind[];
}

/** Upper bound of the stream's length (before duplicates are dropped). */
export function candidateTotal(spec: CandidateSpec): bigint {
  const words = (spec.likely ? LIKELY_PASSWORDS.length : 0) + spec.candidates.length + spec.wordlists.reduce((n, w) => n + w.length, 0);
  const masks = spec.masks.reduce((n, m) => n + maskSize(m), 0n);
  return 1n + (BigInt(words) + masks) * BigInt(variantFactor(spec.variants));
}

function* bases(spec: CandidateSpec): Generator<string> {
  if (spec.likely) yield* LIKELY_PASSWORDS;
  yield* spec.candidates;
  for (const w of spec.wordlists) yield* w;
  for (const m of spec.masks) yield* maskCandidates(m);
}

/** Remembers the last `size` strings: a bounded stand-in for a set of everything seen. */
export class RecentWindow {
  private readonly ring: (string | undefined)[];
  private readonly set = new Set<string>();
  private at = 0;
  constructor(readonly size = 1 << 16) {
    this.ring = new Array<string | undefined>(size);
  }
  /** True when `s` was not among the recent ones (and remembers it). */
  add(s: string): boolean {
    if (this.set.has(s)) return false;
    const old = this.ring[this.at];
    if (old !== undefined) this.set.delete(old);
    this.ring[this.at] = s;
    this.at = (this.at + 1) % this.size;
    this.set.add(s);
    return true;
  }
}

/** Every candidate in order, the empty password first; duplicates within the window dropped. */
export function* candidateStream(spec: CandidateSpec, window = new RecentWindow()): Generator<string> {
  window.add('');
  yield '';
  for (const base of bases(spec)) for (const v of variantsOf(base, spec.variants)) if (window.add(v)) yield v;
}

/**
 * The password variants banks' support guides tell users to try by hand: as typed, typed in the
 * other keyboard layout (Russian ЙЦУКЕН ↔ English QWERTY, the same physical keys), with Caps Lock
 * inverted, and both. Variants that equal an earlier one are dropped.
 */
export type VariantName = 'as-typed' | 'other-layout' | 'caps-inverted' | 'other-layout+caps-inverted' | 'likely';

export interface PasswordVariant {
  /** Index of the password the user gave (the report names this, never the password); for 'likely', of the built-in list. */
  readonly index: number;
  readonly variant: VariantName;
  readonly text: string;
}

// Physical keys, unshifted and shifted, in the US and Russian (ЙЦУКЕН) layouts.
const EN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./~QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?@#$^&";
const RU = 'ёйцукенгшщзхъфывапролджэячсмитьбю.ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"№;:?';
const toRu = new Map<string, string>();
const toEn = new Map<string, string>();
for (let i = 0; i < EN.length; i++) {
  toRu.set(EN[i]!, RU[i]!);
  toEn.set(RU[i]!, EN[i]!);
}

/** Each character as the other layout types it on the same key (Cyrillic → Latin, Latin → Cyrillic). */
export function otherLayout(s: string): string {
  let out = '';
  for (const ch of s) {
    if (/[а-яё]/i.test(ch)) out += toEn.get(ch) ?? ch;
    else out += toRu.get(ch) ?? ch;
  }
  return out;
}

export function invertCaps(s: string): string {
  let out = '';
  for (const ch of s) {
    const up = ch.toUpperCase();
    out += ch === up ? ch.toLowerCase() : up;
  }
  return out;
}

/**
 * The empty password first (index -1), then every given password with its variants, then the
 * `likely` ones as they are (password-candidates.ts LIKELY_PASSWORDS; the scan tries them on
 * every locked container: one KDF each against header [2]).
 */
export function passwordVariants(passwords: readonly string[], likely: readonly string[] = []): PasswordVariant[] {
  const out: PasswordVariant[] = [{ index: -1, variant: 'as-typed', text: '' }];
  const seen = new Set<string>(['']);
  passwords.forEach((pw, index) => {
    const cands: [VariantName, string][] = [
      ['as-typed', pw],
      ['other-layout', otherLayout(pw)],
      ['caps-inverted', invertCaps(pw)],
      ['other-layout+caps-inverted', invertCaps(otherLayout(pw))],
    ];
    for (const [variant, text] of cands) {
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ index, variant, text });
    }
  });
  likely.forEach((text, index) => {
    if (seen.has(text)) return;
    seen.add(text);
    out.push({ index, variant: 'likely', text });
  });
  return out;
}

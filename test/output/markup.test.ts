/**
 * escapeMarkup, fast path (a string with nothing to escape comes back as it is) and loop alike,
 * on random text of every kind of character it treats: the five specials, controls, DEL, lone and
 * paired surrogates, U+FFFE/U+FFFF, Cyrillic — each piece against its expected escape.
 */
import { expect, it } from 'vitest';
import { escapeMarkup } from '../../src/output/markup.ts';

/** Each piece and what it must become: literal expectations, not a copy of the code. */
const PIECES: [string, string][] = [
  ['a', 'a'], ['Я', 'Я'], [' ', ' '], ['\t', '\t'], ['\n', '\n'], ['\r', '\r'], ['/', '/'], ['\x80', '\x80'], ['\ufffd', '\ufffd'],
  ['&', '&amp;'], ['<', '&lt;'], ['>', '&gt;'], ['"', '&quot;'], ["'", '&#39;'],
  ['\x00', '\\x00'], ['\x1f', '\\x1f'], ['\x7f', '\\x7f'],
  ['\ud83d\ude00', '\ud83d\ude00'], ['\ufffe', '\\ufffe'], ['\uffff', '\\uffff'],
  ['\ud83d', '\\ud83d'], ['\ude00', '\\ude00'],
];
const lone = (p: string) => p.length === 1 && p >= '\ud800' && p <= '\udfff';

it('escapes each kind of character as expected, with or without anything to escape', () => {
  let seed = 11;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let k = 0; k < 2000; k++) {
    const picked = Array.from({ length: rnd(12) }, () => PIECES[rnd(PIECES.length)]!);
    // Two lone surrogates side by side may make a pair: keep them apart.
    const pieces = picked.flatMap((p, i) => (i > 0 && lone(p[0]) && lone(picked[i - 1]![0]) ? [PIECES[0]!, p] : [p]));
    expect(escapeMarkup(pieces.map((p) => p[0]).join(''))).toBe(pieces.map((p) => p[1]).join(''));
  }
  expect(escapeMarkup('/Клиенты/abcdefgh.000/header.key')).toBe('/Клиенты/abcdefgh.000/header.key');
  expect(escapeMarkup('a\ud83d')).toBe('a\\ud83d');
});

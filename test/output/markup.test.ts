/**
 * escapeMarkup's fast path (a string with nothing to escape comes back as it is) gives what the
 * character loop gives, on text with every kind of character it treats: the five specials,
 * controls, DEL, lone and paired surrogates, U+FFFE/U+FFFF, Cyrillic.
 */
import { expect, it } from 'vitest';
import { escapeMarkup } from '../../src/output/markup.ts';

/** The loop alone, as it was before the fast path. */
function loop(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&#39;';
    else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

const PIECES = ['a', 'Я', ' ', '\t', '\n', '\r', '&', '<', '>', '"', "'", '\x00', '\x1f', '\x7f', '\x80', '\ud83d\ude00', '\ud83d', '\ude00', '\ufffe', '\uffff', '\ufffd', '/'];

it('escapes as the character loop does, with or without anything to escape', () => {
  let seed = 11;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let k = 0; k < 2000; k++) {
    const s = Array.from({ length: rnd(12) }, () => PIECES[rnd(PIECES.length)]).join('');
    expect(escapeMarkup(s)).toBe(loop(s));
  }
  expect(escapeMarkup('/Клиенты/abcdefgh.000/header.key')).toBe('/Клиенты/abcdefgh.000/header.key');
  expect(escapeMarkup('a\ud83d')).toBe('a\\ud83d');
});

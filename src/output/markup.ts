/** What the loop below changes; with the u flag a surrogate pair is one code point, so only lone surrogates match. */
const NEEDS_ESCAPE = /[&<>"'\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]/u;

/** Text for XML and HTML: the five special characters escaped, and what XML 1.0 cannot carry at all
 * (control characters, lone surrogates, U+FFFE/U+FFFF) shown as \xNN / \uNNNN so a name stays readable. */
export function escapeMarkup(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s; // most text: one regex test instead of a loop per character
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

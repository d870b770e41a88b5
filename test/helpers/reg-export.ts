// .reg exports of containers as regedit and scripts write them (docs/registry.md §7): version 5.00
// in UTF-16LE with a BOM and regedit's ~80-column `,\` continuations, or REGEDIT4 in cp1251 with
// one long line per value and 1-digit bytes where a script does not pad them.
import { encodeCp1251 } from '../../src/format/name-key.ts';

export interface RegKey {
  /** Full key path, e.g. HKEY_LOCAL_MACHINE\SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users\<SID>\Keys\<name>. */
  readonly path: string;
  readonly values: Record<string, Uint8Array>;
}

/** regedit's wrapping: the first line holds the name, then lines of 25 bytes indented by two spaces. */
function wrapped(name: string, b: Uint8Array): string {
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0'));
  let line = `"${name}"=hex:`;
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i++) {
    const piece = hex[i]! + (i + 1 < hex.length ? ',' : '');
    if (line.length + piece.length > 77) lines.push(line + '\\'), (line = '  ');
    line += piece;
  }
  return [...lines, line].join('\r\n');
}

const oneLine = (name: string, b: Uint8Array) => `"${name}"=hex:${[...b].map((x) => x.toString(16)).join(',')}`;

/** The text of a .reg file holding `keys` (and an unrelated key before them, as real exports have). */
export function regText(keys: readonly RegKey[], style: '5.00' | 'REGEDIT4'): string {
  const head = style === '5.00' ? 'Windows Registry Editor Version 5.00' : 'REGEDIT4';
  const parts = [head, '', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Crypto Pro\\Settings]', '"version"="5.0.12000"', ''];
  for (const k of keys) {
    parts.push(`[${k.path}]`);
    for (const [name, b] of Object.entries(k.values)) parts.push(style === '5.00' ? wrapped(name, b) : oneLine(name, b));
    parts.push('');
  }
  return parts.join('\r\n') + '\r\n';
}

/** The file's bytes: UTF-16LE with a BOM for 5.00 (regedit), cp1251 for REGEDIT4. */
export function regFile(keys: readonly RegKey[], style: '5.00' | 'REGEDIT4'): Uint8Array {
  const text = regText(keys, style);
  if (style === '5.00') return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  const b = encodeCp1251(text);
  if (!b) throw new Error('REGEDIT4 text with a character cp1251 cannot hold');
  return b;
}

// The .reg parser (docs/registry.md §7) on exports written like regedit and scripts write them, and
// on hostile text: huge lines, sections left open, odd bytes, 100k sections — bounded, with problems.
import { describe, expect, it } from 'vitest';
import { encodeCp1251 } from '../../src/format/name-key.ts';
import { MAX_REG_BYTES, parseRegExport, regHeaderAt, type RegExport } from '../../src/format/reg-export.ts';
import { makeContainer } from '../helpers/containers.ts';
import { regFile, regText } from '../helpers/reg-export.ts';

const c = makeContainer({ seed: 'reg-parse', name: 'Контейнер' });
const KEYS = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Crypto Pro\\Settings\\Users\\S-1-5-21-7-8-9-1001\\Keys';
const ansi = (s: string) => encodeCp1251(s)!;
const utf16 = (s: string) => new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]));
const parse = (b: Uint8Array): RegExport => {
  const r = parseRegExport(b);
  if (!r) throw new Error('no .reg');
  return r;
};
const hexOf = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(',');

describe('.reg exports as regedit and scripts write them', () => {
  it('5.00 in UTF-16LE with wrapped lines and REGEDIT4 in cp1251 with 1-digit bytes give the six files byte for byte', () => {
    for (const style of ['5.00', 'REGEDIT4'] as const) {
      const r = parse(regFile([{ path: `${KEYS}\\Контейнер`, values: c.files }], style));
      expect(r.header).toEqual({ version: style, encoding: style === '5.00' ? 'utf16le' : 'cp1251' });
      expect(r.problems).toEqual([]);
      expect(r.keys).toHaveLength(1);
      expect(r.keys[0]).toMatchObject({ name: 'Контейнер', sid: 'S-1-5-21-7-8-9-1001', path: `HKLM\\SOFTWARE\\WOW6432Node\\Crypto Pro\\Settings\\Users\\S-1-5-21-7-8-9-1001\\Keys\\Контейнер` });
      for (const [n, b] of Object.entries(c.files)) expect(Buffer.from(r.keys[0]!.values.get(n as never)!).equals(Buffer.from(b)), `${style} ${n}`).toBe(true);
    }
    expect(regText([{ path: `${KEYS}\\x`, values: { 'masks.key': Uint8Array.of(3, 0xe0) } }], 'REGEDIT4')).toContain('=hex:3,e0'); // the 1-digit form is what was parsed
  });

  it('both stores, with and without WOW6432Node, any case, HKLM short; other keys and deletions ignored', () => {
    const v = `"masks.key"=hex:${hexOf(c.files['masks.key']!)}`;
    const text = [
      'Windows Registry Editor Version 5.00', '',
      '[hkey_local_machine\\software\\wow6432node\\crypto pro\\settings\\users\\S-1-5-18\\keys\\lower]', v, '',
      '[HKLM\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\machine]', '"MASKS.KEY" = hex:' + hexOf(c.files['masks.key']!), '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\machine\\sub]', v, '',
      '[HKEY_CURRENT_USER\\Software\\Crypto Pro\\Settings\\Keys\\hkcu]', v, '',
      '[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\removed]', v, '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Crypto Pro\\Settings\\Keys\\typed]', `"masks.key"=hex(3):${hexOf(c.files['masks.key']!)}`, '"other"=dword:00000001', '',
    ].join('\r\n');
    const r = parse(utf16(text));
    expect(r.keys.map((k) => [k.name, k.sid])).toEqual([['lower', 'S-1-5-18'], ['machine', null], ['typed', null]]);
    expect(r.problems).toEqual([]);
  });

  it('a value of the wrong type or with a bad byte is skipped with a problem; the rest of the key is kept', () => {
    const text = ['REGEDIT4', '', `[${KEYS}\\k]`, '"header.key"="not binary"', '"masks.key"=hex(7):00,00', '"primary.key"=hex:30,abc,01', '"name.key"=hex:30,\\', ' zz', `"primary2.key"=hex:${hexOf(c.files['primary2.key']!)}`].join('\n');
    const r = parse(ansi(text));
    expect([...r.keys[0]!.values.keys()]).toEqual(['primary2.key']);
    expect(r.problems.join('\n')).toMatch(/header\.key is not binary/);
    expect(r.problems.join('\n')).toMatch(/masks\.key is not binary/);
    expect(r.problems.join('\n')).toMatch(/primary\.key: byte 2 is "abc"/);
    expect(r.problems.join('\n')).toMatch(/name\.key: byte 2 is "zz"/);
  });

  it('a 6 KB single line is read whole', () => {
    const big = new Uint8Array(2048).map((_, i) => i * 7);
    const r = parse(ansi(`REGEDIT4\r\n\r\n[${KEYS}\\big]\r\n"header.key"=hex:${hexOf(big)}\r\n`));
    expect(Buffer.from(r.keys[0]!.values.get('header.key')!).equals(Buffer.from(big))).toBe(true);
  });

  it('not a .reg: other text, a header without its line end, nothing', () => {
    expect(parseRegExport(ansi('REGEDIT4x\r\n'))).toBeNull();
    expect(parseRegExport(ansi('Windows Registry Editor Version 5.01\r\n'))).toBeNull();
    expect(parseRegExport(new Uint8Array(0))).toBeNull();
    expect(regHeaderAt(Uint8Array.of(0xff, 0xfe, 0x52))).toBeNull();
    expect(regHeaderAt(new Uint8Array([0xef, 0xbb, 0xbf, ...ansi('REGEDIT4\n')]))).toEqual({ version: 'REGEDIT4', encoding: 'utf8' });
  });
});

describe('hostile .reg text: bounded, problems recorded, never a throw', () => {
  const v = `"masks.key"=hex:${hexOf(c.files['masks.key']!)}`;
  it('a huge line (1 MiB, no line end) and a huge continued value are skipped; the key after them is read', () => {
    const huge = 'x'.repeat(1 << 20);
    const cont = Array.from({ length: 20_000 }, () => '  00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,\\').join('\n');
    const r = parse(ansi(['REGEDIT4', huge, `[${KEYS}\\a]`, `"header.key"=hex:30,\\`, cont, '  00', `[${KEYS}\\b]`, v].join('\n')));
    expect(r.problems.filter((p) => /longer than/.test(p))).toHaveLength(2);
    expect(r.keys.map((k) => k.name)).toEqual(['b']);
  });

  it('a section header never closed, a continuation at the end of the text', () => {
    const r = parse(ansi(['REGEDIT4', `[${KEYS}\\open`, v, `[${KEYS}\\last]`, '"masks.key"=hex:01,\\'].join('\n')));
    expect(r.problems.join('\n')).toMatch(/line 2: section header without "\]"/);
    expect(r.keys.map((k) => [k.name, [...k.values.values()].map((b) => b.length)])).toEqual([['last', [1]]]); // the open section's value goes nowhere; the last line's \ is dropped
  });

  it('100k sections: container keys capped, other keys cost nothing, problems capped', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => `[${KEYS}\\k${i}]\n${i % 2 ? v : '"masks.key"=hex:zz'}`).join('\n');
    const r = parse(ansi(`REGEDIT4\n${many}`));
    expect(r.keys.length).toBeLessThanOrEqual(4096);
    expect(r.problems.length).toBe(51);
    expect(r.problems.at(-1)).toBe('further problems not listed');
    const other = Array.from({ length: 100_000 }, (_, i) => `[HKEY_CURRENT_USER\\S\\${i}]\n@=hex:0`).join('\n');
    expect(parse(ansi(`REGEDIT4\n${other}`))).toMatchObject({ keys: [], problems: [] });
  });

  it('text is cut at its first NUL (UTF-16LE: a NUL code unit, odd length tolerated) and at MAX_REG_BYTES', () => {
    const t16 = utf16(`Windows Registry Editor Version 5.00\r\n\r\n[${KEYS}\\a]\r\n${v}\r\n`);
    const withTail = new Uint8Array([...t16, 0, 0, ...utf16(`[${KEYS}\\b]\r\n${v}\r\n`).subarray(2), 0x41]);
    expect(parse(withTail).keys.map((k) => k.name)).toEqual(['a']);
    const long = new Uint8Array(MAX_REG_BYTES + 100).fill(0x20);
    long.set(ansi(`REGEDIT4\r\n[${KEYS}\\a]\r\n${v}\r\n`));
    const r = parse(long);
    expect(r.keys.map((k) => k.name)).toEqual(['a']);
    expect(r.problems[0]).toMatch(/read up to 4194304/);
  });
});

/** Password files as users' editors write them: every encoding and line end decodes to the same list. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeText, passwordsFromFile, readPasswordsFile, splitPasswords, type TextEncoding } from '../../src/cli/passwords-file.ts';
import { encodeCp1251 } from '../../src/format/name-key.ts';
import { tempDir } from '../e2e/helpers.ts';

const t = tempDir();
afterAll(() => t.cleanup());

const PASSWORDS = ['Qwerty12', 'Йцукен12', 'with two  spaces ', ' lead', 'ёЁ№'];

const utf16 = (s: string, be: boolean) => {
  const b = Buffer.from(s, 'utf16le');
  return be ? b.swap16() : b;
};
const ENCODINGS: Record<TextEncoding, (s: string) => Uint8Array> = {
  'UTF-8': (s) => Buffer.from(s, 'utf8'),
  'UTF-8 with BOM': (s) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, 'utf8')]),
  'UTF-16LE': (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(s, false)]),
  'UTF-16BE': (s) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16(s, true)]),
  cp1251: (s) => encodeCp1251(s)!,
  'UTF-16LE without BOM': (s) => utf16(s, false),
  'UTF-16BE without BOM': (s) => utf16(s, true),
};
const ENDS = { CRLF: '\r\n', LF: '\n', CR: '\r' };

describe('password file decoding', () => {
  for (const [enc, encode] of Object.entries(ENCODINGS) as [TextEncoding, (s: string) => Uint8Array][]) {
    for (const [endName, end] of Object.entries(ENDS)) {
      // BOM-less UTF-16 is recognised by its zero bytes: only for ASCII-range text
      const list = enc.endsWith('without BOM') ? PASSWORDS.filter((p) => /^[\x20-\x7e]+$/.test(p)) : PASSWORDS;
      it(`${enc}, ${endName} line ends, with and without a final line end`, () => {
        for (const tail of [end, '']) {
          const { text, encoding } = decodeText(encode(list.join(end) + tail));
          expect(encoding).toBe(enc);
          expect(splitPasswords(text)).toEqual(list);
        }
      });
    }
  }

  it('decodes Cyrillic in cp1251 and UTF-16 to the same letters', () => {
    const cyr = 'Пароль Йцукен ёЁ №1';
    expect(decodeText(encodeCp1251(cyr)!)).toEqual({ text: cyr, encoding: 'cp1251' });
    expect(decodeText(ENCODINGS['UTF-16LE'](cyr))).toEqual({ text: cyr, encoding: 'UTF-16LE' });
    expect(decodeText(ENCODINGS['UTF-16BE'](cyr))).toEqual({ text: cyr, encoding: 'UTF-16BE' });
    // cp1251 bytes of "Йцукен" by hand: what Notepad on a Russian Windows writes
    expect(decodeText(Uint8Array.from([0xc9, 0xf6, 0xf3, 0xea, 0xe5, 0xed])).text).toBe('Йцукен');
  });

  it('strips the BOM only, and only line terminators', () => {
    expect(splitPasswords(decodeText(ENCODINGS['UTF-8 with BOM']('  pw  \r\n\r\n\n')).text)).toEqual(['  pw  ']);
    expect(splitPasswords('a\r\r\nb\n\rc')).toEqual(['a', 'b', 'c']);
  });

  it('reads a file, says how, and warns when it holds no password', async () => {
    const f = join(t.dir, 'pw.txt');
    writeFileSync(f, encodeCp1251('Qwerty12\r\nЙцукен12\r\n')!);
    expect(await readPasswordsFile(f)).toEqual({ passwords: ['Qwerty12', 'Йцукен12'], encoding: 'cp1251' });
    const err: string[] = [];
    const io = { stderr: { write: (s: string) => err.push(s) } };
    expect(await passwordsFromFile(f, io, false)).toHaveLength(2);
    expect(err).toEqual([`keycarve: ${f}: 2 passwords, read as cp1251\n`]);
    err.length = 0;
    await passwordsFromFile(f, io, true);
    expect(err).toEqual([]);
    const empty = join(t.dir, 'empty.txt');
    writeFileSync(empty, '\xef\xbb\xbf\r\n\r\n', 'latin1');
    expect(await passwordsFromFile(empty, io, true)).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/warning: .*empty\.txt: no passwords/);
  });

  it('names the option and the path in words when the file cannot be read', async () => {
    await expect(readPasswordsFile(join(t.dir, 'missing.txt'))).rejects.toThrow(/^--passwords-file .*missing\.txt: does not exist$/);
    const dir = join(t.dir, 'a-folder');
    mkdirSync(dir);
    await expect(readPasswordsFile(dir)).rejects.toThrow(/a-folder is not a file/);
  });
});

/**
 * Option files of passwords (`scan --passwords-file`, and any command that takes a list of
 * passwords): one password per line, in whatever encoding the user's editor wrote. Detection:
 * a BOM says it (UTF-8, UTF-16LE/BE); else valid UTF-8 is UTF-8; else NULs on one side of every
 * pair are BOM-less UTF-16 (what some tools write); else cp1251 (Notepad on a Russian Windows).
 * Only line terminators (CRLF, LF, CR) are stripped: a password may hold spaces.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileProblem } from '../file-errors.ts';
import { decodeCp1251 } from '../format/name-key.ts';

export type TextEncoding = 'UTF-8' | 'UTF-8 with BOM' | 'UTF-16LE' | 'UTF-16BE' | 'UTF-16LE without BOM' | 'UTF-16BE without BOM' | 'cp1251';

/** Bigger than any password list a technician types; a wordlist this big belongs elsewhere. */
export const MAX_PASSWORDS_FILE = 64 << 20;

const startsWith = (b: Uint8Array, ...sig: number[]) => sig.every((x, i) => b[i] === x);

function utf16(b: Uint8Array, bigEndian: boolean): string {
  const even = b.subarray(0, b.length & ~1);
  const le = bigEndian ? Buffer.from(even).swap16() : even;
  return new TextDecoder('utf-16le').decode(le);
}

/** UTF-16 without a BOM: zero bytes, all on the high side of their pair (ASCII-range text). */
function bomlessUtf16(b: Uint8Array): 'le' | 'be' | null {
  if (b.length < 2 || b.length % 2 !== 0) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0) i % 2 ? odd++ : even++;
  if (odd > 0 && even === 0) return 'le';
  if (even > 0 && odd === 0) return 'be';
  return null;
}

/** Bytes of a text file → its text (BOM stripped) and the encoding assumed. */
export function decodeText(b: Uint8Array): { text: string; encoding: TextEncoding } {
  if (startsWith(b, 0xef, 0xbb, 0xbf)) return { text: new TextDecoder('utf-8').decode(b.subarray(3)), encoding: 'UTF-8 with BOM' };
  if (startsWith(b, 0xff, 0xfe)) return { text: utf16(b.subarray(2), false), encoding: 'UTF-16LE' };
  if (startsWith(b, 0xfe, 0xff)) return { text: utf16(b.subarray(2), true), encoding: 'UTF-16BE' };
  const u16 = bomlessUtf16(b);
  if (u16) return { text: utf16(b, u16 === 'be'), encoding: u16 === 'le' ? 'UTF-16LE without BOM' : 'UTF-16BE without BOM' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(b), encoding: 'UTF-8' };
  } catch {
    return { text: decodeCp1251(b), encoding: 'cp1251' };
  }
}

/** One password per line; CRLF, LF and CR all end a line; empty lines are not passwords. */
export function splitPasswords(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
}

/** Reads a passwords file; throws one line in words naming `option` and the path. */
export async function readPasswordsFile(path: string, option = '--passwords-file'): Promise<{ passwords: string[]; encoding: TextEncoding }> {
  const label = `${option} ${path}`;
  const st = await stat(path).catch((e) => Promise.reject(new Error(fileProblem(label, e))));
  if (!st.isFile()) throw new Error(`${label} is not a file — give a text file with one password per line`);
  if (st.size > MAX_PASSWORDS_FILE) throw new Error(`${label} is larger than 64 MB — give a text file with one password per line`);
  const bytes = await readFile(path).catch((e) => Promise.reject(new Error(fileProblem(label, e))));
  const { text, encoding } = decodeText(new Uint8Array(bytes));
  return { passwords: splitPasswords(text), encoding };
}

/**
 * The passwords of `path`, saying on stderr how the file was read (unless `quiet`) and warning,
 * always, when it yields none.
 */
export async function passwordsFromFile(path: string, io: { stderr: { write(s: string): unknown } }, quiet: boolean, option = '--passwords-file'): Promise<string[]> {
  const { passwords, encoding } = await readPasswordsFile(path, option);
  const n = passwords.length;
  if (n === 0) io.stderr.write(`keycarve: warning: ${path}: no passwords in it (empty?) — write one password per line\n`);
  else if (!quiet) io.stderr.write(`keycarve: ${path}: ${n} password${n === 1 ? '' : 's'}, read as ${encoding}\n`);
  return passwords;
}

/**
 * Registry export text (.reg, docs/registry.md §7): `REGEDIT4` (8-bit, the ANSI code page — cp1251
 * on Russian Windows) or `Windows Registry Editor Version 5.00` (UTF-16LE with a BOM as regedit
 * writes it, or 8-bit as scripts do). Only what a CryptoPro container needs is kept: sections
 * `[HKEY_LOCAL_MACHINE\SOFTWARE\[WOW6432Node\]Crypto Pro\Settings\[Users\<SID>\]Keys\<name>]` and
 * their `"header.key"=hex:…` values (`\` continuations, 1- or 2-digit bytes). Total and bounded: a
 * huge line, an odd byte, a section left open become problems; every count is capped.
 */
import { keyFileName, type KeyFileName } from './key-file-names.ts';
import { decodeCp1251 } from './name-key.ts';

/** Text longer than this is read no further (a container's six values are ~12 KB of hex). */
export const MAX_REG_BYTES = 4 * 1024 * 1024;
/** A logical line (continuations joined) longer than this is no container value: skipped. */
const MAX_LINE = 256 * 1024;
/** What the carver takes from the scan's chunk (its bound, so part of the scan's margin, kept at
 * the other carvers' 64 KiB): a few containers' worth of hex text; the fs stage reads on from there. */
export const REG_CARVE_MAX = 64 * 1024;
const MAX_CONTAINERS = 4096;
const MAX_PROBLEMS = 50;

export type RegEncoding = 'utf16le' | 'utf8' | 'cp1251';

export interface RegHeader {
  readonly version: 'REGEDIT4' | '5.00';
  readonly encoding: RegEncoding;
}

export interface RegContainerKey {
  /** The section's path as written, `HKEY_LOCAL_MACHINE` shortened to `HKLM`. */
  readonly path: string;
  /** The SID of a user store; null for the machine store (`Settings\Keys`). */
  readonly sid: string | null;
  readonly name: string;
  /** Line of the (first) section header, 1-based. */
  readonly line: number;
  readonly values: ReadonlyMap<KeyFileName, Uint8Array>;
}

export interface RegExport {
  readonly header: RegHeader;
  readonly keys: readonly RegContainerKey[];
  readonly problems: readonly string[];
}

const HEADERS = [
  ['REGEDIT4', 'REGEDIT4'],
  ['Windows Registry Editor Version 5.00', '5.00'],
] as const;
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf16 = (s: string) => Uint8Array.from([...s].flatMap((c) => [c.charCodeAt(0), 0]));

/** The byte forms a .reg file can open with (BOM included): what a carver anchors on. */
export const REG_OPENINGS: readonly { readonly bytes: Uint8Array; readonly header: RegHeader }[] = HEADERS.flatMap(([h, version]) => [
  { bytes: Uint8Array.of(0xff, 0xfe, ...utf16(h)), header: { version, encoding: 'utf16le' as const } },
  { bytes: Uint8Array.of(0xef, 0xbb, 0xbf, ...ascii(h)), header: { version, encoding: 'utf8' as const } },
  { bytes: ascii(h), header: { version, encoding: 'cp1251' as const } },
]);

const startsWith = (b: Uint8Array, at: number, p: Uint8Array) => {
  if (at + p.length > b.length) return false;
  for (let i = 0; i < p.length; i++) if (b[at + i] !== p[i]) return false;
  return true;
};

/** The header line at `at`, followed by a line end; null when the bytes open no .reg file. */
export function regHeaderAt(b: Uint8Array, at = 0): RegHeader | null {
  for (const o of REG_OPENINGS) {
    if (!startsWith(b, at, o.bytes)) continue;
    const end = at + o.bytes.length;
    const eol = b[end] === 0x0d || b[end] === 0x0a; // "REGEDIT4x" is some other text
    if (eol && (o.header.encoding !== 'utf16le' || b[end + 1] === 0)) return o.header;
  }
  return null;
}

/** Where the text from `from` ends: the first NUL byte (8-bit) or NUL code unit (UTF-16LE), else `limit`. */
export function regTextEnd(b: Uint8Array, encoding: RegEncoding, from: number, limit: number): number {
  const end = Math.min(limit, b.length);
  if (encoding !== 'utf16le') {
    const z = b.subarray(from, end).indexOf(0);
    return z < 0 ? end : from + z;
  }
  let i = from;
  while (i + 1 < end && (b[i] !== 0 || b[i + 1] !== 0)) i += 2;
  return Math.min(i, end - ((end - from) & 1));
}

function decode(b: Uint8Array, enc: RegEncoding): string {
  if (enc === 'utf16le') return Buffer.from(b.buffer, b.byteOffset, b.length & ~1).toString('utf16le');
  if (enc === 'utf8') return Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
  return decodeCp1251(b);
}

// Below the hive root: [WOW6432Node\]Crypto Pro\Settings\[Users\<SID>\]Keys\<name> (case-insensitive).
const CONTAINER_PATH = /^(?:HKEY_LOCAL_MACHINE|HKLM)\\SOFTWARE\\(?:WOW6432Node\\)?Crypto Pro\\Settings\\(?:Users\\([^\\]+)\\)?Keys\\([^\\]+)$/i;
const VALUE = /^"((?:[^"\\]|\\.)*)"\s*=\s*(.*)$/s;

/** The .reg export in `bytes` (a file, or carved text cut at its end), or null when it opens no .reg. */
export function parseRegExport(bytes: Uint8Array): RegExport | null {
  const header = regHeaderAt(bytes);
  if (!header) return null;
  const problems: string[] = [];
  const note = (p: string) => void (problems.length < MAX_PROBLEMS ? problems.push(p) : problems.length === MAX_PROBLEMS && problems.push('further problems not listed'));
  if (bytes.length > MAX_REG_BYTES) note(`${bytes.length} bytes: read up to ${MAX_REG_BYTES}`);
  const body = bytes.subarray(0, regTextEnd(bytes, header.encoding, 0, MAX_REG_BYTES));
  const text = decode(body, header.encoding).replace(/^\uFEFF/, '');
  const keys = new Map<string, { path: string; sid: string | null; name: string; line: number; values: Map<KeyFileName, Uint8Array> }>();
  let current: ReturnType<typeof keys.get> | null = null;
  let pending = ''; // a logical line being joined from `\` continuations
  let pendingLine = 0;
  let tooLong = false;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 1; i <= lines.length; i++) {
    const raw = lines[i - 1]!;
    const piece = pending ? raw.trimStart() : raw;
    if (!pending) pendingLine = i;
    if (pending.length + piece.length > MAX_LINE) tooLong = true;
    else pending += piece;
    if (raw.endsWith('\\')) {
      if (!tooLong) pending = pending.slice(0, -1);
      if (i < lines.length) continue; // joined with the next line (or skipped with it, when too long)
    }
    const line = pending.trim();
    const at = pendingLine;
    pending = '';
    if (tooLong) {
      note(`line ${at}: longer than ${MAX_LINE} characters, skipped`);
      tooLong = false;
      continue;
    }
    if (line.startsWith('[')) {
      current = null;
      const close = line.lastIndexOf(']');
      if (close < 0) {
        note(`line ${at}: section header without "]", skipped`);
        continue;
      }
      const m = CONTAINER_PATH.exec(line.slice(1, close).trim());
      if (!m) continue; // another key (or a [-deletion]): nothing of a container
      const path = line.slice(1, close).trim().replace(/^HKEY_LOCAL_MACHINE\\/i, 'HKLM\\');
      const id = path.toLowerCase();
      current = keys.get(id) ?? null;
      if (!current) {
        if (keys.size >= MAX_CONTAINERS) {
          note(`line ${at}: more than ${MAX_CONTAINERS} container keys, the rest skipped`);
          continue;
        }
        current = { path, sid: m[1] ?? null, name: m[2]!, line: at, values: new Map() };
        keys.set(id, current);
      }
      continue;
    }
    if (!current) continue;
    const v = VALUE.exec(line);
    const role = v ? keyFileName(v[1]!.replace(/\\(.)/g, '$1')) : null;
    if (!v || !role) continue;
    const data = /^hex(?:\(3\))?:(.*)$/is.exec(v[2]!.trim());
    if (!data) {
      note(`line ${at}: ${current.name}\\${role} is not binary (hex:), skipped`);
      continue;
    }
    const bytesOf = hexBytes(data[1]!);
    if (typeof bytesOf === 'string') note(`line ${at}: ${current.name}\\${role}: ${bytesOf}, skipped`);
    else current.values.set(role, bytesOf);
  }
  for (const k of keys.values()) if (k.values.size === 0) note(`line ${k.line}: key ${k.name} holds no container value`);
  return { header, keys: [...keys.values()].filter((k) => k.values.size > 0), problems };
}

/** `30,82,06,f0` → bytes; 1- or 2-digit bytes, spaces allowed; anything else is a reason. */
function hexBytes(s: string): Uint8Array | string {
  const body = s.replace(/\s+/g, '').replace(/,$/, '');
  if (body === '') return new Uint8Array(0);
  const parts = body.split(',');
  const out = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-f]{1,2}$/i.test(p)) return `byte ${i + 1} is ${JSON.stringify(p.slice(0, 8))}, not hex`;
    out[i] = parseInt(p, 16);
  }
  return out;
}

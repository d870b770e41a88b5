/**
 * The regf structures both the carvers and the hive reader recognise (docs/registry.md §2.1–2.2,
 * §2.5): the base block of a primary hive, a hive bin header, and a vk record named like a
 * container file. Total over any bytes: out-of-range fields read as 0 and fail the checks.
 */
import { keyFileName } from '../format/key-file-names.ts';
import { u16, u32 } from './le.ts';

export const BASE_BLOCK = 4096;
export const BIN_HEADER = 32;
/** A bin larger than this is damage (Windows grows a bin only to fit one big cell). */
export const MAX_BIN = 1 << 20;

const is = (b: Uint8Array, at: number, s: string) => {
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

/** Why `b` does not start with a primary hive's base block, or null when it does. */
export function baseBlockProblem(b: Uint8Array): string | null {
  if (b.length < BASE_BLOCK || !is(b, 0, 'regf')) return 'no regf base block';
  if (u32(b, 20) !== 1) return `regf major version ${u32(b, 20)} (expected 1)`;
  if (u32(b, 28) !== 0) return `regf file type ${u32(b, 28)}: a transaction log, not a hive`;
  if (u32(b, 32) !== 1) return `regf file format ${u32(b, 32)} (expected 1)`;
  return null;
}

/** The base block's XOR-32 checksum of bytes 0–507 (−1 is written −2, 0 is written 1). */
export function baseBlockChecksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 508; i += 4) sum = (sum ^ u32(b, i)) >>> 0;
  return sum === 0xffffffff ? 0xfffffffe : sum === 0 ? 1 : sum;
}

/** The self-offset and size of the hive bin header at `at`, or why it is none. */
export function binHeader(b: Uint8Array, at: number): { self: number; size: number } | string {
  if (at + BIN_HEADER > b.length || !is(b, at, 'hbin')) return 'no hbin signature';
  const self = u32(b, at + 4);
  const size = u32(b, at + 8);
  if (self % 4096 !== 0) return `self-offset ${self}`;
  if (size < 4096 || size % 4096 !== 0 || size > MAX_BIN) return `size ${size}`;
  return { self, size };
}

/** True when a vk record at `at` (a cell's data) is named like a container file. */
export function isContainerVk(b: Uint8Array, at: number, end: number): boolean {
  if (b[at] !== 0x76 || b[at + 1] !== 0x6b) return false;
  const len = u16(b, at + 2);
  const comp = (u16(b, at + 16) & 1) === 1;
  if (len < (comp ? 8 : 16) || len > (comp ? 12 : 24) || at + 20 + len > end) return false;
  const raw = Buffer.from(b.buffer, b.byteOffset + at + 20, len);
  return keyFileName(comp ? raw.toString('latin1') : raw.toString('utf16le')) !== null;
}

/** True when some cell of the bin [at, end) starts a vk named like a container file — at cell-data
 * starts, which a freed and coalesced cell keeps at its old 8-byte steps (§2.8). */
export function binHoldsContainerValue(b: Uint8Array, at: number, end: number): boolean {
  for (let i = at + BIN_HEADER + 4; i + 20 <= end; i += 8) if (b[i] === 0x76 && b[i + 1] === 0x6b && isContainerVk(b, i, end)) return true;
  return false;
}

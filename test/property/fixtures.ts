// Valid objects for every carver kind, made by the project's writers or byte by byte after the
// on-disk layouts, plus the mutations the property test applies to them.
import type { CandidateKind } from '../../src/carve/types.ts';
import { concat, oidTlv, tlv } from '../../src/format/der.ts';
import { peekTlv } from '../../src/format/der-peek.ts';
import { setChecksum, nameHash } from '../../src/layout/exfat-entry-set.ts';
import { crc32 } from '../../src/layout/partition-table.ts';
import { makeCertificate } from '../helpers/certificates.ts';
import { pem, pkcs7 } from '../helpers/cert-text.ts';
import { makeContainer } from '../helpers/containers.ts';
import { regFile } from '../helpers/reg-export.ts';
import { fileName, record, resident } from '../fs/ntfs/util.ts';
import { emptyHive } from '../fs/regf/build.ts';

const S = 512;
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

const key = makeContainer({ algorithm: 'gost2012-256', seed: 'property' }).privateKey;
export const CERT = makeCertificate({ generation: 'gost2012-256', privateKey: key, subject: 'property', padding: 300 });
export const CONTAINER = makeContainer({ seed: 'property', password: 'x', privateKey: key, certificate: CERT }).files;

/** A definite-length PFX: version 3, id-data authSafe holding one shrouded-key bag, MAC data. */
export function pfx(): Uint8Array {
  const data = (inner: Uint8Array) => tlv(0x30, oidTlv('1.2.840.113549.1.7.1'), tlv(0xa0, tlv(0x04, inner)));
  const bag = tlv(0x30, oidTlv('1.2.840.113549.1.12.10.1.2'), tlv(0xa0, tlv(0x30, tlv(0x04, new Uint8Array(300).fill(0x5a)))));
  const mac = tlv(0x30, tlv(0x30, tlv(0x30, oidTlv('1.3.14.3.2.26'), tlv(0x05)), tlv(0x04, new Uint8Array(20))), tlv(0x04, new Uint8Array(8)), tlv(0x02, Uint8Array.of(4, 0)));
  return tlv(0x30, Uint8Array.of(2, 1, 3), data(tlv(0x30, data(tlv(0x30, bag)))), mac);
}

/** A FAT12 volume boot sector (what drivers.test.ts's superfloppy starts with). */
export function fatBoot(): Uint8Array {
  const b = new Uint8Array(S);
  b.set([0xeb, 0x3c, 0x90, ...ascii('MSDOS5.0')]);
  dv(b).setUint16(11, 512, true);
  b[13] = 4;
  dv(b).setUint16(14, 4, true);
  b[16] = 2;
  dv(b).setUint16(17, 512, true);
  dv(b).setUint16(19, 8192, true);
  b[21] = 0xf8;
  dv(b).setUint16(22, 8, true);
  b.set([0x55, 0xaa], 510);
  return b;
}

/** An MBR with one FAT32 partition at LBA 2048. */
export function mbr(): Uint8Array {
  const b = new Uint8Array(S);
  b[446 + 4] = 0x0c;
  dv(b).setUint32(446 + 8, 2048, true);
  dv(b).setUint32(446 + 12, 65536, true);
  b.set([0x55, 0xaa], 510);
  return b;
}

/** A primary GPT header (CRC right) describing 128 entries at LBA 2. */
export function gptHeader(): Uint8Array {
  const h = new Uint8Array(S);
  h.set(ascii('EFI PART'));
  const v = dv(h);
  v.setUint32(8, 0x10000, true);
  v.setUint32(12, 92, true);
  v.setBigUint64(24, 1n, true);
  v.setBigUint64(32, 16383n, true);
  v.setBigUint64(40, 34n, true);
  v.setBigUint64(48, 16350n, true);
  v.setBigUint64(72, 2n, true);
  v.setUint32(80, 128, true);
  v.setUint32(84, 128, true);
  v.setUint32(16, crc32(h.subarray(0, 92)), true);
  return h;
}

/** 32-byte 8.3 entry. */
function dirEntry(name11: string, attr: number, cluster: number, size: number): Uint8Array {
  const e = new Uint8Array(32);
  e.set(ascii(name11));
  e[11] = attr;
  dv(e).setUint16(26, cluster, true);
  dv(e).setUint32(28, size, true);
  return e;
}

/** A FAT subdirectory's first sector: `.`, `..`, two key files, then the end mark. */
export function fatDirSector(): Uint8Array {
  const b = new Uint8Array(S);
  b.set(concat(dirEntry('.          ', 0x10, 5, 0), dirEntry('..         ', 0x10, 0, 0), dirEntry('HEADER  KEY', 0x20, 6, 1234), dirEntry('MASKS   KEY', 0x20, 7, 56)));
  return b;
}

/** An exFAT File + Stream Extension + File Name entry set with a right checksum, in a sector. */
export function exfatDirSector(): Uint8Array {
  const b = new Uint8Array(S);
  const name = 'masks.key';
  b[0] = 0x85;
  b[1] = 2;
  dv(b).setUint16(4, 0x20, true);
  b[32] = 0xc0;
  b[33] = 1;
  b[35] = name.length;
  dv(b).setUint16(36, nameHash(name), true);
  dv(b).setBigUint64(40, 56n, true);
  dv(b).setUint32(52, 9, true);
  dv(b).setBigUint64(56, 56n, true);
  b[64] = 0xc1;
  for (let i = 0; i < name.length; i++) dv(b).setUint16(66 + 2 * i, name.charCodeAt(i), true);
  dv(b).setUint16(2, setChecksum(b, 0, 3), true);
  return b;
}

/** A 1 KiB NTFS FILE record holding masks.key resident. */
export const ntfsRecord = (): Uint8Array => record({ num: 40, attrs: [resident(0x30, fileName(5, 5, 'masks.key')), resident(0x80, CONTAINER['masks.key']!)] });

const REG_KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Crypto Pro\\Settings\\Users\\S-1-5-21-1-2-3-1001\\Keys\\property';

/**
 * How to feed each carver: valid objects of its kind, and whether its lengths are DER (lies are
 * then rewritten in the TLV headers) or little-endian fields (lies overwrite every aligned u32).
 * A kind missing here fails the test: a new carver must say how it is fed.
 */
export const FEEDERS: Readonly<Record<CandidateKind, { readonly objects: () => Uint8Array[]; readonly der: boolean }>> = {
  header: { objects: () => [CONTAINER['header.key']!], der: true },
  primary: { objects: () => [CONTAINER['primary.key']!, CONTAINER['primary2.key']!], der: true },
  masks: { objects: () => [CONTAINER['masks.key']!, CONTAINER['masks2.key']!], der: true },
  name: { objects: () => [CONTAINER['name.key']!], der: true },
  pkcs12: { objects: () => [pfx()], der: true },
  x509: { objects: () => [CERT], der: true },
  // Text: lies overwrite aligned fields (there are no TLV headers to rewrite).
  pem: { objects: () => [pem(CERT), pem(CERT, { eol: '\r\n', width: 76 }), pem(CERT, { armor: false })], der: false },
  pkcs7: { objects: () => [pkcs7(CERT, CERT)], der: true },
  boot: { objects: () => [fatBoot(), mbr(), gptHeader()], der: false },
  'fat-dir': { objects: () => [fatDirSector()], der: false },
  'exfat-dir': { objects: () => [exfatDirSector()], der: false },
  'ntfs-record': { objects: () => [ntfsRecord()], der: false },
  // Text ended by the NUL its last cluster's slack gives it (else the carver reads to the chunk's end).
  'reg-export': { objects: () => (['5.00', 'REGEDIT4'] as const).map((style) => new Uint8Array([...regFile([{ path: REG_KEY, values: CONTAINER }], style), 0, 0])), der: false },
  regf: { objects: () => [emptyHive().subarray(0, 4096 + 32)], der: false },
  'hive-bin': { objects: () => [hiveBin()], der: false },
};

/** The empty hive's bin with a freed vk "header.key" cell in its free space (a deleted value). */
export function hiveBin(): Uint8Array {
  const bin = emptyHive().slice(4096);
  const v = dv(bin);
  const at = 168; // the free cell after the root key and its sk
  v.setInt32(at, 40, true); // free: positive size
  bin.set(ascii('vk'), at + 4);
  v.setUint16(at + 6, 10, true);
  v.setUint32(at + 8, 36, true);
  v.setUint32(at + 12, 208, true);
  v.setUint32(at + 16, 3, true);
  v.setUint16(at + 20, 1, true);
  bin.set(ascii('header.key'), at + 24);
  v.setInt32(at + 40, 4096 - 208, true);
  return bin;
}

/** Offsets of the TLV headers in `b` (outer first, descending into constructed values). */
export function tlvHeaders(b: Uint8Array, at = 0, limit = b.length, out: number[] = [], depth = 0): number[] {
  while (at < limit && out.length < 256 && depth < 16) {
    const h = peekTlv(b, at, limit);
    if (!h) break;
    out.push(at);
    if (h.tag & 0x20) tlvHeaders(b, h.content, h.end, out, depth + 1);
    at = h.end;
  }
  return out;
}

/** The same object with the TLV length at `at` set to the largest its form can say. */
export function lieDer(b: Uint8Array, at: number): Uint8Array {
  const out = b.slice();
  const first = out[at + 1]!;
  if (first < 0x80) out[at + 1] = 0x7f;
  else out.fill(0xff, at + 2, at + 2 + (first & 0x7f));
  return out;
}

/** The object behind an outer header claiming 4 GiB (30 84 FF FF FF FF). */
export function lieOuter(b: Uint8Array): Uint8Array {
  const h = peekTlv(b, 0);
  return concat(Uint8Array.of(b[0]!, 0x84, 0xff, 0xff, 0xff, 0xff), b.subarray(h ? h.content : 2));
}

/** The same bytes with 0xFFFFFFFF written at `at` (a little-endian length or count that lies). */
export function lieLe(b: Uint8Array, at: number): Uint8Array {
  const out = b.slice();
  out.fill(0xff, at, Math.min(out.length, at + 4));
  return out;
}

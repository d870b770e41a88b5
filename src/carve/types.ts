/** A window of the source handed to carvers: page then margin (bulk_extractor's sbuf). */
export interface Chunk {
  /** Absolute offset of bytes[0] on the source. */
  readonly base: number;
  /** Page then margin; a view, possibly over shared memory. Treat as read-only. */
  readonly bytes: Uint8Array;
  /** A record may START only below this index; it may extend into the margin. */
  readonly page: number;
}

export type CandidateKind =
  | 'header'
  | 'primary'
  | 'masks'
  | 'name'
  | 'pkcs12'
  | 'x509'
  | 'pem' // certificates or a PKCS#7 bundle saved as Base64 text
  | 'pkcs7' // a PKCS#7 SignedData (DER/BER) carrying certificates
  | 'boot' // a boot sector / partition table (MBR, GPT, FAT/exFAT/NTFS VBR)
  | 'fat-dir' // a FAT directory cluster found by its shape
  | 'exfat-dir' // an exFAT directory cluster (entry sets)
  | 'ntfs-record' // an NTFS FILE record (1 KiB typically)
  | 'reg-export' // registry export text (.reg) opening with its header line
  | 'regf' // a registry hive's base block (a hive no file lists)
  | 'hive-bin'; // a registry hive bin holding container values

export type CheckName =
  | 'anchor'
  | 'der-shape'
  | 'exact-length'
  | 'mac'
  | 'mac-ea' // header/masks MAC valid with the CryptoPro-A S-box (GOST 2001 generation)
  | 'mac-z' // ... with the TC26 Z S-box (2012 generation)
  | 'size'
  | 'printable'
  | 'pfx-shape'
  | 'x509-shape'
  | 'pem-shape'
  | 'pkcs7-shape'
  | 'fixup'
  | 'dir-shape';

export interface Candidate {
  readonly kind: CandidateKind;
  /** Absolute offset on the source. */
  readonly offset: number;
  /** Exact bytes of the object (copied out of the chunk). */
  readonly bytes: Uint8Array;
  readonly checks: readonly CheckName[];
  /** Set when the object's declared length runs past the chunk margin (bytes is then a prefix). */
  readonly truncated?: boolean;
  /** The whole sectors holding the object (bytes plus the slack of its last sector), kept so the
   * file-system stage can confirm a file by reading its sectors without going back to the medium. */
  readonly sectors?: Uint8Array;
}

/** `bytes` at `at`; where `mask` is given (as long as bytes, its first byte 0xff: the first byte
 * picks the dispatch bucket) a byte b matches when (b & mask) === (bytes & mask), so 0x00 is "any". */
export interface Anchor {
  readonly at: number;
  readonly bytes: Uint8Array;
  readonly mask?: Uint8Array;
}

export interface CarverSpec {
  readonly kind: CandidateKind;
  /** Anchor bytes at an offset from a 512-byte sector start; a sector is offered to the carver
   * only when one of its anchors matches. */
  readonly anchors: readonly Anchor[];
  /** Bound on any length this carver believes; also the minimum margin the scan must give. */
  readonly maxLength: number;
  /** How far before its hit the carver reads (bytes; none when absent). With maxLength this is its
   * window: it is handed only those bytes, and the pass keeps only those (src/scan/carve-chunk.ts). */
  readonly lookBack?: number;
  /** Total: never throws, never reads past chunk.bytes. `start` is an index into chunk.bytes. */
  readonly carve: (chunk: Chunk, start: number) => readonly Candidate[];
}

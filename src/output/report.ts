/** report.json as contract.md defines it; built from the reassembly, never from the raw keys. */
import type { CertificateFormat } from '../format/certificate.ts';
import type { Volume } from '../fs/types.ts';
import type { ByteRange, ImageInfo } from '../source/types.ts';

export interface ReportFile {
  readonly offset: number;
  readonly size: number;
  readonly sha256: string;
  readonly fragments: number;
  readonly evidence: string[];
  /** assemble: the input file it was read from. */
  readonly from?: string;
}

export interface ReportContainer {
  dir: string;
  name: string | null;
  status: 'verified' | 'intact' | 'partial';
  evidence: string[];
  deleted: boolean | null;
  originalPath: string | null;
  /** A per-user registry container: its owner's profile folder (the SOFTWARE hive's ProfileList), when known. */
  profilePath?: string;
  algorithm: string | null;
  passwordProtected: boolean | null;
  /** Index into the given passwords (null: the empty password, or none opened it). */
  password: number | null;
  passwordVariant: string | null;
  certificate: { subject: string; notBefore: string; notAfter: string; source: string } | null;
  keyNotAfter: string | null;
  fingerprint: string | null;
  files: Record<string, ReportFile>;
  /** Which key each pair of files holds (format notes §11). */
  keys: { role: 'exchange' | 'signature' | null; files: string[]; verified: boolean; reserve: boolean }[];
  checks: { name: string; ok: boolean; detail: string }[];
  problems: string[];
  copies: string[];
}

/** How --map was used: an existing map's unread ranges were read in, or the map was written from this scan. */
export type MapUse = { path: string; applied: 'read'; unreadRanges: number } | { path: string; applied: 'written' };

/** What was run, when: enough to repeat the scan. The command line never holds a password. */
export interface RunInfo {
  /** ISO 8601, UTC. */
  startedAt: string;
  /** argv from "keycarve" on, every --password value replaced by `***`; null when scan() was called as a function. */
  commandLine: string[] | null;
  map: MapUse | null;
}

export interface ReportCertificate {
  path: string;
  offset: number;
  size: number;
  sha256: string;
  evidence: string[];
  /** The file's name on the medium, when a file system still knows it. */
  originalName: string | null;
  /** Its full path on the medium, when known. */
  originalPath: string | null;
  deleted: boolean | null;
  /** How the file was saved; a bundle (PEM chain, PKCS#7) gives one entry per certificate. */
  format: CertificateFormat;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
}

/** The report files every scan writes into --out (report.json lists them). */
export const REPORT_FILES = { json: 'report.json', dfxml: 'report.dfxml', html: 'report.html', summary: 'summary.txt' } as const;

export interface Report {
  tool: { name: 'keycarve'; version: string };
  /** false: a scan interrupted by Ctrl-C/SIGTERM, written into PARTIAL_DIR from what the pass had reached. */
  complete: boolean;
  /** Where the same report is written for other readers: DFXML for forensic suites, HTML for people. */
  reports: typeof REPORT_FILES;
  run: RunInfo;
  source: { path: string; size: number; sectorSize: number; readErrors: ByteRange[]; /** complete false: the pass covered [0, passedTo). */ passedTo?: number; image?: Omit<ImageInfo, 'lost'>; inputs?: string[] };
  mode: 'full' | 'quick' | 'assemble';
  volumes: (Omit<Volume, 'foundBy'> & { foundBy: string })[];
  containers: ReportContainer[];
  pkcs12: { path: string; offset: number; size: number; sha256: string; evidence: string[]; originalName: string | null; originalPath: string | null; deleted: boolean | null; keyId: string | null; checks: { name: string; ok: boolean; detail: string }[]; problems: string[] }[];
  certificates: ReportCertificate[];
  loose: { path: string; kind: string; offset: number; size: number; sha256: string; evidence: string[]; from?: string }[];
  problems: { at: number; what: string }[];
  /** Carvers that threw (a bug, never fatal): the first 100 by offset; stats.carvers counts all. */
  carverFailures: { carver: string; offset: number; message: string }[];
  stats: {
    bytesRead: number;
    seconds: number;
    mbPerSecond: number;
    candidates: number;
    candidatesByKind: Record<string, number>;
    metadataRereads: number;
    retainedBytes: number;
    bytesLost: number;
    pairing: { kdf: number; unmask: number; scalarMults: number; cutOff: boolean };
    /** Per carver kind: anchor matches, candidates, time in the carver (summed over threads), throws. */
    carvers: Record<string, { calls: number; candidates: number; ms: number; failures: number }>;
  };
}

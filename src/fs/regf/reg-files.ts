/**
 * Containers in registry export text (.reg, docs/registry.md §7), wherever the text comes from: a
 * file the file systems list (live or deleted, any name: the header line decides), .reg text the
 * linear pass carved where no listed file lies, or an `assemble` input. Each container key becomes
 * its values as file evidence ('reg-export'): the bytes decoded from hex, tied by their section
 * (folderKey), so the reassembler judges them like any other folder — no second pairing.
 */
import type { Candidate } from '../../carve/types.ts';
import { MAX_REG_BYTES, parseRegExport, REG_CARVE_MAX, regHeaderAt, regTextEnd } from '../../format/reg-export.ts';
import type { FileEvidence, FsProblem, MediaReader } from '../types.ts';
import { readExact } from '../read-exact.ts';
import { readFile } from './index.ts';

/** Files whose first bytes are probed for a .reg header line. */
const MAX_PROBES = 20_000;
/** Shorter than this holds no container value. */
const MIN_REG_BYTES = 64;
/** The longest opening: a BOM and the 5.00 header line in UTF-16LE, plus its line end. */
const PROBE = 2 + 2 * 36 + 2;

/** Where the text was found, for the evidence it gives. */
export interface RegTextOrigin {
  /** Absolute offset of the text on the source (its key in folderKey). */
  readonly at: number;
  readonly deleted: boolean;
  readonly volumeOffset: number;
  /** The file the text is, when known: its path on the medium or the assemble input. */
  readonly from?: string;
}

/** The container values of one .reg text; null when the bytes open no .reg file. */
export function regExportEvidence(text: Uint8Array, origin: RegTextOrigin): { files: FileEvidence[]; problems: string[] } | null {
  const r = parseRegExport(text);
  if (!r) return null;
  const files: FileEvidence[] = [];
  for (const key of r.keys) {
    for (const [role, bytes] of key.values) {
      files.push({
        evidence: 'reg-export',
        name: role,
        parentName: null, // the folder is named from name.key, as for a hive's keys
        parentPath: key.path,
        folderKey: `reg-export:${origin.at}:${key.line}`,
        deleted: origin.deleted,
        size: bytes.length,
        extents: [], // decoded from hex: the bytes lie nowhere on the medium as such
        resident: bytes,
        confirmed: true,
        volumeOffset: origin.volumeOffset,
        ...(origin.from ? { from: origin.from } : {}),
      });
    }
  }
  return { files, problems: [...r.problems] };
}

/** Evidence from every listed file that is a .reg export, and from carved .reg text no listed file holds. */
export async function filesFromRegExports(files: readonly FileEvidence[], candidates: readonly Candidate[], reader: MediaReader): Promise<{ files: FileEvidence[]; problems: FsProblem[] }> {
  const out: FileEvidence[] = [];
  const problems: FsProblem[] = [];
  const listed = new Set<number>();
  const take = (r: ReturnType<typeof regExportEvidence>, at: number, where: string) => {
    if (!r) return;
    out.push(...r.files);
    problems.push(...r.problems.map((p) => ({ at, what: `${where}: ${p}` })));
  };
  let probes = 0;
  for (const f of files) {
    if (f.size < MIN_REG_BYTES || f.size > MAX_REG_BYTES || f.extents.length === 0 || f.evidence === 'registry') continue;
    if (++probes > MAX_PROBES) break;
    const at = f.extents[0]!.offset;
    const head = await readExact(reader, at, Math.min(PROBE, f.size));
    if (!head || !regHeaderAt(head)) continue;
    const where = `.reg file ${`${f.parentPath ?? ''}/${f.name}`.replace(/^\/+/, '/')}`;
    const bytes = await readFile(f, reader);
    if (!bytes) {
      problems.push({ at, what: `${where}: its bytes could not be read` });
      continue;
    }
    listed.add(at);
    take(regExportEvidence(bytes, { at, deleted: f.deleted, volumeOffset: f.volumeOffset, from: where.slice('.reg file '.length) }), at, where);
  }
  for (const c of candidates) {
    if (c.kind !== 'reg-export' || listed.has(c.offset)) continue;
    const text = c.truncated || c.bytes.length >= REG_CARVE_MAX ? await readOn(c, reader) : c.bytes;
    // No file system lists the text: it is what is left of a deleted (or unlisted) file.
    take(regExportEvidence(text, { at: c.offset, deleted: true, volumeOffset: 0 }), c.offset, `carved .reg text at ${c.offset}`);
  }
  return { files: out, problems };
}

/** The text of a carved candidate that filled its bound, read on from the medium up to MAX_REG_BYTES. */
async function readOn(c: Candidate, reader: MediaReader): Promise<Uint8Array> {
  const header = regHeaderAt(c.bytes);
  const len = Math.min(MAX_REG_BYTES, reader.size - c.offset);
  const b = header && len > c.bytes.length ? await readExact(reader, c.offset, len) : null;
  return b && header ? b.subarray(0, regTextEnd(b, header.encoding, 0, len)) : c.bytes;
}

// FileEvidence from FILE records found by the linear pass (anywhere on the medium), for when the
// $MFT cannot be walked: parents are resolved among the found records themselves.

import type { Candidate } from '../../carve/types.ts';
import type { FileEvidence, FsProblem } from '../types.ts';
import { identifyKeyFile } from '../../format/key-file-id.ts';
import { parseRecord, type MftRecord } from '../../layout/ntfs-record.ts';
import { NO_VOLUME_CLUSTERS } from './runlist.ts';
import {
  baseEvidence,
  buildNodes,
  confirmed,
  dataOf,
  extentsOf,
  FIRST_USER_RECORD,
  Folders,
  type Confirm,
  type Node,
  type PlacedRecord,
  type RemnantName,
} from './model.ts';

export interface RecordsVolume {
  readonly offset: number;
  readonly clusterSize: number;
  /** Bounds run lists when known (otherwise 2^40 clusters). */
  readonly totalClusters?: number;
}

export interface RecordsOptions {
  readonly confirm?: Confirm;
  readonly remnants?: ReadonlyMap<string, RemnantName>;
}

/** Records (carved candidates with a verified fix-up) → parsed records; the rest counted as problems. */
export function placeRecords(records: readonly Candidate[], problems: FsProblem[]): PlacedRecord[] {
  const out: PlacedRecord[] = [];
  for (const c of records) {
    if (c.kind !== 'ntfs-record') continue;
    if (!c.checks.includes('fixup')) {
      problems.push({ at: c.offset, what: 'FILE record with a bad fix-up skipped' });
      continue;
    }
    const r = parseRecord(c.bytes);
    if (!r.ok) {
      problems.push({ at: c.offset, what: `FILE record skipped: ${r.why}` });
      continue;
    }
    out.push({ num: r.record.number, offset: c.offset, rec: r.record });
  }
  return out;
}

/** Cheap fingerprint so the same record seen twice (MFT and a stale copy) yields one file. */
function fnv(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193) >>> 0;
  return h.toString(16);
}

/** Nodes → evidence. `volume` null: non-resident data comes back with its size but no extents. */
export function evidenceFromNodes(
  nodes: readonly Node[],
  folders: Folders,
  volume: RecordsVolume | null,
  confirm: Confirm | undefined,
  problems: FsProblem[],
): { files: FileEvidence[]; holes: { node: Node; size: number }[] } {
  const files: FileEvidence[] = [];
  const holes: { node: Node; size: number }[] = [];
  const seen = new Set<string>();
  const volKey = volume ? String(volume.offset) : '?';
  const totalClusters = volume?.totalClusters ?? NO_VOLUME_CLUSTERS;
  for (const node of nodes) {
    if (node.isDir || !node.name || (node.num >= 0 && node.num < FIRST_USER_RECORD)) continue;
    const d = dataOf(node, totalClusters, volume?.clusterSize ?? null);
    if (d.kind === 'none') continue;
    if (d.kind === 'bad') {
      problems.push({ at: node.offset, what: `record ${node.num} (${node.name.name}): ${d.why}` });
      continue;
    }
    const base = baseEvidence(node, folders, volume?.offset ?? -1, volKey);
    let ev: FileEvidence;
    if (d.kind === 'resident') {
      const bytes = d.bytes.slice();
      ev = { ...base, size: bytes.length, extents: [], resident: bytes, confirmed: confirmed(confirm, bytes, bytes.length) };
    } else if (d.size === 0) {
      ev = { ...base, size: 0, extents: [], resident: new Uint8Array(0), confirmed: false };
    } else {
      let extents = volume ? extentsOf(d.runs, d.size, { volOffset: volume.offset, clusterSize: volume.clusterSize, totalClusters }) : [];
      if (volume && (extents === null || d.initialized < d.size)) {
        // Sparse or partly initialised: the caller may materialise it (zeros) from the medium.
        holes.push({ node, size: d.size });
        continue;
      }
      ev = { ...base, size: d.size, extents: extents ?? [], confirmed: false };
    }
    const key = `${node.num}:${node.seq}:${ev.folderKey}:${ev.name}:${ev.size}:${ev.deleted}:${
      ev.resident ? fnv(ev.resident) : JSON.stringify(ev.extents)
    }`;
    if (seen.has(key)) continue;
    seen.add(key);
    files.push(ev);
  }
  return { files, holes };
}

/**
 * Turns FILE records found by the scan into FileEvidence. Names and parents come from the records
 * themselves; resident data directly; non-resident extents only when `volume` gives the
 * cluster → offset mapping (otherwise extents are empty and `confirmed` false).
 */
export function filesFromRecords(
  records: readonly Candidate[],
  volume?: RecordsVolume,
  opts: RecordsOptions = {},
): { files: FileEvidence[]; problems: FsProblem[] } {
  const problems: FsProblem[] = [];
  const placed = placeRecords(records, problems);
  const nodes = buildNodes(placed, problems);
  const folders = new Folders(nodes, opts.remnants);
  const { files, holes } = evidenceFromNodes(nodes, folders, volume ?? null, opts.confirm ?? identifyKeyFile, problems);
  for (const h of holes) problems.push({ at: h.node.offset, what: `record ${h.node.num}: sparse or uninitialised data not materialised` });
  return { files, problems };
}

export type { MftRecord };

// Shared between the MFT walk and the carved-record path: merge base + extension records, pick
// names, resolve parent folders, turn $DATA into resident bytes or absolute extents.

import type { FileEvidence, FsProblem } from '../types.ts';
import type { ByteRange } from '../../source/types.ts';
import {
  ATTR_ATTRIBUTE_LIST,
  ATTR_DATA,
  ATTR_FILE_NAME,
  ATTR_STANDARD_INFORMATION,
  nameRank,
  parseAttributeList,
  parseFileName,
  parseStandardInformation,
  type Attribute,
  type FileName,
  type FileRef,
  type MftRecord,
  type Times,
} from '../../layout/ntfs-record.ts';
import { decodeRuns, runsOverlap, type Run } from './runlist.ts';

export const ROOT_RECORD = 5;
/** Records below this are NTFS metadata files ($MFT … $Extend and reserved ones). */
export const FIRST_USER_RECORD = 16;
const MAX_EXTENSIONS = 64;
const MAX_DEPTH = 64;

export interface PlacedRecord {
  readonly num: number;
  /** Absolute offset of the record on the medium (-1 when unknown). */
  readonly offset: number;
  readonly rec: MftRecord;
}

export interface Node {
  readonly num: number;
  readonly seq: number;
  readonly inUse: boolean;
  readonly isDir: boolean;
  readonly offset: number;
  readonly attrs: readonly Attribute[];
  readonly name: FileName | null;
  readonly times: Times | undefined;
}

export type Confirm = (bytes: Uint8Array) => { kind: string; length: number; macOk: boolean } | null;

/**
 * Merges extension records into their base records. Extensions are taken from their own header's
 * base reference (no list is followed, so a looping $ATTRIBUTE_LIST cannot loop us); when the base
 * has a resident attribute list, only the extension records it names are accepted.
 */
export function buildNodes(records: readonly PlacedRecord[], problems: FsProblem[]): Node[] {
  const ext = new Map<number, PlacedRecord[]>();
  for (const r of records) {
    if (r.rec.base.num === 0) continue;
    let l = ext.get(r.rec.base.num);
    if (!l) ext.set(r.rec.base.num, (l = []));
    if (l.length < MAX_EXTENSIONS) l.push(r);
  }
  const nodes: Node[] = [];
  for (const r of records) {
    if (r.rec.base.num !== 0) continue;
    let attrs: Attribute[] = [...r.rec.attributes];
    const list = attrs.find((a) => a.type === ATTR_ATTRIBUTE_LIST);
    // An extension names its base, and the base's list names it, each with a sequence (refersTo).
    const exts = (ext.get(r.num) ?? []).filter((e) => refersTo(e.rec.base, r.rec) && e.num !== r.num);
    if (exts.length) {
      let allowed: FileRef[] | null = null;
      if (list?.resident && list.value) {
        const parsed = parseAttributeList(list.value);
        if (parsed.bad) problems.push({ at: r.offset, what: `record ${r.num}: malformed attribute list` });
        allowed = parsed.entries.map((e) => e.ref);
      }
      const seen = new Set<number>();
      for (const e of exts) {
        if (seen.has(e.num) || (allowed && !allowed.some((a) => a.num === e.num && refersTo(a, { seq: e.rec.seq, inUse: e.rec.inUse })))) continue;
        seen.add(e.num);
        attrs = attrs.concat(e.rec.attributes.filter((a) => a.type !== ATTR_ATTRIBUTE_LIST));
      }
    }
    let best: FileName | null = null;
    let times: Times | undefined;
    for (const a of attrs) {
      if (a.type === ATTR_FILE_NAME && a.resident && a.value) {
        const fn = parseFileName(a.value);
        if (fn && (!best || nameRank(fn.namespace) < nameRank(best.namespace))) best = fn;
      } else if (a.type === ATTR_STANDARD_INFORMATION && a.resident && a.value && !times) {
        times = parseStandardInformation(a.value) ?? undefined;
      }
    }
    nodes.push({ num: r.num, seq: r.rec.seq, inUse: r.rec.inUse, isDir: r.rec.isDir, offset: r.offset, attrs, name: best, times: times ?? best?.times });
  }
  return nodes;
}

/** A name for a record that no longer exists, recovered elsewhere (INDX remnants). */
export interface RemnantName {
  readonly name: string;
  readonly parent: FileRef;
  readonly isDir: boolean;
}

const nextSeq = (seq: number) => (seq === 0xffff ? 1 : seq + 1);

/**
 * Whether reference `ref` still names record `rec`. NTFS bumps a record's sequence when it frees it
 * and keeps it when it reuses it, so a deleted record answers to the reference one below its own —
 * The Sleuth Kit's rule (ntfs_dir_open_meta searches a deleted folder's children at seq − 1). A
 * deleted record with the reference's own sequence answers too (freed without the bump). A
 * reference with sequence 0 carries none.
 */
export function refersTo(ref: FileRef, rec: { readonly seq: number; readonly inUse: boolean }): boolean {
  if (ref.seq === 0 || rec.seq === ref.seq) return true;
  return !rec.inUse && rec.seq === nextSeq(ref.seq);
}

export interface ResolvedFolder {
  readonly name: string | null;
  /** null when the chain to the root breaks. */
  readonly path: string | null;
  /** Why the folder has no name: its record now holds another file. */
  readonly reused?: string;
}

/**
 * Parent-folder resolution. Several records may carry one number (carved copies, an old MFT under
 * a new one); one the reference still names (refersTo) wins, the nearest to the child on ties. A
 * record the reference no longer names is another file: its children are orphans.
 */
export class Folders {
  private readonly byNum = new Map<number, Node[]>();
  constructor(
    nodes: readonly Node[],
    private readonly remnants: ReadonlyMap<string, RemnantName> = new Map(),
  ) {
    for (const n of nodes) {
      let l = this.byNum.get(n.num);
      if (!l) this.byNum.set(n.num, (l = []));
      l.push(n);
    }
  }

  /** The directory a reference points at, from its record or an INDX remnant. */
  find(ref: FileRef, near: number): RemnantName | null {
    let best: Node | null = null;
    for (const n of this.byNum.get(ref.num) ?? []) {
      if (!n.isDir || !n.name || !refersTo(ref, n)) continue;
      if (!best || Math.abs(n.offset - near) < Math.abs(best.offset - near)) best = n;
    }
    if (best?.name) return { name: best.name.name, parent: best.name.parent, isDir: true };
    const r = this.remnants.get(`${ref.num}:${ref.seq}`);
    return r?.isDir ? r : null;
  }

  /** What now holds record `ref.num` when the reference no longer names it, for the report. */
  private reuse(ref: FileRef): string | undefined {
    const now = (this.byNum.get(ref.num) ?? []).find((n) => !refersTo(ref, n));
    if (!now) return undefined;
    const what = now.name ? `"${now.name.name}"` : 'another file';
    return `the original folder record (MFT ${ref.num}, sequence ${ref.seq}) was reused by ${what} (sequence ${now.seq}): folder name lost`;
  }

  /** {name, path} of the folder `ref`. */
  resolve(ref: FileRef, near: number): ResolvedFolder {
    if (ref.num === ROOT_RECORD) return { name: '', path: '/' };
    const first = this.find(ref, near);
    if (!first) {
      const reused = this.reuse(ref);
      return { name: null, path: null, ...(reused ? { reused } : {}) };
    }
    const parts = [first.name];
    const seen = new Set<number>([ref.num]);
    let cur = first.parent;
    for (let d = 0; d < MAX_DEPTH; d++) {
      if (cur.num === ROOT_RECORD) return { name: first.name, path: '/' + parts.reverse().join('/') };
      if (seen.has(cur.num)) break;
      seen.add(cur.num);
      const up = this.find(cur, near);
      if (!up) break;
      parts.push(up.name);
      cur = up.parent;
    }
    return { name: first.name, path: null };
  }
}

export interface Geometry {
  readonly volOffset: number;
  readonly clusterSize: number;
  readonly totalClusters: number;
}

export type DataInfo =
  | { kind: 'none' }
  | { kind: 'resident'; bytes: Uint8Array }
  | { kind: 'runs'; size: number; initialized: number; runs: Run[] }
  | { kind: 'bad'; why: string };

/** Unnamed $DATA of a node: resident bytes, or the whole run list in VCN order, validated. */
export function dataOf(node: Node, totalClusters: number, clusterSize: number | null): DataInfo {
  const segs = node.attrs.filter((a) => a.type === ATTR_DATA && a.name === '');
  if (!segs.length) return { kind: 'none' };
  const res = segs.find((a) => a.resident);
  if (res) return { kind: 'resident', bytes: res.value ?? new Uint8Array(0) };
  segs.sort((a, b) => a.startVcn! - b.startVcn!);
  const first = segs[0]!;
  if (first.startVcn !== 0) return { kind: 'bad', why: 'first $DATA segment missing' };
  if (first.flags & 0x0001) return { kind: 'bad', why: 'compressed $DATA not decoded' };
  if (first.flags & 0x4000) return { kind: 'bad', why: 'encrypted $DATA' };
  const size = first.realSize!;
  const alloc = first.allocatedSize!;
  if (size < 0 || alloc < 0 || size > alloc) return { kind: 'bad', why: 'bad $DATA sizes' };
  const runs: Run[] = [];
  let vcn = 0;
  for (const s of segs) {
    if (s.resident || s.startVcn !== vcn) return { kind: 'bad', why: 'gap or overlap between $DATA segments' };
    const r = decodeRuns(s.runs!, s.startVcn!, s.lastVcn!, totalClusters);
    if (!r.ok) return { kind: 'bad', why: r.why };
    for (const run of r.runs) runs.push(run);
    vcn = s.lastVcn! + 1;
    if (runs.length > 4096) return { kind: 'bad', why: 'too many runs' };
  }
  if (runsOverlap(runs)) return { kind: 'bad', why: 'overlapping runs' };
  const mapped = runs.reduce((n, r) => n + r.length, 0);
  if (clusterSize !== null && mapped * clusterSize < size) return { kind: 'bad', why: 'run list shorter than the data' };
  const initialized = first.initializedSize! < 0 ? 0 : Math.min(first.initializedSize!, size);
  return { kind: 'runs', size, initialized, runs };
}

/** Absolute extents of [0, upto) of the data; null when a sparse run lies inside it. */
export function extentsOf(runs: readonly Run[], upto: number, g: Geometry): ByteRange[] | null {
  const out: { offset: number; length: number }[] = [];
  let pos = 0;
  for (const r of runs) {
    if (pos >= upto) break;
    const len = Math.min(r.length * g.clusterSize, upto - pos);
    if (r.lcn === null) return null;
    const off = g.volOffset + r.lcn * g.clusterSize;
    const last = out[out.length - 1];
    if (last && last.offset + last.length === off) last.length += len;
    else out.push({ offset: off, length: len });
    pos += len;
  }
  return pos >= upto ? out : null;
}

export function confirmed(confirm: Confirm | undefined, bytes: Uint8Array, size: number): boolean {
  if (!confirm || size === 0) return false;
  try {
    const r = confirm(bytes);
    return r !== null && r.length === size;
  } catch {
    return false;
  }
}

/** Everything but the data for a file node. */
export function baseEvidence(node: Node, folders: Folders, volOffset: number, volKey: string) {
  const fn = node.name!;
  const p = folders.resolve(fn.parent, node.offset);
  return {
    evidence: 'ntfs-mft' as const,
    name: fn.name,
    parentName: p.name,
    parentPath: p.path,
    folderKey: `ntfs:${volKey}:${fn.parent.num}:${fn.parent.seq}`,
    ...(p.reused ? { folderNote: p.reused } : {}),
    deleted: !node.inUse,
    ...(node.times ? { times: node.times } : {}),
    volumeOffset: volOffset,
  };
}

export type MutableEvidence = { -readonly [K in keyof FileEvidence]: FileEvidence[K] };

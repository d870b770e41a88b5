// Directory clusters found by shape anywhere on the medium (after a quick format the FAT and root
// are wiped but a container folder's own cluster still lists its files). The cluster→offset
// mapping comes from the volume's boot sector when it is known and consistent, else it is inferred
// from the `.` entries (dataStart + (c − 2) · clusterSize = offset) and checked on key-file shapes.
import type { Candidate } from '../../carve/types.ts';
import { identifyKeyFile } from '../../format/key-file-id.ts';
import type { FileEvidence, FsProblem, MediaReader } from '../types.ts';
import { clusterOffset, type ClusterGeometry } from '../fat-common/clusters.ts';
import { parseDirEntries, type DirEntry } from '../../layout/fat-dir-entry.ts';
import { newBudget, resolveDeleted, type Confirm, type ResolveCtx } from './resolve.ts';
import { keyKindOfName } from '../../format/key-file-names.ts';
import type { FatTable } from './table.ts';
import { u16 } from '../../layout/le.ts';

const MAX_ORPHANS = 100_000;
const CLUSTER_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

export interface OrphanOptions {
  /** Geometry of the volume the directories are believed to belong to. */
  geometry?: ClusterGeometry;
  /** Whether the high word of start clusters is meaningful (FAT32); inferred when omitted. */
  fat32?: boolean;
  table?: FatTable | null;
  confirm?: Confirm;
}

interface Orphan {
  offset: number;
  bytes: Uint8Array;
  entries: DirEntry[];
  /** Own cluster from its `.` entry, when it has one. */
  dot: number | null;
  dotdot: number | null;
  geo: ClusterGeometry | null;
  cluster: number | null;
  name: string | null;
  parent: Orphan | null;
}

const entryCluster = (e: DirEntry, fat32: boolean) => (fat32 ? e.clusterHi * 0x10000 : 0) + e.clusterLo;

async function peek(reader: MediaReader, off: number, n: number): Promise<Uint8Array | null> {
  if (off < 0 || off + n > reader.size) return null;
  try {
    return await reader.read(off, n);
  } catch {
    return null;
  }
}

/** Counts key files whose first bytes, at the offsets a geometry gives, have the key-file DER shape. */
async function shapeHits(reader: MediaReader, geo: ClusterGeometry, dirs: readonly Orphan[], fat32: boolean): Promise<number> {
  let hits = 0;
  for (const d of dirs)
    for (const e of d.entries) {
      if (e.isDir || !keyKindOfName(e.name) || e.size === 0) continue;
      const c = entryCluster(e, fat32);
      if (c < 2) continue;
      const b = await peek(reader, clusterOffset(geo, c), 8);
      if (b && b[0] === 0x30) {
        const l = b[1] ?? 0;
        const len = l < 0x80 ? l + 2 : l === 0x81 ? (b[2] ?? 0) + 3 : l === 0x82 ? u16(Uint8Array.of(b[3] ?? 0, b[2] ?? 0), 0) + 4 : -1;
        if (len === e.size) hits++;
      }
    }
  return hits;
}

export async function filesFromOrphanDirs(
  dirs: readonly Candidate[],
  reader: MediaReader,
  opts: OrphanOptions = {},
): Promise<{ files: FileEvidence[]; problems: FsProblem[] }> {
  const problems: FsProblem[] = [];
  const files: FileEvidence[] = [];
  // Merge candidates that start inside an earlier one (a directory's later sectors).
  const sorted = dirs.filter((d) => d.kind === 'fat-dir').slice().sort((a, b) => a.offset - b.offset);
  const orphans: Orphan[] = [];
  let coveredTo = -1;
  for (const d of sorted) {
    if (orphans.length >= MAX_ORPHANS) {
      problems.push({ at: d.offset, what: `more than ${MAX_ORPHANS} orphan directories; rest skipped` });
      break;
    }
    if (d.offset < coveredTo) continue;
    coveredTo = d.offset + d.bytes.length;
    const { entries } = parseDirEntries(d.bytes);
    const b = d.bytes;
    const hasDot = entries[0]?.isDot === true && entries[0].slot === 0;
    const dot = hasDot ? u16(b, 26) + u16(b, 20) * 0x10000 : null;
    const dd = entries[1]?.isDotDot === true ? u16(b, 32 + 26) + u16(b, 32 + 20) * 0x10000 : null;
    orphans.push({ offset: d.offset, bytes: b, entries, dot, dotdot: dd, geo: null, cluster: null, name: null, parent: null });
  }
  let fat32 = opts.fat32 ?? orphans.some((o) => (o.dot ?? 0) > 0xffff);
  const geo = opts.geometry;
  const consistent = (g: ClusterGeometry, o: Orphan, c: number) => clusterOffset(g, fat32 ? c : c & 0xffff) === o.offset;
  const unplaced: Orphan[] = [];
  for (const o of orphans) {
    if (geo && (o.dot === null ? (o.offset - geo.dataStart) % geo.clusterSize === 0 && o.offset >= geo.dataStart : consistent(geo, o, o.dot))) {
      o.geo = geo;
      o.cluster = (o.offset - geo.dataStart) / geo.clusterSize + 2;
    } else if (o.dot !== null && o.dot >= 2) unplaced.push(o);
    else if (o.dot === null) problems.push({ at: o.offset, what: 'orphan directory without `.` entry and no volume geometry; skipped' });
  }
  // Infer geometries for the rest: each `.` votes for one dataStart per cluster size.
  if (unplaced.length) {
    if (opts.fat32 === undefined) fat32 = unplaced.some((o) => (o.dot ?? 0) > 0xffff) || fat32;
    const votes = new Map<string, { cs: number; ds: number; members: Orphan[] }>();
    for (const o of unplaced)
      for (const cs of CLUSTER_SIZES) {
        const ds = o.offset - (o.dot! - 2) * cs;
        if (ds < 0 || ds % 512 !== 0) continue;
        const k = `${cs}:${ds}`;
        const v = votes.get(k) ?? { cs, ds, members: [] };
        v.members.push(o);
        votes.set(k, v);
      }
    const ranked: { cs: number; ds: number; members: Orphan[]; score: number }[] = [];
    for (const v of votes.values()) {
      const g: ClusterGeometry = { volumeOffset: 0, dataStart: v.ds, clusterSize: v.cs, clusterCount: Math.floor((reader.size - v.ds) / v.cs) };
      ranked.push({ ...v, score: v.members.length * 1000 + (await shapeHits(reader, g, v.members, fat32)) });
    }
    ranked.sort((a, b) => b.score - a.score || a.cs - b.cs);
    for (const r of ranked) {
      const free = r.members.filter((m) => m.geo === null);
      if (!free.length) continue;
      // A lone `.` with no key file at the computed offsets proves nothing.
      if (r.score < 2000 && r.score % 1000 === 0) continue;
      const g: ClusterGeometry = {
        volumeOffset: geo?.volumeOffset ?? 0,
        dataStart: r.ds,
        clusterSize: r.cs,
        clusterCount: Math.floor((reader.size - r.ds) / r.cs),
      };
      for (const m of free) {
        m.geo = g;
        m.cluster = m.dot;
      }
      problems.push({ at: r.ds, what: `orphan directories placed by inferred geometry: cluster ${r.cs} B, data area at ${r.ds}` });
    }
    for (const o of unplaced) if (!o.geo) problems.push({ at: o.offset, what: 'orphan directory: cluster size/data start could not be inferred; skipped' });
  }

  // Names of orphan folders come from a parent orphan that lists them.
  const byCluster = new Map<string, Orphan>();
  for (const o of orphans) if (o.geo && o.cluster !== null) byCluster.set(`${o.geo.dataStart}:${o.geo.clusterSize}:${o.cluster}`, o);
  for (const o of orphans) {
    if (!o.geo || o.dotdot === null || o.dotdot === 0) continue;
    const p = byCluster.get(`${o.geo.dataStart}:${o.geo.clusterSize}:${fat32 ? o.dotdot : o.dotdot & 0xffff}`);
    if (!p || p === o) continue;
    const e = p.entries.find((x) => x.isDir && !x.isDot && !x.isDotDot && entryCluster(x, fat32) === o.cluster);
    // A deleted folder entry on FAT32 may have lost its high word: match on the low word then.
    const e2 = e ?? p.entries.find((x) => x.isDir && x.deleted && x.clusterHi === 0 && x.clusterLo === ((o.cluster ?? 0) & 0xffff));
    if (e2) {
      o.name = e2.name;
      o.parent = p;
    }
  }
  // The full path is known only when the chain of named parents reaches the root.
  const pathOf = (o: Orphan): string | null => {
    const names: string[] = [];
    let cur: Orphan | null = o;
    for (let i = 0; cur && i < 64; i++) {
      if (cur.name === null) return null;
      names.unshift(cur.name);
      if (cur.parent === null) return cur.dotdot === 0 ? '/' + names.join('/') : null;
      cur = cur.parent;
    }
    return null;
  };

  const confirm = opts.confirm ?? identifyKeyFile;
  const caches = new Map<ClusterGeometry, ResolveCtx>();
  const budget = newBudget(); // one for all the geometries tried
  for (const o of orphans) {
    if (!o.geo) continue;
    let ctx = caches.get(o.geo);
    if (!ctx) {
      ctx = { reader, geo: o.geo, fat32, table: o.geo === geo ? (opts.table ?? null) : null, confirm, cache: new Map(), budget };
      caches.set(o.geo, ctx);
    }
    const folderKey = o.cluster !== null ? `fat:${o.geo.volumeOffset}:${o.cluster}` : `fat-orphan:${o.offset}`;
    const parentPath = pathOf(o);
    for (const e of o.entries) {
      if (e.isDir || e.attr === 0x0f || e.attr & 0x08) continue;
      const res = await resolveDeleted(ctx, { name: e.name, size: e.size, lo: e.clusterLo, hi: e.clusterHi }, o.cluster ?? undefined);
      files.push({
        evidence: 'orphan-dir',
        name: e.name,
        parentName: o.name,
        parentPath,
        folderKey,
        deleted: e.deleted,
        size: e.size,
        extents: res.extents,
        confirmed: res.confirmed,
        times: e.times,
        volumeOffset: o.geo.volumeOffset,
      });
    }
  }
  return { files, problems };
}

// Where a file's bytes are. Live files follow the FAT. Deleted files have no chain (FAT zeroed),
// and on FAT32 Windows also clears the high word of their start cluster: we enumerate the possible
// start clusters and cluster layouts (contiguous, next free clusters, one gap) and keep only a
// layout that the key-file identifier confirms by shape, exact length and MAC.
import type { ByteRange } from '../../source/types.ts';
import type { MediaReader } from '../types.ts';
import type { KeyFileId } from '../../format/key-file-id.ts';
import { clusterOffset, clustersFor, clustersToExtents, runsToExtents, validCluster, type ClusterGeometry } from '../fat-common/clusters.ts';
import type { FatTable } from './table.ts';
import { keyKindOfName } from '../../format/key-file-names.ts';
import { peekDeclared } from '../../format/der-peek.ts';
import { unframe } from '../../format/framing.ts';

export type Confirm = (bytes: Uint8Array) => KeyFileId | null;
type Kind = KeyFileId['kind'];

/** How far past a hole we look for the rest of a fragmented file, in clusters. */
const GAP_WINDOW = 64;
/** Key files are small; anything past this is not confirmed by content. */
const MAX_CONFIRM_BYTES = 64 * 1024;
/** Bytes a volume's layout search may assemble in all (a real container costs a few KiB). */
export const LAYOUT_BUDGET_BYTES = 256 << 20;

export interface Resolved {
  readonly extents: readonly ByteRange[];
  readonly confirmed: boolean;
  readonly startCluster: number | null;
  readonly note?: string;
}

export interface ResolveCtx {
  readonly reader: MediaReader;
  readonly geo: ClusterGeometry;
  readonly fat32: boolean;
  /** Null after a quick format / when unknown: every cluster is then treated as free. */
  readonly table: FatTable | null;
  readonly confirm: Confirm;
  /** Cluster reads cache (one directory's files sit close together). */
  readonly cache: Map<number, Uint8Array | null>;
  /** What is left of the volume's layout search (LAYOUT_BUDGET_BYTES), shared by its files. */
  readonly budget: { left: number };
}

export function newBudget(): { left: number } {
  return { left: LAYOUT_BUDGET_BYTES };
}

export async function readCluster(ctx: ResolveCtx, c: number): Promise<Uint8Array | null> {
  if (!validCluster(ctx.geo, c)) return null;
  if (ctx.cache.has(c)) return ctx.cache.get(c)!;
  const off = clusterOffset(ctx.geo, c);
  let b: Uint8Array | null = null;
  if (off + ctx.geo.clusterSize <= ctx.reader.size) {
    try {
      b = await ctx.reader.read(off, ctx.geo.clusterSize);
    } catch {
      b = null;
    }
  }
  if (b && b.length < ctx.geo.clusterSize) b = null;
  if (ctx.cache.size > 4096) ctx.cache.clear();
  ctx.cache.set(c, b);
  return b;
}

async function assemble(ctx: ResolveCtx, clusters: readonly number[], size: number): Promise<Uint8Array | null> {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of clusters) {
    const b = await readCluster(ctx, c);
    if (!b) return null;
    const n = Math.min(size - at, b.length);
    out.set(b.subarray(0, n), at);
    at += n;
  }
  return at === size ? out : null;
}

/** Cheap pre-filter on the first cluster: a DER SEQUENCE whose declared length is the file size. */
function derLengthIs(b: Uint8Array, size: number): boolean {
  const d = peekDeclared(b, 0);
  if (d !== null && d.tag === 0x30 && d.total === size) return true;
  // A token file: the DER inside an FF or 01 frame that fills the file (format notes §11).
  return size <= b.length && unframe(b.subarray(0, size)).framing !== 'none';
}

/** Candidate cluster layouts for a file of n clusters starting at s, most likely first. */
function* layouts(ctx: ResolveCtx, s: number, n: number): Generator<number[]> {
  const ok = (cs: number[]) => cs.every((c) => validCluster(ctx.geo, c));
  const contiguous = Array.from({ length: n }, (_, i) => s + i);
  if (ok(contiguous)) yield contiguous;
  if (n < 2) return;
  if (ctx.table) {
    // Windows/mtools allocate the next free clusters: skip the ones still allocated.
    const nf = [s];
    for (let c = s + 1; nf.length < n && c < s + n + GAP_WINDOW * 4 && validCluster(ctx.geo, c); c++) if (ctx.table.isFree(c)) nf.push(c);
    if (nf.length === n && nf.join() !== contiguous.join()) yield nf;
  }
  // One hole of g clusters after the first k clusters (the allocated cluster may be free by now).
  for (let k = 1; k < n; k++)
    for (let g = 1; g <= GAP_WINDOW; g++) {
      const cs = [...Array.from({ length: k }, (_, i) => s + i), ...Array.from({ length: n - k }, (_, i) => s + k + g + i)];
      if (ok(cs)) yield cs;
    }
}

function score(id: KeyFileId | null, kind: Kind, size: number): number {
  if (!id || id.kind !== kind || id.length !== size) return 0;
  if (kind === 'header' || kind === 'masks') return id.macOk ? 2 : 1;
  return 2;
}

/** Possible start clusters of a deleted entry (every high word when it may have been cleared). */
export function startCandidates(ctx: ResolveCtx, lo: number, hi: number, size: number): number[] {
  if (!ctx.fat32) return validCluster(ctx.geo, lo) ? [lo] : [];
  const maxC = ctx.geo.clusterCount + 1;
  if (hi !== 0 || maxC <= 0xffff) {
    const c = hi * 0x10000 + lo;
    return validCluster(ctx.geo, c) ? [c] : [];
  }
  const out: number[] = [];
  for (let h = 0; h * 0x10000 <= maxC; h++) {
    const c = h * 0x10000 + lo;
    if (validCluster(ctx.geo, c) && !(c === 0 && size > 0)) out.push(c);
  }
  return out;
}

/**
 * A deleted file's extents. Key files are confirmed by content; other files get the contiguous
 * run only when the start cluster is unambiguous and free, unconfirmed.
 */
export async function resolveDeleted(
  ctx: ResolveCtx,
  e: { name: string; size: number; lo: number; hi: number },
  near?: number,
): Promise<Resolved> {
  if (e.size === 0) return { extents: [], confirmed: true, startCluster: null };
  const starts = startCandidates(ctx, e.lo, e.hi, e.size);
  const kind = keyKindOfName(e.name);
  const n = clustersFor(e.size, ctx.geo.clusterSize);
  if (!kind || e.size > MAX_CONFIRM_BYTES) {
    const s = starts.length === 1 ? starts[0]! : null;
    if (s === null || (ctx.table && !ctx.table.isFree(s))) {
      return { extents: [], confirmed: false, startCluster: s, note: starts.length > 1 ? 'start cluster ambiguous (high word cleared)' : 'start cluster reused' };
    }
    // Checked before anything is built: a size of 0xFFFFFFFF would mean millions of clusters.
    if (!validCluster(ctx.geo, s + n - 1)) return { extents: [], confirmed: false, startCluster: s, note: 'run past the volume end' };
    return { extents: [{ offset: clusterOffset(ctx.geo, s), length: e.size }], confirmed: false, startCluster: s };
  }
  const found: { clusters: number[]; score: number; bytes: Uint8Array }[] = [];
  let spent = false;
  for (const s of starts) {
    if (spent) break;
    const first = await readCluster(ctx, s);
    if (!first || !derLengthIs(first, e.size)) continue;
    let best: { clusters: number[]; score: number; bytes: Uint8Array } | null = null;
    for (const cs of layouts(ctx, s, n)) {
      if (ctx.budget.left < e.size) {
        spent = true;
        break;
      }
      ctx.budget.left -= e.size;
      const bytes = await assemble(ctx, cs, e.size);
      if (!bytes) continue;
      const sc = score(ctx.confirm(bytes), kind, e.size);
      if (sc > (best?.score ?? 0)) best = { clusters: cs, score: sc, bytes };
      if (sc === 2) break;
    }
    if (best) found.push(best);
  }
  if (!found.length) {
    const note = spent ? 'layout search budget of the volume spent before this file' : 'no layout matches the key-file shape';
    return { extents: [], confirmed: false, startCluster: starts.length === 1 ? starts[0]! : null, note };
  }
  const top = Math.max(...found.map((f) => f.score));
  let pool = found.filter((f) => f.score === top);
  if (pool.length > 1 && near !== undefined) {
    // Several high words give a plausible file (e.g. another container's primary.key): prefer the
    // one closest to its directory's own cluster, where the OS allocated it.
    pool = pool.slice().sort((a, b) => Math.abs(a.clusters[0]! - near) - Math.abs(b.clusters[0]! - near));
  }
  const pick = pool[0]!;
  const distinct = new Set(pool.map((f) => Buffer.from(f.bytes).toString('base64'))).size;
  const note = distinct > 1 ? `${pool.length} candidate start clusters fit; nearest taken` : undefined;
  return {
    extents: clustersToExtents(ctx.geo, pick.clusters, e.size),
    confirmed: top === 2,
    startCluster: pick.clusters[0]!,
    ...(note ? { note } : {}),
  };
}

/** A live file: its FAT chain, checked against the size. */
export function resolveLive(ctx: ResolveCtx, start: number, size: number): Resolved & { error?: string } {
  if (size === 0) return { extents: [], confirmed: true, startCluster: null };
  const n = clustersFor(size, ctx.geo.clusterSize);
  if (!ctx.table) return { extents: [], confirmed: false, startCluster: start, error: 'no FAT' };
  const ch = ctx.table.chain(start, n);
  if (ch.error || ch.count !== n) {
    return {
      extents: ch.count ? runsToExtents(ctx.geo, ch.runs, Math.min(size, ch.count * ctx.geo.clusterSize)) : [],
      confirmed: false,
      startCluster: start,
      error: ch.error ?? `chain has ${ch.count} clusters, size needs ${n}`,
    };
  }
  return { extents: runsToExtents(ctx.geo, ch.runs, size), confirmed: true, startCluster: start };
}

/**
 * A quick scan's search for orphaned folders, as TSK's orphan search makes it: a deleted folder
 * whose entry in its parent a later file took over hangs off no directory, but its first cluster,
 * free now, still opens with a `.` entry naming that very cluster and a `..` entry. Free clusters
 * are read in order, a piece at a time, up to a byte budget: a full scan's pass carves them all,
 * and after a quick format every cluster is free, so the budget is what keeps a quick scan quick.
 */
import type { Candidate } from '../../carve/types.ts';
import { dotCluster, entryLooksValid, isDotEntry, parseDirEntries } from '../../layout/fat-dir-entry.ts';
import { clusterOffset } from '../fat-common/clusters.ts';
import type { MediaReader } from '../types.ts';
import type { FatBoot } from './boot.ts';
import type { FatTable } from './table.ts';

const PIECE = 1 << 20;
/** As for a deleted directory reached from its parent: container folders need one or two clusters. */
const MAX_DIR_CLUSTERS = 64;

export interface FreeSweep {
  /** The orphaned folders' clusters, as the pass's fat-dir carver would give them. */
  readonly dirs: Candidate[];
  readonly swept: number;
  /** True when free clusters were left unread for the budget. */
  readonly cut: boolean;
}

export async function sweepFreeClusters(reader: MediaReader, boot: FatBoot, table: FatTable, budget: number): Promise<FreeSweep> {
  const cs = boot.clusterSize;
  const perPiece = Math.max(1, Math.floor(PIECE / cs));
  const last = boot.clusterCount + 1;
  const dirs: Candidate[] = [];
  const piece = new Uint8Array(perPiece * cs);
  let swept = 0;
  for (let c = table.nextFree(2, last); c <= last; c = table.nextFree(c, last)) {
    if (swept + cs > budget) return { dirs, swept, cut: true };
    let n = 1;
    while (c + n <= last && n < perPiece && (swept + (n + 1) * cs <= budget) && table.isFree(c + n)) n++;
    const bytes = piece.subarray(0, n * cs);
    if (await fill(reader, clusterOffset(boot, c), bytes)) dirs.push(...dirsIn(bytes, c, boot));
    swept += n * cs;
    c += n;
  }
  return { dirs, swept, cut: false };
}

/** `into` from `offset`, in place when the reader can (an unreadable piece is skipped). */
async function fill(reader: MediaReader, offset: number, into: Uint8Array): Promise<boolean> {
  if (offset + into.length > reader.size) return false;
  if (reader.readInto) return reader.readInto(offset, into).catch(() => false);
  const b = await reader.read(offset, into.length, true).catch(() => null);
  return b ? (into.set(b), true) : false;
}

/** The folders that start in `bytes` (clusters first, first + 1, …): `.` names its own cluster. */
function dirsIn(bytes: Uint8Array, first: number, boot: FatBoot): Candidate[] {
  const cs = boot.clusterSize;
  const n = Math.floor(bytes.length / cs);
  const found: Candidate[] = [];
  for (let k = 0; k < n; k++) {
    const o = k * cs;
    if (!isDotEntry(bytes, o, false) || !isDotEntry(bytes, o + 32, true)) continue;
    const self = boot.type === 'fat32' ? dotCluster(bytes, o) : dotCluster(bytes, o) & 0xffff; // FAT12/16: no high word
    if (self !== first + k) continue;
    let count = 1;
    while (k + count < n && count < MAX_DIR_CLUSTERS && !parseDirEntries(bytes.subarray(o + (count - 1) * cs, o + count * cs)).ended) {
      const next = o + count * cs;
      if (!entryLooksValid(bytes, next) || isDotEntry(bytes, next, false)) break;
      count++;
    }
    found.push({ kind: 'fat-dir', offset: clusterOffset(boot, first + k), bytes: bytes.slice(o, o + count * cs), checks: ['dir-shape'] });
    k += count - 1;
  }
  return found;
}

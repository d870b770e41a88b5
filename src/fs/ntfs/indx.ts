// INDX remnants: a folder's $I30 index blocks hold a $FILE_NAME copy for every child, and their
// slack keeps entries of removed children. When a record is gone (reused or wiped), such an entry
// in its parent's index still names it — enough to restore a container folder's name.

import type { FsProblem, MediaReader } from '../types.ts';
import type { NtfsBoot } from './boot.ts';
import { applyFixups, ATTR_INDEX_ALLOCATION, ATTR_INDEX_ROOT, parseFileName, readRef, type FileRef } from '../../layout/ntfs-record.ts';
import { fitU16 as u16, fitU32 as u32 } from '../../layout/le.ts';
import { decodeRuns } from './runlist.ts';
import { Folders, refersTo, type Node, type RemnantName } from './model.ts';

/** Bound on index blocks read for remnants (16 MiB at 4 KiB blocks). */
const MAX_BLOCKS = 4096;

export interface IndxEntry extends RemnantName {
  readonly ref: FileRef;
}

/** Entries naming children of directory `dir` (whose parent reference still names it: an entry
 * of an earlier occupant of the record is not its child), from the valid area and the slack alike. */
export function indxEntries(block: Uint8Array, dir: { readonly num: number; readonly seq: number; readonly inUse: boolean }, nodeHeader = 0x18): IndxEntry[] {
  const out: IndxEntry[] = [];
  // The index node header (at 0x18 in an INDX block, 0x10 in $INDEX_ROOT) says where entries
  // start. Scan 8-aligned positions from there to the end: valid entries and slack remnants have
  // the same shape.
  const start = nodeHeader + u32(block, nodeHeader);
  if (start < nodeHeader + 0x10 || start >= block.length) return out;
  for (let p = start; p + 0x52 <= block.length; p += 8) {
    const entLen = u16(block, p + 8);
    const strLen = u16(block, p + 10);
    if (entLen < 0x52 || entLen % 8 !== 0 || strLen < 0x42 || 0x10 + strLen > entLen) continue;
    const fn = block.subarray(p + 0x10, Math.min(block.length, p + 0x10 + strLen));
    const f = parseFileName(fn);
    if (!f || f.parent.num !== dir.num || !refersTo(f.parent, dir) || 0x42 + f.name.length * 2 > strLen) continue;
    out.push({ ref: readRef(block, p), name: f.name, parent: f.parent, isDir: f.isDir });
  }
  return out;
}

/**
 * Names for references no record answers for, keyed "num:seq". Only when some file's parent chain
 * is broken is anything read.
 */
export async function indxRemnants(
  reader: MediaReader,
  nodes: readonly Node[],
  boot: NtfsBoot,
  volOffset: number,
  problems: FsProblem[],
): Promise<Map<string, RemnantName>> {
  const out = new Map<string, RemnantName>();
  const plain = new Folders(nodes);
  const missing = nodes.some((n) => !n.isDir && n.name && plain.resolve(n.name.parent, n.offset).path === null);
  if (!missing) return out;
  let blocks = 0;
  const bs = boot.indexRecordSize;
  for (const dir of nodes) {
    if (!dir.isDir) continue;
    const root = dir.attrs.find((a) => a.type === ATTR_INDEX_ROOT && a.resident && a.name === '$I30');
    const add = (e: IndxEntry) => {
      const k = `${e.ref.num}:${e.ref.seq}`;
      if (!out.has(k)) out.set(k, { name: e.name, parent: e.parent, isDir: e.isDir });
    };
    if (root?.value) for (const e of indxEntries(root.value, dir, 0x10)) add(e);
    const ia = dir.attrs.find((a) => a.type === ATTR_INDEX_ALLOCATION && !a.resident && a.name === '$I30');
    if (!ia || ia.startVcn !== 0) continue;
    const r = decodeRuns(ia.runs!, ia.startVcn!, ia.lastVcn!, boot.totalClusters);
    if (!r.ok) continue;
    for (const run of r.runs) {
      if (run.lcn === null) continue;
      const bytes = run.length * boot.clusterSize;
      for (let o = 0; o + bs <= bytes; o += bs) {
        if (++blocks > MAX_BLOCKS) {
          problems.push({ at: volOffset, what: 'INDX remnant search stopped at its bound' });
          return out;
        }
        const raw = await reader.read(volOffset + run.lcn * boot.clusterSize + o, bs);
        if (!raw || raw[0] !== 0x49 || raw[1] !== 0x4e || raw[2] !== 0x44 || raw[3] !== 0x58) continue;
        const blk = applyFixups(raw, bs);
        if (!blk) continue;
        for (const e of indxEntries(blk, dir)) add(e);
      }
    }
  }
  return out;
}

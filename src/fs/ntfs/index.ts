// NTFS analyser: boot sector (or its backup), $MFT through its own run list ($MFTMirr for the
// first records), every record live or deleted → FileEvidence 'ntfs-mft'.

import type { Candidate } from '../../carve/types.ts';
import type { FileEvidence, FsProblem, MediaReader, Volume } from '../types.ts';
import { identifyKeyFile } from '../../format/key-file-id.ts';
import { parseNtfsBoot, probeNtfs, volumeStartFromBackup, type NtfsBoot } from './boot.ts';
import {
  applyFixups,
  ATTR_ATTRIBUTE_LIST,
  ATTR_DATA,
  ATTR_FILE_NAME,
  ATTR_INDEX_ALLOCATION,
  ATTR_INDEX_ROOT,
  ATTR_STANDARD_INFORMATION,
  ATTR_VOLUME_NAME,
  parseAttributeList,
  parseRecord,
  type Attribute,
  type MftRecord,
} from '../../layout/ntfs-record.ts';
import { decodeRuns, runsOverlap, type Run } from './runlist.ts';
import { baseEvidence, buildNodes, confirmed, dataOf, Folders, type Confirm, type Node, type PlacedRecord } from './model.ts';
import { evidenceFromNodes, placeRecords } from './records.ts';
import { indxRemnants } from './indx.ts';

export { probeNtfs, parseNtfsBoot, volumeStartFromBackup };
export { filesFromRecords } from './records.ts';

export interface NtfsOptions {
  readonly confirm?: Confirm;
  /** FILE records carved by the linear pass ('ntfs-record' candidates); those inside this volume
   * but outside the walked $MFT (stale fragments, or all of them when $MFT is unreadable) add files. */
  readonly records?: readonly Candidate[];
  readonly foundBy?: Volume['foundBy'];
  /** Where a carved backup boot sector of this volume lies, when the primary may be gone. */
  readonly backupAt?: number;
}

export interface NtfsAnalysis {
  volume: Volume;
  files: FileEvidence[];
  problems: FsProblem[];
}

/** Upper bound on records walked (a 4 GiB $MFT); flash drives hold far fewer. */
const MAX_RECORDS = 4 * 1024 * 1024;
const BATCH = 256 * 1024;
/** Files up to this size have their first bytes checked by `confirm` (key files are ≤ ~2 KiB). */
const CONFIRM_MAX = 32 * 1024;
/** Sparse / partly initialised files up to this size are materialised (zeros filled in). */
const MATERIALISE_MAX = 1024 * 1024;
const KEEP = new Set([ATTR_STANDARD_INFORMATION, ATTR_ATTRIBUTE_LIST, ATTR_FILE_NAME, ATTR_VOLUME_NAME, ATTR_DATA, ATTR_INDEX_ROOT, ATTR_INDEX_ALLOCATION]);

/** Keeps the attributes we use, copied out of the read buffer (so batches can be released). */
function slim(rec: MftRecord): MftRecord {
  const attributes: Attribute[] = [];
  for (const a of rec.attributes) {
    if (!KEEP.has(a.type)) continue;
    const c: Attribute = { ...a };
    if (a.value) (c as { value?: Uint8Array }).value = a.value.slice();
    if (a.runs) (c as { runs?: Uint8Array }).runs = a.runs.slice();
    attributes.push(c);
  }
  return { ...rec, attributes };
}

async function readBoot(reader: MediaReader, volumeOffset: number, backupAt?: number): Promise<{ boot: NtfsBoot; backup: boolean } | null> {
  const primary = await reader.read(volumeOffset, 512);
  const p = primary ? parseNtfsBoot(primary) : null;
  if (p) return { boot: p, backup: false };
  // A backup boot sector the scan carved elsewhere (a partition that does not reach the end).
  if (backupAt !== undefined) {
    const s = await reader.read(backupAt, 512);
    const b = s ? parseNtfsBoot(s) : null;
    if (b && volumeStartFromBackup(b, backupAt) === volumeOffset) return { boot: b, backup: true };
  }
  // The backup is the volume's last sector; without the primary we only know where the medium
  // ends, so try the common case of a volume reaching it and keep it only if it points back here.
  for (const bps of [512, 4096]) {
    const at = reader.size - bps;
    if (at <= volumeOffset) continue;
    const s = await reader.read(at, 512);
    const b = s ? parseNtfsBoot(s) : null;
    if (b && b.bytesPerSector === bps && volumeStartFromBackup(b, at) === volumeOffset) return { boot: b, backup: true };
  }
  return null;
}

async function readRecordAt(reader: MediaReader, at: number, size: number): Promise<MftRecord | null> {
  const raw = await reader.read(at, size);
  if (!raw || raw.length < size) return null;
  const fixed = applyFixups(raw, size);
  if (!fixed) return null;
  const r = parseRecord(fixed);
  return r.ok ? r.record : null;
}

/**
 * Byte position of MFT record `n` via the $MFT run list (runs in VCN order), or null. The walk asks
 * for ascending records, so the run found last is tried first: the walk is linear in records + runs.
 */
function recordPositions(runs: readonly Run[], boot: NtfsBoot, volOffset: number): (n: number) => number | null {
  let i = 0;
  return (n) => {
    const byte = n * boot.recordSize;
    const vcn = Math.floor(byte / boot.clusterSize);
    if (i >= runs.length || vcn < runs[i]!.vcn) i = 0;
    while (i < runs.length && vcn >= runs[i]!.vcn + runs[i]!.length) i++;
    const r = runs[i];
    if (!r || vcn < r.vcn || r.lcn === null) return null;
    return volOffset + (r.lcn + vcn - r.vcn) * boot.clusterSize + (byte % boot.clusterSize);
  };
}

/** $MFT's own $DATA run list, following its attribute list into extension records (bounded). */
async function mftRuns(
  reader: MediaReader,
  rec0: MftRecord,
  boot: NtfsBoot,
  volOffset: number,
  problems: FsProblem[],
): Promise<{ runs: Run[]; size: number } | null> {
  const segs: Attribute[] = rec0.attributes.filter((a) => a.type === ATTR_DATA && a.name === '' && !a.resident);
  const first = segs.find((a) => a.startVcn === 0);
  if (!first || first.realSize! <= 0) return null;
  const list = rec0.attributes.find((a) => a.type === ATTR_ATTRIBUTE_LIST && a.resident);
  const decode = (ss: Attribute[]): Run[] | null => {
    const out: Run[] = [];
    let vcn = 0;
    for (const s of [...ss].sort((a, b) => a.startVcn! - b.startVcn!)) {
      if (s.startVcn !== vcn) break; // the rest waits for an extension record
      const r = decodeRuns(s.runs!, s.startVcn!, s.lastVcn!, boot.totalClusters);
      if (!r.ok) {
        problems.push({ at: volOffset, what: `$MFT run list: ${r.why}` });
        return null;
      }
      out.push(...r.runs);
      vcn = s.lastVcn! + 1;
    }
    return runsOverlap(out) ? null : out;
  };
  let runs = decode(segs);
  if (!runs) return null;
  if (list?.value) {
    const entries = parseAttributeList(list.value).entries.filter((e) => e.type === ATTR_DATA && e.name === '' && e.ref.num !== 0);
    const loaded = new Set<number>();
    // Each pass may map further records; bounded by the number of distinct entries.
    for (let pass = 0; pass < 8 && entries.some((e) => !loaded.has(e.ref.num)); pass++) {
      let progress = false;
      for (const e of entries) {
        if (loaded.has(e.ref.num)) continue;
        const at = recordPositions(runs, boot, volOffset)(e.ref.num);
        if (at === null) continue;
        loaded.add(e.ref.num);
        const ext = await readRecordAt(reader, at, boot.recordSize);
        // $MFT never moves: its extensions are in use, and the list's sequence must be theirs.
        if (!ext || ext.base.num !== 0 || !ext.inUse || (e.ref.seq !== 0 && e.ref.seq !== ext.seq)) continue;
        segs.push(...ext.attributes.filter((a) => a.type === ATTR_DATA && a.name === '' && !a.resident));
        progress = true;
      }
      if (!progress) break;
      runs = decode(segs);
      if (!runs) return null;
    }
  }
  return { runs, size: first.realSize! };
}

function volumeLabel(rec: MftRecord | null): string {
  const a = rec?.attributes.find((x) => x.type === ATTR_VOLUME_NAME && x.resident);
  if (!a?.value) return '';
  let s = '';
  for (let i = 0; i + 1 < a.value.length && i < 256; i += 2) s += String.fromCharCode(a.value[i]! | (a.value[i + 1]! << 8));
  return s;
}

/** Reads a file's data through its runs, zero-filling sparse and uninitialised parts. */
async function materialise(reader: MediaReader, runs: readonly Run[], size: number, initialized: number, boot: NtfsBoot, volOffset: number) {
  const out = new Uint8Array(size);
  let pos = 0;
  for (const r of runs) {
    if (pos >= initialized) break;
    const len = Math.min(r.length * boot.clusterSize, initialized - pos);
    if (r.lcn !== null) {
      const b = await reader.read(volOffset + r.lcn * boot.clusterSize, len);
      if (!b) return null;
      out.set(b.subarray(0, len), pos);
    }
    pos += len;
  }
  return out;
}

async function readExtents(reader: MediaReader, ev: FileEvidence, max: number): Promise<Uint8Array | null> {
  const n = Math.min(ev.size, max);
  const out = new Uint8Array(n);
  let pos = 0;
  for (const e of ev.extents) {
    if (pos >= n) break;
    const len = Math.min(e.length, n - pos);
    const b = await reader.read(e.offset, len);
    if (!b || b.length < len) return null;
    out.set(b.subarray(0, len), pos);
    pos += len;
  }
  return out;
}

export async function analyseNtfs(reader: MediaReader, volumeOffset: number, opts: NtfsOptions = {}): Promise<NtfsAnalysis | null> {
  const problems: FsProblem[] = [];
  const confirm = opts.confirm ?? identifyKeyFile;
  const found = await readBoot(reader, volumeOffset, opts.backupAt);
  if (!found) return null;
  const { boot } = found;
  if (found.backup) problems.push({ at: volumeOffset, what: 'NTFS primary boot sector unreadable; using the backup at the end of the volume' });
  const volSize = (boot.totalSectors + 1) * boot.bytesPerSector;
  const mftAt = volumeOffset + boot.mftLcn * boot.clusterSize;
  const mirrAt = volumeOffset + boot.mftMirrLcn * boot.clusterSize;

  // $MFT record 0, else its mirror copy.
  let rec0 = await readRecordAt(reader, mftAt, boot.recordSize);
  let mft = rec0 ? await mftRuns(reader, rec0, boot, volumeOffset, problems) : null;
  if (!mft) {
    problems.push({ at: mftAt, what: '$MFT record 0 unusable; trying $MFTMirr' });
    rec0 = await readRecordAt(reader, mirrAt, boot.recordSize);
    mft = rec0 ? await mftRuns(reader, rec0, boot, volumeOffset, problems) : null;
    if (!mft) problems.push({ at: mirrAt, what: '$MFTMirr record 0 unusable; the $MFT cannot be walked' });
  }

  const placed: PlacedRecord[] = [];
  const walked = new Set<number>();
  let skipped = 0;
  if (mft) {
    const count = Math.min(MAX_RECORDS, Math.floor(mft.size / boot.recordSize));
    // The mirror holds copies of the first records (at least 4): used when the originals fail.
    const mirrCount = Math.max(4, Math.min(16, Math.floor(boot.clusterSize / boot.recordSize)));
    const perBatch = Math.max(1, Math.floor(BATCH / boot.recordSize));
    const recordPos = recordPositions(mft.runs, boot, volumeOffset);
    for (let n = 0; n < count; ) {
      const at = recordPos(n);
      if (at === null) {
        n++;
        continue;
      }
      // Batch over records contiguous on disk.
      let k = 1;
      while (k < perBatch && n + k < count && recordPos(n + k) === at + k * boot.recordSize) k++;
      const buf = await reader.read(at, k * boot.recordSize);
      for (let i = 0; i < k; i++) {
        const num = n + i;
        const off = at + i * boot.recordSize;
        walked.add(off);
        const raw = buf && buf.length >= (i + 1) * boot.recordSize ? buf.subarray(i * boot.recordSize, (i + 1) * boot.recordSize) : null;
        let rec: MftRecord | null = null;
        let why = 'unreadable';
        if (raw && raw[0] === 0x46 && raw[1] === 0x49 && raw[2] === 0x4c && raw[3] === 0x45) {
          const fixed = applyFixups(raw, boot.recordSize);
          if (!fixed) why = 'bad fix-up';
          else {
            const r = parseRecord(fixed);
            if (r.ok) rec = r.record;
            else why = r.why;
          }
        } else if (raw) why = ''; // never used or wiped: not a problem
        if (!rec && num < mirrCount) {
          const m = await readRecordAt(reader, mirrAt + num * boot.recordSize, boot.recordSize);
          if (m) {
            rec = m;
            problems.push({ at: off, what: `MFT record ${num} taken from $MFTMirr` });
          }
        }
        if (rec) placed.push({ num, offset: off, rec: slim(rec) });
        else if (why) {
          skipped++;
          if (skipped <= 100) problems.push({ at: off, what: `MFT record ${num} skipped: ${why}` });
        }
      }
      n += k;
    }
    if (skipped > 100) problems.push({ at: mftAt, what: `${skipped} MFT records skipped in all` });
  }

  // Carved records inside this volume that the walk did not cover.
  const extra = (opts.records ?? []).filter((c) => c.offset >= volumeOffset && c.offset < volumeOffset + volSize && !walked.has(c.offset));
  const extraPlaced = placeRecords(extra, problems);

  const nodes = buildNodes(placed, problems);
  const extraNodes = buildNodes(extraPlaced, problems);
  const allNodes = [...nodes, ...extraNodes];
  const remnants = await indxRemnants(reader, allNodes, boot, volumeOffset, problems);
  const folders = new Folders(allNodes, remnants);
  const volume = { offset: volumeOffset, clusterSize: boot.clusterSize, totalClusters: boot.totalClusters };
  const a = evidenceFromNodes(nodes, folders, volume, confirm, problems);
  const b = evidenceFromNodes(extraNodes, folders, volume, confirm, problems);
  const files: FileEvidence[] = [...a.files];
  const walkedKeys = new Set(a.files.map((f) => `${f.folderKey}/${f.name}/${f.size}/${f.deleted}`));
  for (const f of b.files) if (!walkedKeys.has(`${f.folderKey}/${f.name}/${f.size}/${f.deleted}`)) files.push(f);

  // Sparse or partly initialised data: small files come back materialised with their zeros.
  for (const h of [...a.holes, ...b.holes]) {
    const d = dataOf(h.node, boot.totalClusters, boot.clusterSize);
    if (d.kind !== 'runs' || d.size > MATERIALISE_MAX) {
      problems.push({ at: h.node.offset, what: `record ${h.node.num}: sparse data too large to materialise` });
      continue;
    }
    const bytes = await materialise(reader, d.runs, d.size, d.initialized, boot, volumeOffset);
    if (!bytes) {
      problems.push({ at: h.node.offset, what: `record ${h.node.num}: data unreadable` });
      continue;
    }
    const base = baseEvidence(h.node, folders, volumeOffset, String(volumeOffset));
    files.push({ ...base, size: d.size, extents: [], resident: bytes, confirmed: confirmed(confirm, bytes, d.size) });
  }

  // Non-resident small files: confirm that the clusters still hold what the record describes.
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    if (f.resident || f.size === 0 || f.size > CONFIRM_MAX || !f.extents.length) continue;
    const bytes = await readExtents(reader, f, f.size);
    if (bytes) {
      let ok = false;
      try {
        const r = confirm(bytes);
        ok = r !== null && r.length === f.size;
      } catch {
        ok = false;
      }
      if (ok) files[i] = { ...f, confirmed: true };
    }
  }

  const label = volumeLabel(placed.find((p) => p.num === 3)?.rec ?? null);
  const vol: Volume = {
    type: 'ntfs',
    offset: volumeOffset,
    size: volSize,
    clusterSize: boot.clusterSize,
    label,
    foundBy: found.backup ? 'backup-boot' : (opts.foundBy ?? (volumeOffset === 0 ? 'superfloppy' : 'mbr')),
  };
  return { volume: vol, files, problems };
}

export type { Node };

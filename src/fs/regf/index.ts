/**
 * CryptoPro containers kept in the registry (docs/registry.md §1, §2.7–2.8). A hive is a file the
 * file systems already found, so this runs inside the file-system stage, after the drivers: it reads
 * each hive file, and turns every container value it holds into one more FileEvidence ('registry'):
 * live keys under `…\Crypto Pro\Settings[\Users\<SID>]\Keys\<name>` tied by their key (folderKey),
 * deleted vk records in free cells tied by the key or value list that still names them (owners.ts),
 * else loose (the reassembler's cryptographic pairing groups those). A dirty hive is read after its
 * transaction logs (log.ts); hives no file lists come from carved.ts through containersIn.
 */
import { identifyKeyFile } from '../../format/key-file-id.ts';
import { KEY_FILE_KIND, keyFileName } from '../../format/key-file-names.ts';
import type { ByteRange } from '../../source/types.ts';
import type { FileEvidence, FsProblem, MediaReader } from '../types.ts';
import { readExact } from '../read-exact.ts';
import { cellAt, cells, keyAt, openHive, parseVk, subkeyOffsets, valueData, valueOffsets, type FileRange, type Hive, type KeyNode, type ValueKey } from './hive.ts';
import { PROFILE_LIST, profilePaths } from './profile-list.ts';
import { containerVks, keyPath, valueOwners } from './owners.ts';
import { toSource } from './source-map.ts';
import { replayLogs, type LogFile } from './log.ts';
import { u32 } from '../../layout/le.ts';

/** A hive larger than this is read no further (SOFTWARE hives are tens to a few hundred MiB). */
export const MAX_HIVE_BYTES = 512 * 1024 * 1024;
/** Files whose content is probed for a regf base block when their name says nothing. */
const MAX_PROBES = 20_000;

const HIVE_NAME = /^(software|.*\.hiv|.*\.dat)$/i;

/** The container stores inside a SOFTWARE hive, below its root ([WOW6432Node\]Crypto Pro\Settings…). */
interface Store {
  readonly keys: KeyNode;
  /** "Settings\Users\<SID>\Keys" or "Settings\Keys", with the prefix as the hive spells it. */
  readonly path: string;
}

/** Registry evidence from every hive among the files: by name, or by a regf base block; the
 * profile path of every SID their ProfileList keys name; and the extents of the hives read. */
export async function filesFromHives(files: readonly FileEvidence[], reader: MediaReader): Promise<{ files: FileEvidence[]; problems: FsProblem[]; hives: ByteRange[]; profiles: Map<string, string> }> {
  const out: FileEvidence[] = [];
  const problems: FsProblem[] = [];
  const profiles = new Map<string, string>();
  /** The extents of every hive file read: the carved hives and bins inside them are these. */
  const hives: ByteRange[] = [];
  let probes = 0;
  for (const f of files) {
    if (f.size < 8192 || f.extents.length === 0 || f.size > MAX_HIVE_BYTES) continue;
    if (!HIVE_NAME.test(f.name)) {
      if (++probes > MAX_PROBES) continue;
      const head = await readExact(reader, f.extents[0]!.offset, 4);
      if (!head || Buffer.from(head).toString('latin1') !== 'regf') continue;
    }
    const bytes = await readFile(f, reader);
    const at = f.extents[0]!.offset;
    const where = `${f.parentPath ?? ''}/${f.name}`.replace(/^\/+/, '/');
    if (!bytes) {
      problems.push({ at, what: `hive ${where}: its bytes could not be read` });
      continue;
    }
    const logged = isDirtyHive(bytes) ? await replayed(bytes, f, files, reader) : { bytes, file: f, applied: '', problems: [] };
    const r = containersInHive(logged.bytes, logged.file, { note: `registry: in hive file ${where}${f.deleted ? ' (deleted)' : ''}${logged.applied}` });
    if (typeof r === 'string') continue; // a .dat that is no hive: nothing to say
    hives.push(...f.extents);
    out.push(...r.files);
    for (const [sid, p] of r.profiles) if (!profiles.has(sid)) profiles.set(sid, p);
    problems.push(...[...logged.problems, ...r.problems].slice(0, 50).map((p) => ({ at, what: `hive ${where}: ${p}` })));
  }
  return { files: out, problems, hives, profiles };
}

const isDirtyHive = (b: Uint8Array) => Buffer.from(b.subarray(0, 4)).toString('latin1') === 'regf' && u32(b, 4) !== u32(b, 8);

/** A dirty hive after the .LOG1/.LOG2 the file system lists beside it (log.ts); `file` maps the
 * replayed bytes onto the source (pages from a log point into the log file). */
async function replayed(bytes: Uint8Array, f: FileEvidence, files: readonly FileEvidence[], reader: MediaReader): Promise<{ bytes: Uint8Array; file: FileEvidence; applied: string; problems: string[] }> {
  const logs: LogFile[] = [];
  for (const suffix of ['.LOG1', '.LOG2']) {
    const want = (f.name + suffix).toLowerCase();
    // A live log before a deleted one of the same name.
    const g = files.filter((x) => x.volumeOffset === f.volumeOffset && x.parentPath === f.parentPath && x.name.toLowerCase() === want && x.size <= MAX_HIVE_BYTES).sort((a, b) => Number(a.deleted) - Number(b.deleted))[0];
    const b = g ? await readFile(g, reader) : null;
    if (g && b) logs.push({ name: g.name, bytes: b, extents: g.extents });
  }
  if (logs.length === 0) return { bytes, file: f, applied: '', problems: [] }; // openHive says the hive is dirty
  const r = replayLogs(bytes, f.extents, logs);
  const applied = r.applied ? `, after ${r.applied} log ${r.applied === 1 ? 'entry' : 'entries'} from ${r.from.join(' and ')}` : '';
  return { bytes: r.bytes, file: { ...f, size: r.bytes.length, extents: r.extents }, applied, problems: r.problems };
}

/** A listed file's bytes through its extents; null when a read fails or comes short. */
export async function readFile(f: FileEvidence, reader: MediaReader): Promise<Uint8Array | null> {
  const out = new Uint8Array(f.size);
  let pos = 0;
  for (const e of f.extents) {
    if (pos >= f.size) break;
    const b = await readExact(reader, e.offset, Math.min(e.length, f.size - pos));
    if (!b) return null;
    out.set(b.subarray(0, Math.min(e.length, f.size - pos)), pos);
    pos += b.length;
  }
  return pos >= f.size ? out : null;
}

/** Where a hive's values came from, when no file lists the hive (said in each container's report). */
export interface HiveOrigin {
  readonly note?: string;
  /** A run of bins without base block or root: its allocated values count too. */
  readonly fragment?: boolean;
}

/** The container values of one hive (its bytes, read from file `f`) as file evidence. */
export function containersInHive(bytes: Uint8Array, f: FileEvidence, origin: HiveOrigin = {}): { files: FileEvidence[]; problems: string[]; profiles: Map<string, string> } | string {
  const h = openHive(bytes);
  return typeof h === 'string' ? h : containersIn(h, f, origin);
}

/** The container values of an opened hive or run of bins; `f` maps its bytes onto the source. */
export function containersIn(h: Hive, f: FileEvidence, origin: HiveOrigin = {}): { files: FileEvidence[]; problems: string[]; profiles: Map<string, string> } {
  const problems = [...h.problems];
  const files: FileEvidence[] = [];
  const live = { data: new Set<number>(), vks: new Set<number>() };
  const hiveKey = `registry:${f.extents[0]!.offset}`;
  for (const store of origin.fragment ? [] : findStores(h, problems)) {
    for (const off of subkeyOffsets(h, store.keys, problems)) {
      const key = keyAt(h, off);
      if (!key) {
        problems.push(`${store.path}: subkey at ${off} is no key node`);
        continue;
      }
      const path = `HKLM\\SOFTWARE\\${store.path}\\${key.name}`;
      for (const vk of containerValues(h, key, problems)) {
        const ev = evidenceOf(h, vk, f, { path, folderKey: `${hiveKey}:${key.off}`, deleted: false, note: origin.note }, problems);
        if (ev) files.push(ev), live.data.add(vk.dataOff), live.vks.add(vk.off);
      }
    }
  }
  files.push(...unlistedValues(h, f, live, { hiveKey, ...origin }, problems));
  const root = origin.fragment ? null : keyAt(h, h.root);
  const list = root ? path(h, root, PROFILE_LIST, problems) : null;
  return { files, problems, profiles: list ? profilePaths(h, list, problems) : new Map() };
}

/** Case-insensitive child by name; loops and bad offsets are skipped (a list is read once). */
function child(h: Hive, nk: KeyNode, name: string, problems: string[]): KeyNode | null {
  const want = name.toLowerCase();
  for (const off of subkeyOffsets(h, nk, problems)) {
    if (off === nk.off) continue; // a list naming its own key
    const k = keyAt(h, off);
    if (!k) problems.push(`key ${nk.name}: subkey at ${off} is no key node`);
    else if (k.name.toLowerCase() === want) return k;
  }
  return null;
}

function path(h: Hive, from: KeyNode, names: readonly string[], problems: string[]): KeyNode | null {
  let k: KeyNode | null = from;
  for (const n of names) if (k) k = child(h, k, n, problems);
  return k;
}

/** Both stores, with and without WOW6432Node: the machine's and every SID's. */
function findStores(h: Hive, problems: string[]): Store[] {
  const root = keyAt(h, h.root);
  if (!root) {
    problems.push(`root key at ${h.root} is no key node`);
    return [];
  }
  const stores: Store[] = [];
  const seen = new Set<number>();
  for (const prefix of [['WOW6432Node', 'Crypto Pro', 'Settings'], ['Crypto Pro', 'Settings']]) {
    const settings = path(h, root, prefix, problems);
    if (!settings || seen.has(settings.off)) continue;
    seen.add(settings.off);
    const base = prefix.join('\\');
    const machine = child(h, settings, 'Keys', problems);
    if (machine) stores.push({ keys: machine, path: `${base}\\Keys` });
    const users = child(h, settings, 'Users', problems);
    for (const off of users ? subkeyOffsets(h, users, problems) : []) {
      const sid = off === users!.off ? null : keyAt(h, off);
      const keys = sid ? child(h, sid, 'Keys', problems) : null;
      if (sid && keys && !seen.has(keys.off)) seen.add(keys.off), stores.push({ keys, path: `${base}\\Users\\${sid.name}\\Keys` });
    }
  }
  return stores;
}

/** The key's values named like the container files. */
function containerValues(h: Hive, key: KeyNode, problems: string[]): ValueKey[] {
  const out: ValueKey[] = [];
  for (const off of valueOffsets(h, key, problems)) {
    const c = cellAt(h, off);
    const vk = c ? parseVk(c.data, off) : null;
    if (vk && keyFileName(vk.name)) out.push(vk);
  }
  return out;
}

function evidenceOf(h: Hive, vk: ValueKey, f: FileEvidence, at: { path: string | null; folderKey: string | null; deleted: boolean; note?: string | undefined }, problems: string[]): FileEvidence | null {
  const ranges = valueData(h, vk);
  if (typeof ranges === 'string') {
    if (!at.deleted) problems.push(`${at.path}\\${vk.name}: ${ranges}`);
    return null;
  }
  // A freed vk may point at a data cell reused since: only bytes of the promised kind count.
  if (at.deleted && !holdsKind(h, ranges, vk)) return null;
  return {
    evidence: 'registry',
    name: keyFileName(vk.name)!,
    parentName: null, // the folder is named from name.key, as CryptoPro's registry→folder copy does
    parentPath: at.path,
    folderKey: at.folderKey,
    ...(at.note ? { folderNote: at.note } : {}),
    deleted: at.deleted || f.deleted,
    size: vk.size,
    extents: toSource(ranges, f.extents),
    confirmed: true,
    volumeOffset: f.volumeOffset,
  };
}

/** Values no live key lists: freed ones (and, in a fragment, allocated ones), grouped by the key
 * or value list that still names them (owners.ts); the rest go loose to cryptographic pairing. */
function unlistedValues(h: Hive, f: FileEvidence, live: { data: ReadonlySet<number>; vks: ReadonlySet<number> }, origin: HiveOrigin & { hiveKey: string }, problems: string[]): FileEvidence[] {
  const vks = containerVks(h, origin.fragment === true, problems);
  for (const o of live.vks) vks.delete(o);
  const owners = valueOwners(h, vks);
  // Stale copies share a data cell: the one an owner names goes first.
  const order = [...vks.values()].sort((a, b) => Number(owners.has(b.off)) - Number(owners.has(a.off)));
  const out: FileEvidence[] = [];
  const seen = new Set<number>(live.data);
  for (const vk of order) {
    if (seen.has(vk.dataOff)) continue;
    seen.add(vk.dataOff);
    const owner = owners.get(vk.off);
    const path = owner?.nk ? keyPath(h, owner.nk) : null;
    const ev = evidenceOf(h, vk, f, { path, folderKey: owner ? `${origin.hiveKey}:${owner.id}` : null, deleted: true, note: origin.note }, problems);
    if (ev) out.push(ev);
  }
  return out;
}

function holdsKind(h: Hive, ranges: readonly FileRange[], vk: ValueKey): boolean {
  const b = new Uint8Array(vk.size);
  let pos = 0;
  for (const r of ranges) b.set(h.bytes.subarray(r.off, r.off + r.len), pos), (pos += r.len);
  const id = identifyKeyFile(b);
  return id !== null && id.kind === KEY_FILE_KIND[keyFileName(vk.name)!] && id.length === vk.size;
}

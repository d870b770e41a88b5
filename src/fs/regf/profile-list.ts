/**
 * Whose a per-user store is (docs/registry.md §2.10 step 5): the SOFTWARE hive's
 * `Microsoft\Windows NT\CurrentVersion\ProfileList\<SID>` keys name each user's profile folder in
 * `ProfileImagePath` (REG_EXPAND_SZ, UTF-16LE). The registry evidence of a store
 * `Settings\Users\<SID>\Keys` — a hive's keys or a .reg export's — then carries that path.
 */
import type { FileEvidence } from '../types.ts';
import { cellAt, keyAt, parseVk, subkeyOffsets, valueData, valueOffsets, type Hive, type KeyNode } from './hive.ts';

/** Below the hive root. */
export const PROFILE_LIST = ['Microsoft', 'Windows NT', 'CurrentVersion', 'ProfileList'] as const;
/** A Windows path is at most 32767 UTF-16 units. */
const MAX_PATH_BYTES = 65_536;
const REG_SZ = 1;
const REG_EXPAND_SZ = 2;

/** SID (upper case) → profile path, from the ProfileList key of a hive. */
export function profilePaths(h: Hive, list: KeyNode, problems: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const off of subkeyOffsets(h, list, problems)) {
    const sid = off === list.off ? null : keyAt(h, off);
    const path = sid ? profileImagePath(h, sid, problems) : null;
    if (sid && path) out.set(sid.name.toUpperCase(), path);
  }
  return out;
}

function profileImagePath(h: Hive, sid: KeyNode, problems: string[]): string | null {
  for (const off of valueOffsets(h, sid, problems)) {
    const c = cellAt(h, off);
    const vk = c ? parseVk(c.data, off) : null;
    if (!vk || vk.name.toLowerCase() !== 'profileimagepath' || (vk.type !== REG_SZ && vk.type !== REG_EXPAND_SZ) || vk.size > MAX_PATH_BYTES) continue;
    const ranges = valueData(h, vk);
    if (typeof ranges === 'string') continue;
    const text = Buffer.concat(ranges.map((r) => h.bytes.subarray(r.off, r.off + r.len)));
    const s = text.subarray(0, text.length & ~1).toString('utf16le').replace(/\0.*$/s, '');
    return s.length ? s : null;
  }
  return null;
}

const USER_STORE = /\\Users\\([^\\]+)\\Keys\\/i;

/** The registry evidence of every user store whose SID a ProfileList names, with that profile path. */
export function withProfiles(files: readonly FileEvidence[], profiles: ReadonlyMap<string, string>): FileEvidence[] {
  if (profiles.size === 0) return [...files];
  return files.map((f) => {
    if (f.evidence !== 'registry' && f.evidence !== 'reg-export') return f;
    const sid = f.parentPath ? USER_STORE.exec(f.parentPath)?.[1] : undefined;
    const profilePath = sid ? profiles.get(sid.toUpperCase()) : undefined;
    return profilePath ? { ...f, profilePath } : f;
  });
}

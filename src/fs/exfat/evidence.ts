import type { FileEvidence } from '../types.ts';
import type { EntrySet } from '../../layout/exfat-entry-set.ts';

/** One FileEvidence from an entry set and what the walk or the orphan grouping knows. */
export function fileEvidence(
  set: EntrySet,
  extents: FileEvidence['extents'],
  confirmed: boolean,
  deleted: boolean,
  parent: { name: string | null; path: string | null; key: string | null },
  volumeOffset: number,
  evidence: FileEvidence['evidence'],
): FileEvidence {
  const times: { created?: string; modified?: string; accessed?: string } = {};
  if (set.times.created) times.created = set.times.created;
  if (set.times.modified) times.modified = set.times.modified;
  if (set.times.accessed) times.accessed = set.times.accessed;
  return {
    evidence,
    name: set.name,
    parentName: parent.name,
    parentPath: parent.path,
    folderKey: parent.key,
    deleted,
    size: set.dataLength,
    extents,
    confirmed,
    times,
    volumeOffset,
  };
}


import type { ByteRange } from '../source/types.ts';

export type { MediaReader } from '../source/types.ts';

export type VolumeType = 'fat12' | 'fat16' | 'fat32' | 'exfat' | 'ntfs';
/** 'input-file': a file handed to `assemble` (its folder counts like a file system's); 'registry': a value of a hive's key;
 * 'reg-export': a value of a key in registry export text (.reg), decoded from its hex. */
export type EvidenceKind = 'fat-entry' | 'exfat-entry' | 'ntfs-mft' | 'orphan-dir' | 'registry' | 'reg-export' | 'carved' | 'crypto-pairing' | 'input-file';

export interface Volume {
  readonly type: VolumeType;
  /** Absolute offset of the volume's first byte on the source. */
  readonly offset: number;
  readonly size: number;
  readonly clusterSize: number;
  readonly label: string;
  /** How the volume was found: partition table entry, superfloppy, backup boot sector, carved. */
  readonly foundBy: 'mbr' | 'gpt' | 'superfloppy' | 'backup-boot' | 'carved';
}

/** What a file system says about one file (live or deleted). */
export interface FileEvidence {
  readonly evidence: EvidenceKind;
  /** Long name when known, else the 8.3 name, with a restored first letter when it was deleted. */
  readonly name: string;
  /** Name of the folder holding it, when known ("abcdefgh.000"). */
  readonly parentName: string | null;
  /** Full path of the parent folder from the volume root, when known ("/Клиенты/abcdefgh.000"). */
  readonly parentPath: string | null;
  /** A key that is equal for files in the same folder (e.g. "fat:<volOffset>:<dirCluster>"). */
  readonly folderKey: string | null;
  /** Why the folder has no name although the file names one (its record now holds another file). */
  readonly folderNote?: string;
  readonly deleted: boolean;
  readonly size: number;
  /** Absolute extents on the source, in file order. Empty for resident data. */
  readonly extents: readonly ByteRange[];
  /** NTFS-resident data, when the bytes live inside the record. */
  readonly resident?: Uint8Array;
  /** True when the extents were confirmed (by shape/MAC/size) rather than only computed. */
  readonly confirmed: boolean;
  readonly times?: { readonly created?: string; readonly modified?: string; readonly accessed?: string };
  readonly volumeOffset: number;
  /** The file the bytes were read from: an assemble input, or the .reg export holding the value. */
  readonly from?: string;
  /** A per-user registry store's owner: the profile folder the hive's ProfileList gives its SID. */
  readonly profilePath?: string;
}

export interface FsProblem {
  readonly at: number;
  readonly what: string;
}

export interface FsAnalysis {
  readonly volumes: readonly Volume[];
  readonly files: readonly FileEvidence[];
  readonly problems: readonly FsProblem[];
}

/**
 * errno → words, for every message that reports a file problem to the user. A leaf module (like
 * version.ts) so that output/ can word its errors too, and the CLI never shows raw errno text.
 */

/** Whether the path was to be read from or written to: the advice differs. */
export type FileOp = 'read' | 'write';

const WORDS: Record<string, string | Record<FileOp, string>> = {
  ENOENT: 'does not exist',
  EACCES: {
    read: 'permission denied — run as a user who can read it, or copy it somewhere readable',
    write: 'permission denied — run as a user who can write there, or choose another folder',
  },
  ENOTDIR: 'a part of the path is a file, not a folder — check the path',
  EISDIR: 'is a folder, not a file',
  EROFS: 'read-only file system — choose a folder on a writable drive',
  ENOSPC: 'no space left on the drive — free some space or choose another drive',
  EDQUOT: 'disk quota exceeded — free some space or choose another drive',
  ELOOP: 'too many symbolic links (a link that points to itself?)',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'already exists',
  ENOTEMPTY: 'the folder is not empty',
  EBUSY: 'busy — another program is using it',
  EMFILE: 'too many open files — close other programs and try again',
  ENFILE: 'too many open files — close other programs and try again',
  EIO: 'input/output error — the drive may be failing',
  ENXIO: 'no such device (unplugged?)',
  ENODEV: 'no such device (unplugged?)',
  ENOMEDIUM: 'no medium in the drive',
  EINVAL: 'this file system does not allow it — choose a folder on an ordinary drive',
  EXDEV: 'it is on another drive',
};
WORDS['EPERM'] = WORDS['EACCES']!;

/** The errno code of a Node error, if it has one. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** What went wrong, in words; an error without an errno code keeps the first line of its message. */
export function describeFileError(e: unknown, op: FileOp = 'read'): string {
  const code = errnoCode(e);
  const w = code ? WORDS[code] : undefined;
  if (w !== undefined) return typeof w === 'string' ? w : w[op];
  if (code) return `the system refused it (${code})`;
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/** One line: `<label>: <words>`, e.g. `--passwords-file pw.txt: does not exist`. */
export function fileProblem(label: string, e: unknown, op: FileOp = 'read'): string {
  return `${label}: ${describeFileError(e, op)}`;
}

/** Any error as one line: a Node file error names its path in words, others keep their first line. */
export function errorLine(e: unknown, op: FileOp = 'read'): string {
  const path = (e as NodeJS.ErrnoException | null)?.path;
  return errnoCode(e) && path ? fileProblem(path, e, op) : describeFileError(e, op);
}

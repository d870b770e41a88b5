/**
 * The one table of CryptoPro container file names (cryptopro-format.md §2): each name and the
 * kind of key file its bytes must be. The order is the order results list the files in.
 */
import type { KeyFileKind } from './key-file-id.ts';

export const KEY_FILE_KIND = Object.freeze({
  'header.key': 'header',
  'primary.key': 'primary',
  'masks.key': 'masks',
  'name.key': 'name',
  'primary2.key': 'primary',
  'masks2.key': 'masks',
} as const satisfies Record<string, KeyFileKind>);

export type KeyFileName = keyof typeof KEY_FILE_KIND;
export const KEY_FILE_NAMES = Object.freeze(Object.keys(KEY_FILE_KIND)) as readonly KeyFileName[];

/** The container file a name stands for, ignoring case ("HEADER.KEY" → "header.key"). */
export function keyFileName(name: string): KeyFileName | null {
  const n = name.toLowerCase();
  return Object.hasOwn(KEY_FILE_KIND, n) ? (n as KeyFileName) : null;
}

/** The kind of key file a name promises, ignoring case; null for any other name. */
export function keyKindOfName(name: string): KeyFileKind | null {
  const n = keyFileName(name);
  return n === null ? null : KEY_FILE_KIND[n];
}

/**
 * The result type of every total parser: a value and where it ended, or where and why it failed.
 * Parsers never throw; callers branch on `ok`.
 */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T; readonly end: number }
  | { readonly ok: false; readonly at: number; readonly why: string };

export const ok = <T>(value: T, end: number): Parsed<T> => ({ ok: true, value, end });
export const fail = <T = never>(at: number, why: string): Parsed<T> => ({ ok: false, at, why });

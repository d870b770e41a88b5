/**
 * A container's status (contract.md) as a value that carries its proof. `verified` and `intact` hold
 * a proof object that only format/container.ts can make (its brand is a symbol no other module
 * holds), so no other code can claim either; any code may lower a status with `downgrade`, and none
 * can raise one. The report prints `kind`, the plain string.
 */
import type { IntactProof, KeyProof } from './container.ts';

export type NonEmpty<T> = readonly [T, ...T[]];

export type VerifiedStatus = { readonly kind: 'verified'; readonly proof: KeyProof };
export type IntactStatus = { readonly kind: 'intact'; readonly proof: IntactProof };
export type PartialStatus = { readonly kind: 'partial'; readonly problems: NonEmpty<string> };
export type Status = VerifiedStatus | IntactStatus | PartialStatus;
export type StatusName = Status['kind'];

/** What ties a container's files together, the other half of `intact`'s proof. */
export type Tie =
  /** the caller hands the files over as one container folder (verify, fix-header) */
  | 'folder'
  /** a file system lists them in one folder */
  | 'file-system';

export type { IntactProof, KeyProof };

export function nonEmpty<T>(list: readonly T[]): NonEmpty<T> | null {
  const [first, ...rest] = list;
  return first === undefined ? null : [first, ...rest];
}

/** The status with a problem found: always `partial`, keeping earlier reasons. */
export function downgrade(s: Status, problem: string, ...more: readonly string[]): PartialStatus {
  return { kind: 'partial', problems: s.kind === 'partial' ? [...s.problems, problem, ...more] : [problem, ...more] };
}

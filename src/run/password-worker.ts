/**
 * Piscina worker of `keycarve password`: tests one batch of guesses. The tester is made once per
 * target and kept (a worker serves one search), so a batch costs only its KDFs.
 */
import { makeTester, type PasswordTarget, type Tester } from '../reassemble/password-check.ts';

export interface GuessTask {
  /** Names the search: the worker parses the target once per id. */
  readonly searchId: string;
  readonly target: PasswordTarget;
  readonly guesses: readonly string[];
}

/** Index of the guess that opened the target, or -1. */
export interface GuessResult {
  readonly hit: number;
}

let cached: { searchId: string; tester: Tester } | null = null;

export default function guessTask(task: GuessTask): GuessResult {
  if (cached?.searchId !== task.searchId) {
    const t = makeTester(task.target);
    if (typeof t === 'string') throw new Error(t);
    cached = { searchId: task.searchId, tester: t };
  }
  return { hit: task.guesses.findIndex((g) => cached!.tester.test(g)) };
}

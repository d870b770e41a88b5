/** Where a command writes. `process` fits; tests pass collectors. */
export interface CommandIo {
  readonly stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  readonly stderr: { write(s: string): unknown; isTTY?: boolean };
  /** The arguments after `keycarve`, for report.json (masked there); absent when called from code. */
  readonly argv?: readonly string[];
}

/** A line-at-a-time view of an io, for commands that print whole lines. */
export interface LineIo {
  out(s: string): void;
  err(s: string): void;
}

const line = (s: string) => (s.endsWith('\n') ? s : s + '\n');

export function lineIo(io: CommandIo): LineIo {
  return { out: (s) => void io.stdout.write(line(s)), err: (s) => void io.stderr.write(line(s)) };
}

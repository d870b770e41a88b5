/** `keycarve assemble <dir|file>... --out <dir>`: loose files → containers; the summary (or --json report) at the end. */
import { summary, DEFAULT_WIDTH } from '../output/summary.ts';
import { assemble } from '../run/assemble-run.ts';
import { maskCommandLine } from './command-line.ts';
import type { CommandIo as Io } from './io.ts';
import { passwordsFromFile } from './passwords-file.ts';

export interface AssembleCliOptions {
  out: string;
  password: string[];
  passwordsFile?: string;
  cert: string[];
  json?: boolean;
  quiet?: boolean;
}

export async function assembleCommand(inputs: string[], o: AssembleCliOptions, io: Io): Promise<number> {
  const quiet = o.quiet === true || o.json === true;
  const passwords = [...o.password, ...(o.passwordsFile ? await passwordsFromFile(o.passwordsFile, io, quiet) : [])];
  const width = io.stdout.isTTY === true && io.stdout.columns ? io.stdout.columns : DEFAULT_WIDTH;
  const { report } = await assemble({
    inputs,
    out: o.out,
    passwords,
    certs: o.cert,
    commandLine: io.argv ? maskCommandLine(['keycarve', ...io.argv]) : null,
    summaryWidth: width,
  });
  io.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : summary(report, o.out, width));
  return 0;
}

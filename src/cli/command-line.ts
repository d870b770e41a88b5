/** The command line as report.json records it: every password value masked, nothing else changed. */

/** Options whose value is a password. --passwords-file names a file: its path stays, its contents never enter the report. */
const SECRET_OPTIONS = ['--password'];
export const MASK = '***';

export function maskCommandLine(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i)); // after `--` everything is an operand
      break;
    }
    const eq = SECRET_OPTIONS.find((o) => a.startsWith(`${o}=`));
    if (eq) out.push(`${eq}=${MASK}`);
    else if (SECRET_OPTIONS.includes(a)) {
      out.push(a);
      if (i + 1 < argv.length) out.push(MASK), i++;
    } else out.push(a);
  }
  return out;
}

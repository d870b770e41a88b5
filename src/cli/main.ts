/**
 * The command table (contract.md). parseArgs-style: commander only parses; each action calls a
 * command function that returns an exit code, set on process.exitCode (no process.exit: pending
 * stdout writes would be dropped).
 *
 * Exit codes, one rule for every command:
 *   0  done.
 *   1  could not run (or, for verify/fix-header, the container did not check out): the command
 *      line is well formed but names something that cannot be used — a missing or unreadable
 *      file or folder (source, --passwords-file, --map, --cert, a container folder), an --out that
 *      cannot be written, arguments that contradict each other — or the user cancelled the drive
 *      picker ("cancelled, nothing scanned").
 *   2  usage error: the command line itself is wrong — what commander rejects (unknown command or
 *      option, missing argument, a value of the wrong form such as `--jobs lots`) and the few
 *      required choices it cannot express (fix-header without --out or --in-place). Fixed by
 *      reading --help; nothing was opened.
 *   130 interrupted (Ctrl-C, SIGTERM): scan leaves its checkpoint and what it found so far
 *      (--out/partial, report.json "complete": false); `--resume` continues.
 * Every error is one line on stderr, in words (src/file-errors.ts turns errno codes into words).
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { errorLine } from '../file-errors.ts';
import { VERSION } from '../version.ts';

const collect = (v: string, prev: string[]) => [...prev, v];
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('must be a whole number from 1 to 256');
  return n;
};
const nonNegativeInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError('must be a whole number from 0 to 100');
  return n;
};

const io = { stdout: process.stdout, stderr: process.stderr };

async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (e) {
    // a raw Node file error that escaped a command still names its path, in words
    process.stderr.write(`keycarve: ${errorLine(e)}\n`);
    if (process.env.KEYCARVE_DEBUG) console.error(e);
    process.exitCode = 1;
  }
}

export function program(): Command {
  const p = new Command('keycarve')
    .description('Recover CryptoPro CSP key containers and PKCS#12 keys from damaged, wiped or formatted media')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  p.command('scan')
    .description('scan a disk image or block device (read-only) and recover every container')
    .argument('[source]', 'disk image file or block device (/dev/sdb); on a terminal, omit it to pick a drive')
    .requiredOption('--out <dir>', 'new or empty folder for the results (never on the source)')
    .option('--password <pw>', 'a password to try (repeatable)', collect, [] as string[])
    .option('--passwords-file <file>', 'one password per line')
    .option('--jobs <n>', 'carving threads (default: the fastest measured: 1 on 2 cores, else cores - 1)', positiveInt)
    .option('--map <mapfile>', 'GNU ddrescue map of the image: unread areas make containers damaged')
    .option('--retries <n>', 'retries per unreadable sector', nonNegativeInt)
    .option('--quick', 'no full pass: file-system metadata, and free clusters (256 MiB a FAT/exFAT volume) for orphaned folders — a first answer fast')
    .option('--resume', 'continue the interrupted scan whose checkpoint is in --out')
    .option('--verify-image', 'E01: check the medium against the MD5 the image stores')
    .option('--json', 'print report.json to stdout')
    .option('--quiet', 'print only the final summary')
    .action((source: string | undefined, o) =>
      run(async () => {
        if (!source) {
          if (!process.stdin.isTTY) {
            process.stderr.write('keycarve: scan needs a <source> (an image file or /dev/sdX)\n');
            return 2;
          }
          const picked = await (await import('./pick-device.ts')).pickDevice(io);
          if (!picked) return 1;
          source = picked;
        }
        return (await import('./scan-command.ts')).scanCommand(source, o, { ...io, argv: process.argv.slice(2) });
      }),
    );

  p.command('assemble')
    .description('build working containers from loose files (token exports, partial copies, PhotoRec output), classified by content')
    .argument('<paths...>', 'files and folders to read (never written to)')
    .requiredOption('--out <dir>', 'new or empty folder for the results (not inside an input folder)')
    .option('--password <pw>', 'a password to try (repeatable)', collect, [] as string[])
    .option('--passwords-file <file>', 'one password per line')
    .option('--cert <file>', 'a certificate to prove keys with and rebuild a missing header from (repeatable)', collect, [] as string[])
    .option('--json', 'print report.json to stdout')
    .option('--quiet', 'print only the final summary')
    .action((paths: string[], o) => run(async () => (await import('./assemble-command.ts')).assembleCommand(paths, o, { ...io, argv: process.argv.slice(2) })));

  p.command('verify')
    .description("test a container folder like CryptoPro's container test")
    .argument('<container-dir>')
    .option('--password <pw>', 'a password to try (repeatable)', collect, [] as string[])
    .option('--cert <file>', 'certificate (.cer DER, PEM or Base64, or a .p7b bundle) to check the key against')
    .option('--json', 'machine-readable result')
    .action((dir: string, o) => run(async () => (await import('./verify.ts')).verifyCommand(dir, o, io)));

  p.command('password')
    .description('find a forgotten container or PKCS#12 password (the password is printed, never written)')
    .argument('<target>', 'container folder (…/abcdefgh.000) or .p12/.pfx file')
    .option('--candidate <pw>', 'a password to try, with its variants (repeatable)', collect, [] as string[])
    .option('--wordlist <file>', 'one password per line, UTF-8/UTF-16/cp1251 detected (repeatable)', collect, [] as string[])
    .option('--mask <mask>', "hashcat-style mask: ?d ?l ?u ?s ?a, Cyrillic ?r ?R, ?1…?4, literals, e.g. 'Ivanov?d?d?d?d' (repeatable)", collect, [] as string[])
    .option('--custom1 <set>', 'the character set ?1 stands for, e.g. ?d?l or abc')
    .option('--custom2 <set>', 'the character set ?2 stands for')
    .option('--custom3 <set>', 'the character set ?3 stands for')
    .option('--custom4 <set>', 'the character set ?4 stands for')
    .option('--variants <list>', 'variants of every candidate: layout (ЙЦУКЕН↔QWERTY), caps (Caps Lock inverted), case (first letter capitalised), or none', 'layout,caps,case')
    .option('--no-likely', 'skip the built-in list of likely passwords (default token PINs, 1234…)')
    .option('--jobs <n>', 'worker threads (default: every core)', positiveInt)
    .option('--state <file>', 'save how far the search got in this file (never the password)')
    .option('--resume', 'continue from the position saved in --state')
    .option('--json', 'machine-readable result')
    .action((target: string, o) => run(async () => (await import('./password.ts')).passwordCommand(target, o, io)));

  p.command('devices')
    .description('list block devices, removable first')
    .option('--all', 'include loop devices and the like')
    .option('--json', 'machine-readable list')
    .action((o) => run(async () => (await import('./devices.ts')).devicesCommand(o, io)));

  p.command('image')
    .description('copy a failing device to an image file, ddrescue-style, resumable from its map')
    .argument('<device>')
    .argument('<image-file>')
    .requiredOption('--map <mapfile>', 'GNU ddrescue map (created or resumed)')
    .option('--retries <n>', 'retries per unreadable sector', nonNegativeInt, 1)
    .action((device: string, file: string, o) => run(async () => (await import('./image.ts')).imageCommand(device, file, o, io)));

  p.command('fix-header')
    .description('rebuild a damaged or missing header.key from the certificate')
    .argument('<container-dir>')
    .requiredOption('--cert <file>', 'the container\'s certificate (.cer DER, PEM or Base64, or a .p7b bundle)')
    .option('--password <pw>', 'the container password (repeatable)', collect, [] as string[])
    .option('--out <dir>', 'write a repaired copy here')
    .option('--in-place', 'replace header.key in the folder (the old one is kept as header.key.bak)')
    .action((dir: string, o) => run(async () => (await import('./fix-header.ts')).fixHeaderCommand(dir, o, io)));

  return p;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    throw e;
  }
}

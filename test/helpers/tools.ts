// What a test needs from the machine (external tools, root, /dev/fuse, the sample containers), and
// the skip that follows when it is missing: named in the test's title, recorded for the one summary
// line test/helpers/skip-summary.ts prints at the end of the run. Under KEYCARVE_REQUIRE_TOOLS=1 a
// missing tool fails the run instead (CI installs them all with scripts/install-test-tools.sh).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';

/** Every external command the tests run → the Debian (12) package that provides it, checked with
 * `dpkg -S`. scripts/install-test-tools.sh installs every package named here (a test checks). */
export const TOOL_PACKAGES = {
  'mkfs.vfat': 'dosfstools',
  mcopy: 'mtools',
  mmd: 'mtools',
  mdel: 'mtools',
  mdeltree: 'mtools',
  mdir: 'mtools',
  mkntfs: 'ntfs-3g',
  'ntfs-3g': 'ntfs-3g',
  ntfsundelete: 'ntfs-3g',
  'mkfs.exfat': 'exfatprogs',
  'mount.exfat-fuse': 'exfat-fuse',
  fusermount: 'fuse3',
  fusermount3: 'fuse3',
  nbdkit: 'nbdkit',
  nbdfuse: 'libnbd-bin', // its own package "nbdfuse" from Debian 13 on; the install script takes both
  nbdcopy: 'libnbd-bin',
  fls: 'sleuthkit',
  tsk_recover: 'sleuthkit',
  mmls: 'sleuthkit',
  ddrescue: 'gddrescue',
  ddrescuelog: 'gddrescue',
  losetup: 'mount',
  openssl: 'openssl',
  'qemu-img': 'qemu-utils',
  ewfacquire: 'ewf-tools',
  ewfverify: 'ewf-tools',
  ewfinfo: 'ewf-tools',
  python3: 'python3',
  xmllint: 'libxml2-utils',
  chromium: 'chromium',
  script: 'bsdutils',
  hivexsh: 'libhivex-bin', // test/fs/regf builds hives with python3-hivex (same source package)
} as const;
export type Tool = keyof typeof TOOL_PACKAGES;

/** Conditions no package provides: the tests that mount images need them. */
const CONDITIONS = {
  root: () => process.getuid?.() === 0,
  '/dev/fuse': () => existsSync('/dev/fuse'),
} as const;
type Condition = keyof typeof CONDITIONS;

export const INSTALL_COMMAND = 'sudo scripts/install-test-tools.sh';
/** Set by the global setup: the folder where workers record what they skipped. */
export const RECORDS_ENV = 'KEYCARVE_SKIP_RECORDS';

export interface Missing {
  readonly tool: string;
  /** The Debian package to install, or '' for what no package gives (root, /dev/fuse, samples). */
  readonly pkg: string;
}

/** One line in the records folder: a title tag and what it stands for. */
export interface SkipRecord {
  readonly tag: string;
  readonly missing: readonly Missing[];
}

export interface Need {
  readonly ok: boolean;
  readonly missing: readonly Missing[];
  /** In words, e.g. "needs dosfstools (mkfs.vfat), root"; '' when nothing is missing. */
  readonly reason: string;
  /** Appended to the titles of skipped tests: " [needs …]", '' when nothing is missing. */
  readonly tag: string;
  /** describe/it that skip with the tag in their title when something is missing. */
  readonly describe: (title: string, fn: () => void) => void;
  readonly it: (title: string, fn: () => unknown, timeout?: number) => void;
}

/** True when every named command is on PATH. */
export function hasTool(...tools: string[]): boolean {
  return tools.every((t) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t], { stdio: 'ignore' }).status === 0);
}

/** "dosfstools (mkfs.vfat), mtools (mcopy, mmd), root": tools under their package, then the rest. */
export function listMissing(missing: readonly Missing[]): string {
  const byPkg = new Map<string, string[]>();
  const plain: string[] = [];
  for (const m of missing) {
    if (m.pkg) byPkg.set(m.pkg, [...(byPkg.get(m.pkg) ?? []), m.tool]);
    else plain.push(m.tool);
  }
  return [...[...byPkg].map(([p, tools]) => `${p} (${tools.join(', ')})`), ...plain].join(', ');
}

/** A need from what is missing (an empty list: nothing is); records it for the summary line. */
export function need(missing: readonly Missing[]): Need {
  const reason = missing.length ? `needs ${listMissing(missing)}` : '';
  const tag = reason ? ` [${reason}]` : '';
  const ok = missing.length === 0;
  if (!ok && process.env[RECORDS_ENV]) {
    const rec: SkipRecord = { tag, missing };
    appendFileSync(join(process.env[RECORDS_ENV], `${process.pid}.jsonl`), JSON.stringify(rec) + '\n');
  }
  return {
    ok,
    missing,
    reason,
    tag,
    describe: (title, fn) => describe.skipIf(!ok)(title + tag, fn),
    it: (title, fn, timeout) => it.skipIf(!ok)(title + tag, fn, timeout),
  };
}

/**
 * What these tests need, e.g. `const fat = requireTools('mkfs.vfat', 'mcopy')`, then
 * `fat.describe(...)`. Under KEYCARVE_REQUIRE_TOOLS=1 a missing tool throws: the file fails.
 */
export function requireTools(...needs: (Tool | Condition)[]): Need {
  const missing: Missing[] = [];
  for (const n of new Set(needs)) {
    if (n in CONDITIONS) {
      if (!CONDITIONS[n as Condition]()) missing.push({ tool: n, pkg: '' });
    } else if (!hasTool(n)) missing.push({ tool: n, pkg: TOOL_PACKAGES[n as Tool] });
  }
  const tools = missing.filter((m) => m.pkg);
  if (tools.length && process.env.KEYCARVE_REQUIRE_TOOLS === '1') {
    throw new Error(`KEYCARVE_REQUIRE_TOOLS=1 and this test needs ${listMissing(tools)}: install with ${INSTALL_COMMAND}`);
  }
  return need(missing);
}

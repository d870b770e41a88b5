// Vitest global setup: a folder where the workers record the tests they skip for want of a tool
// (tools.ts), and at the end of the run one line saying which Debian packages would run them and the
// command that installs them all. The folder sits in node_modules/.cache and is removed at the end.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { INSTALL_COMMAND, listMissing, RECORDS_ENV, type Missing, type SkipRecord } from './tools.ts';

export default function setup(project: TestProject): () => void {
  const dir = join(import.meta.dirname, `../../node_modules/.cache/keycarve-test-skips-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.env[RECORDS_ENV] = dir;
  return () => {
    try {
      const line = summaryLine(readRecords(dir), skippedTitles(project));
      if (line) console.log(`\n${line}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function readRecords(dir: string): SkipRecord[] {
  return readdirSync(dir).flatMap((f) =>
    readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as SkipRecord),
  );
}

/** Full names of the skipped tests of this run. */
function skippedTitles(project: TestProject): string[] {
  return project.vitest.state.getTestModules().flatMap((m) =>
    [...m.children.allTests('skipped')].map((t) => t.fullName),
  );
}

/** "skipped N tests for want of: pkg (tools), … — install with: …; skipped M more … for want of: root". */
export function summaryLine(records: readonly SkipRecord[], skipped: readonly string[]): string {
  const wanted = new Map<string, Missing>(); // by tool
  let forPackages = 0;
  let forOther = 0;
  for (const title of skipped) {
    const missing = records.filter((r) => title.includes(r.tag)).flatMap((r) => r.missing);
    if (!missing.length) continue;
    for (const m of missing) wanted.set(m.tool, m);
    if (missing.some((m) => m.pkg)) forPackages++;
    else forOther++;
  }
  const all = [...wanted.values()].sort((a, b) => a.pkg.localeCompare(b.pkg));
  const parts: string[] = [];
  if (forPackages) parts.push(`skipped ${forPackages} tests for want of: ${listMissing(all.filter((m) => m.pkg))} — install with: ${INSTALL_COMMAND}`);
  if (forOther) parts.push(`skipped ${forOther}${forPackages ? ' more' : ''} tests for want of: ${listMissing(all.filter((m) => !m.pkg))}`);
  return parts.join('; ');
}

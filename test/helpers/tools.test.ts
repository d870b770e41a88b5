// The skip machinery itself: one package list, the refusal under KEYCARVE_REQUIRE_TOOLS=1, the line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireTools, TOOL_PACKAGES } from './tools.ts';
import { summaryLine } from './skip-summary.ts';

const script = readFileSync(join(import.meta.dirname, '../../scripts/install-test-tools.sh'), 'utf8');
const saved = { PATH: process.env.PATH, REQUIRE: process.env.KEYCARVE_REQUIRE_TOOLS };

describe('test tool requirements', () => {
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.REQUIRE === undefined) delete process.env.KEYCARVE_REQUIRE_TOOLS;
    else process.env.KEYCARVE_REQUIRE_TOOLS = saved.REQUIRE;
  });

  it('scripts/install-test-tools.sh installs the package of every tool the tests run', () => {
    const listed = new Set(script.slice(script.indexOf('packages=('), script.indexOf('\n)')).replace(/#.*$/gm, '').split(/\s+/).slice(1));
    const absent = [...new Set(Object.values(TOOL_PACKAGES))].filter((p) => !listed.has(p));
    expect(absent).toEqual([]);
  });

  it('a tool that is not on PATH is missing, named with its package', () => {
    delete process.env.KEYCARVE_REQUIRE_TOOLS;
    process.env.PATH = '/nonexistent';
    const n = requireTools('mkfs.vfat', 'mcopy');
    expect(n.ok).toBe(false);
    expect(n.missing).toEqual([{ tool: 'mkfs.vfat', pkg: 'dosfstools' }, { tool: 'mcopy', pkg: 'mtools' }]);
    expect(n.tag).toBe(' [needs dosfstools (mkfs.vfat), mtools (mcopy)]');
  });

  it('under KEYCARVE_REQUIRE_TOOLS=1 a missing tool throws instead of skipping', () => {
    process.env.KEYCARVE_REQUIRE_TOOLS = '1';
    process.env.PATH = '/nonexistent';
    expect(() => requireTools('ddrescue')).toThrow(/KEYCARVE_REQUIRE_TOOLS=1 .*gddrescue \(ddrescue\).*install-test-tools\.sh/);
  });

  it('the summary line counts skipped tests per package and names the install command', () => {
    const fat = { tag: ' [needs dosfstools (mkfs.vfat), mtools (mcopy)]', missing: [{ tool: 'mkfs.vfat', pkg: 'dosfstools' }, { tool: 'mcopy', pkg: 'mtools' }] };
    const root = { tag: ' [needs root]', missing: [{ tool: 'root', pkg: '' }] };
    const line = summaryLine([fat, root, fat], [
      `FAT images${fat.tag} > FAT12`, `FAT images${fat.tag} > FAT16`, `mounts${root.tag} > a`, 'skipped for another reason',
    ]);
    expect(line).toBe('skipped 2 tests for want of: dosfstools (mkfs.vfat), mtools (mcopy) — install with: sudo scripts/install-test-tools.sh; skipped 1 more tests for want of: root');
    expect(summaryLine([fat], ['unrelated'])).toBe('');
  });
});

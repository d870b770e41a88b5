import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextFreeFolder, safeName, safePath } from '../../src/output/safe-name.ts';
import { OutDir } from '../../src/output/out-dir.ts';

describe('names that reach the disk', () => {
  it('removes separators, dot-dot, control characters and Windows-reserved names', () => {
    expect(safeName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(safeName('..')).toBe('unnamed');
    expect(safeName('a\u0000b\u001bc\u007f')).toBe('a_b_c_');
    expect(safeName('CON')).toBe('_CON');
    expect(safeName('lpt1.txt')).toBe('_lpt1.txt');
    expect(safeName('key:*?"<>|.000')).toBe('key_______.000');
    expect(safeName('trailing. . ')).toBe('trailing');
    expect(safeName('Иванов.000')).toBe('Иванов.000');
    expect(Buffer.byteLength(safeName('я'.repeat(300)))).toBeLessThanOrEqual(200);
  });
  it('keeps a path inside: no empty, dot or dot-dot segments', () => {
    expect(safePath('/Клиенты/../../ООО Ромашка/./x.000')).toEqual(['Клиенты', 'ООО Ромашка', 'x.000']);
    expect(safePath('\\\\server\\share\\a')).toEqual(['server', 'share', 'a']);
  });
  it('gives a clashing container folder the next free extension', () => {
    const taken = new Set(['ivanov.000', 'ivanov.001']);
    expect(nextFreeFolder('ivanov.000', (n) => taken.has(n))).toBe('ivanov.002');
    expect(nextFreeFolder('petrov.000', (n) => taken.has(n))).toBe('petrov.000');
  });
  it('never overwrites and never writes outside --out', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kc-out-'));
    try {
      const out = await OutDir.prepare(join(root, 'o'));
      await out.writeFile('a/b.key', Uint8Array.of(1));
      await expect(out.writeFile('a/b.key', Uint8Array.of(2))).rejects.toThrow();
      await expect(out.writeFile('../escape.key', Uint8Array.of(3))).rejects.toThrow(/outside/);
      expect(readdirSync(root)).toEqual(['o']);
      writeFileSync(join(root, 'busy.txt'), 'x');
      await expect(OutDir.prepare(join(root, 'busy.txt'))).rejects.toThrow(/not a directory/);
      // Two folders whose names differ only in case would collide on FAT/NTFS: the second gets .001.
      expect(out.reserve('containers', [], 'IVANOV.000', nextFreeFolder)).toBe('containers/IVANOV.000');
      expect(out.reserve('containers', [], 'ivanov.000', nextFreeFolder)).toBe('containers/ivanov.001');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

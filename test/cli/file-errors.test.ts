import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { describeFileError, errorLine, fileProblem } from '../../src/file-errors.ts';

const errOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('no error');
};

describe('file errors in words', () => {
  it('names the path and says what happened, never the errno text', () => {
    const e = errOf(() => readFileSync('/nonexistent/keycarve'));
    expect(fileProblem('--cert /nonexistent/keycarve', e)).toBe('--cert /nonexistent/keycarve: does not exist');
    for (const code of ['EACCES', 'EPERM', 'ENOTDIR', 'EISDIR', 'EROFS', 'ENOSPC', 'ELOOP', 'EIO', 'EXYZ']) {
      const words = describeFileError(Object.assign(new Error(`${code}: raw text`), { code }), 'write');
      expect(words).not.toMatch(/raw text/);
      expect(words.length).toBeGreaterThan(5);
    }
    expect(describeFileError(Object.assign(new Error('x'), { code: 'EACCES' }), 'write')).toMatch(/permission denied — .*choose another folder/);
    expect(describeFileError(Object.assign(new Error('x'), { code: 'EROFS' }))).toMatch(/read-only file system/);
    expect(describeFileError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toMatch(/no space left/);
    expect(describeFileError(new Error('first line\nsecond'))).toBe('first line');
    // an error that escaped a command still names its path
    expect(errorLine(e)).toBe('/nonexistent/keycarve: does not exist');
  });
});

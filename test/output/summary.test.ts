/** The summary table wraps long cells within the width and never loses a character of them. */
import { describe, expect, it } from 'vitest';
import { table, wrap } from '../../src/output/summary.ts';

/** What a cell says, whatever its line breaks (a break drops only the space it replaced). */
const words = (s: string) => s.split(/[\s+]+/).filter(Boolean);

describe('wrap', () => {
  it('leaves a short cell alone', () => {
    expect(wrap('verified', 20)).toEqual(['verified']);
  });

  it('breaks after spaces and pluses, within the width', () => {
    const text = 'CN=Иванов Иван Иванович, O=ООО "Ромашка", C=RU';
    const lines = wrap(text, 16);
    expect(lines.every((l) => l.length <= 16)).toBe(true);
    expect(lines.join(' ')).toBe(text);
    expect(wrap('deleted, fat-entry+carved+crypto-pairing', 20)).toEqual(['deleted, fat-entry+', 'carved+', 'crypto-pairing']);
  });

  it('splits a word longer than the width rather than cutting it', () => {
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
});

describe('table', () => {
  const head = ['container', 'status', 'certificate'];
  const subject = 'CN=Общество с ограниченной ответственностью "Ромашка и партнёры", O=ООО "Ромашка", STREET=ул. Ленина 1, L=Москва, C=RU';
  const rows = [
    ['Клиенты/ООО Ромашка/ivanov01.000', 'verified', subject],
    ['petrov.000', 'partial', ''],
  ];

  it('fits the width and keeps every word of every cell', () => {
    for (const width of [60, 80, 100]) {
      const s = table(head, rows, width);
      const lines = s.trimEnd().split('\n');
      expect(lines.every((l) => l.length <= width), `${width}:\n${s}`).toBe(true);
      expect(words(s)).toEqual(expect.arrayContaining(words(subject)));
      // Continuation lines keep the columns: the certificate column starts at the same place on each.
      const col = lines[0]!.indexOf('certificate');
      const certLines = lines.filter((l) => l.length > col && l.slice(0, col).trim() === '' && l[col] !== ' ');
      expect(certLines.length).toBeGreaterThan(0);
    }
  });

  it('is one line per row when everything fits', () => {
    const s = table(head, rows, 1000);
    expect(s.trimEnd().split('\n')).toHaveLength(3);
    expect(s).toContain(subject);
  });
});

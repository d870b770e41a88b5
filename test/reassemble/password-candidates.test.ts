/** The candidate stream: masks walked lazily, variants, the bounded duplicate window. */
import { describe, expect, it } from 'vitest';
import {
  candidateStream, candidateTotal, capitaliseFirst, LIKELY_PASSWORDS, MaskError, maskCandidates, maskSize, parseCharset, parseMask, RecentWindow, variantsOf,
} from '../../src/reassemble/password-candidates.ts';

const spec = (over: Partial<Parameters<typeof candidateStream>[0]> = {}) => ({ likely: false, candidates: [], wordlists: [], masks: [], variants: [], ...over });

describe('masks', () => {
  it('classes, literals, ?? and custom sets, last position fastest', () => {
    const sets = parseMask('Iv?d?1??', [parseCharset('ab?d')]);
    expect(sets.map((s) => s.length)).toEqual([1, 1, 10, 12, 1]);
    const all = [...maskCandidates(sets)];
    expect(all.length).toBe(Number(maskSize(sets)));
    expect(all.slice(0, 3)).toEqual(['Iv0a?', 'Iv0b?', 'Iv00?']);
    expect(new Set(all).size).toBe(all.length);
    expect(all.at(-1)).toBe('Iv99?');
  });
  it('Cyrillic classes have 33 letters each, ?a 95', () => {
    expect(parseMask('?r?R?a').map((s) => s.length)).toEqual([33, 33, 95]);
    expect(parseMask('?r')[0]).toContain('ё');
  });
  it('is lazy: a 95^12 mask yields its first candidates at once', () => {
    const sets = parseMask('?a'.repeat(12));
    expect(maskSize(sets)).toBe(95n ** 12n);
    const it = maskCandidates(sets);
    expect(it.next().value).toBe('a'.repeat(12));
    expect(it.next().value).toBe('a'.repeat(11) + 'b');
  });
  it('rejects a lone ?, an unknown class, an undefined ?1', () => {
    expect(() => parseMask('ab?')).toThrow(MaskError);
    expect(() => parseMask('?x')).toThrow(/unknown class/);
    expect(() => parseMask('?1')).toThrow(/--custom1/);
  });
});

describe('variants and the stream', () => {
  it('other layout, Caps inverted, first letter capitalised, unique', () => {
    expect(variantsOf('Йцукен12', ['layout'])).toEqual(['Йцукен12', 'Qwerty12']);
    expect(variantsOf('secret', ['caps', 'case'])).toEqual(['secret', 'SECRET', 'Secret']);
    expect(variantsOf('1234', ['layout', 'caps', 'case'])).toEqual(['1234']);
    expect(capitaliseFirst('ёлка')).toBe('Ёлка');
  });
  it('empty first, then the likely list, candidates, wordlists, masks; duplicates dropped', () => {
    const s = spec({ likely: true, candidates: ['1234', 'x'], wordlists: [['x', 'y']], masks: [parseMask('?d')] });
    const all = [...candidateStream(s)];
    expect(all[0]).toBe('');
    expect(all.slice(1, 1 + LIKELY_PASSWORDS.length)).toEqual([...LIKELY_PASSWORDS]);
    expect(all.slice(1 + LIKELY_PASSWORDS.length)).toEqual(['x', 'y', '0', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(BigInt(all.length)).toBeLessThanOrEqual(candidateTotal(s));
  });
  it('the window forgets: memory stays bounded', () => {
    const w = new RecentWindow(2);
    expect([w.add('a'), w.add('a'), w.add('b'), w.add('c'), w.add('a')]).toEqual([true, false, true, true, true]);
  });
});

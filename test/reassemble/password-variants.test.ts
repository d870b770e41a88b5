import { describe, expect, it } from 'vitest';
import { invertCaps, otherLayout, passwordVariants } from '../../src/reassemble/password-variants.ts';

describe('password variants', () => {
  it('maps the same physical keys between layouts', () => {
    expect(otherLayout('ghjdthrf')).toBe('проверка');
    expect(otherLayout('проверка')).toBe('ghjdthrf');
    expect(otherLayout('Qwerty12')).toBe('Йцукен12');
    expect(otherLayout(otherLayout('Пароль,123'))).toBe('Пароль,123');
  });
  it('inverts caps lock', () => {
    expect(invertCaps('Qwerty12')).toBe('qWERTY12');
    expect(invertCaps('Пароль')).toBe('пАРОЛЬ');
  });
  it('lists empty first, then up to four distinct variants per password, keeping the index', () => {
    const v = passwordVariants(['Qwerty12', '1234']);
    expect(v[0]).toEqual({ index: -1, variant: 'as-typed', text: '' });
    expect(v.filter((x) => x.index === 0).map((x) => x.text)).toEqual(['Qwerty12', 'Йцукен12', 'qWERTY12', 'йЦУКЕН12']);
    expect(v.filter((x) => x.index === 1).map((x) => x.text)).toEqual(['1234']); // digits: all variants equal
  });
});

import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate } from '../../src/output/units.ts';

describe('sizes', () => {
  it('are decimal, as on a drive label, with three significant digits at most', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(41_943_040)).toBe('41.9 MB');
    expect(formatBytes(15_502_147_584)).toBe('15.5 GB');
    expect(formatBytes(274_877_906_944)).toBe('275 GB'); // a "256 GiB" disk
    expect(formatBytes(999_600)).toBe('1.0 MB');
    expect(formatBytes(2e12)).toBe('2.0 TB');
    expect(formatRate(12.34e6)).toBe('12.3 MB/s');
  });
});

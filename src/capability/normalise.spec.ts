import { describe, expect, it } from 'vitest';
import { normaliseCohort } from './normalise';

const rounded = (xs: (number | null)[]): (number | null)[] =>
  xs.map((x) => (x === null ? null : Math.round(x * 100) / 100));

describe('normaliseCohort', () => {
  it('min-max is the default and maps the range onto 0–100', () => {
    expect(normaliseCohort([200, 400, 1200])).toEqual([0, 20, 100]);
  });

  it('log is min-max of ln(1 + x)', () => {
    const out = normaliseCohort([0, 9, 99], 'log');
    expect(rounded(out)).toEqual([0, 50, 100]);
  });

  it('percentile gives mid-ranks to ties', () => {
    expect(normaliseCohort([10, 30, 30, 50, 70], 'percentile')).toEqual([0, 37.5, 37.5, 75, 100]);
  });

  it('keeps not-opened regions null and out of the range', () => {
    expect(normaliseCohort([null, 50, 150, null])).toEqual([null, 0, 100, null]);
    expect(normaliseCohort([null, 50, 150], 'percentile')).toEqual([null, 0, 100]);
    expect(normaliseCohort([null, null])).toEqual([null, null]);
    expect(normaliseCohort([])).toEqual([]);
  });

  it('a single region or all-equal values score 100, all zeros score 0', () => {
    for (const method of ['min-max', 'log', 'percentile'] as const) {
      expect(normaliseCohort([null, 420], method)).toEqual([null, 100]);
      expect(normaliseCohort([7, 7, 7], method)).toEqual([100, 100, 100]);
      expect(normaliseCohort([0, 0], method)).toEqual([0, 0]);
    }
  });

  it('rejects values it cannot place', () => {
    expect(() => normaliseCohort([1, Number.NaN])).toThrow(RangeError);
    expect(() => normaliseCohort([1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => normaliseCohort([-1, 3], 'log')).toThrow('log normalisation needs values ≥ 0');
  });
});

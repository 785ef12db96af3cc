import { describe, expect, it } from 'vitest';
import { computeWci, DEFAULT_WCI_VERSION, WCI_FORMULAS, WCI_VERSIONS, type WciInputs } from './wci';

// Reference §1.6: one week, d=7, n=14.
const WEEK: WciInputs = {
  d: 7,
  n: 14,
  R: 70000,
  Z: 700,
  L: 1400,
  RE: 2100,
  Rt: 49000,
  Zt: 490,
  Lt: 980,
  REt: 1470,
  Rmax: 12000,
  Zmax: 150,
  Lmax: 300,
  REmax: 400,
};

describe('computeWci', () => {
  it('reproduces the reference test vectors of §1.6', () => {
    expect(computeWci(WEEK, 'wci-v13').value).toBeCloseTo(734.777, 3);
    expect(computeWci(WEEK, 'wci-v14.2').value).toBeCloseTo(882.388, 3);
    expect(computeWci(WEEK, 'wci-v14.2-blog').value).toBeCloseTo(766.338, 3);
  });

  it('V14.2 without the ×1.2 factor gives 735.323', () => {
    const value = computeWci(WEEK, 'wci-v14.2').value ?? Number.NaN;
    expect(value / 1.2).toBeCloseTo(735.323, 3);
  });

  it('defaults to V14.2 and registers every version', () => {
    expect(DEFAULT_WCI_VERSION).toBe('wci-v14.2');
    expect(computeWci(WEEK)).toEqual(computeWci(WEEK, 'wci-v14.2'));
    for (const version of WCI_VERSIONS) {
      const formula = WCI_FORMULAS[version];
      expect(formula.version).toBe(version);
      const sum = (ws: Record<string, number | undefined>) =>
        Object.values(ws).reduce<number>((a, b) => a + (b ?? 0), 0);
      expect(sum(formula.blockWeights)).toBeCloseTo(1, 12);
      expect(sum(formula.metricWeights)).toBeCloseTo(1, 12);
    }
  });

  it('records the inputs it used; V13 does not need likes or shares', () => {
    const result = computeWci({ ...WEEK, L: null, Lt: null, Lmax: null, RE: null }, 'wci-v13');
    expect(result.value).toBeCloseTo(734.777, 3);
    expect(result.inputsUsed).toEqual(['d', 'n', 'R', 'Rt', 'Rmax', 'Z', 'Zt', 'Zmax']);
    expect(result.inputsMissing).toEqual([]);
    expect(result.reason).toBeNull();
  });

  it('no articles → no WCI, with the reason', () => {
    const result = computeWci({ ...WEEK, n: 0, R: 0, Rt: 0, Rmax: 0 });
    expect(result).toEqual({
      version: 'wci-v14.2',
      value: null,
      inputsUsed: [],
      inputsMissing: [],
      reason: 'no_articles',
    });
  });

  it('missing reads → no WCI', () => {
    const result = computeWci({ ...WEEK, Rmax: null });
    expect(result.value).toBeNull();
    expect(result.reason).toBe('reads_missing');
    expect(result.inputsMissing).toEqual(['Rmax']);
  });

  it('drops a missing metric and re-normalises the level-2 weights, never reading it as 0', () => {
    const datacube = { ...WEEK, Z: null, Zt: null, Zmax: null, L: null, Lt: null, Lmax: null };
    const result = computeWci(datacube, 'wci-v14.2');
    expect(result.inputsMissing).toEqual(['Z', 'Zt', 'Zmax', 'L', 'Lt', 'Lmax']);
    expect(result.inputsUsed).toEqual(['d', 'n', 'R', 'Rt', 'Rmax', 'RE', 'REt', 'REmax']);

    // Reads 0.70 and shares 0.15 become 0.70/0.85 and 0.15/0.85.
    const b = (r: number, re: number) =>
      (0.7 / 0.85) * Math.log(r + 1) + (0.15 / 0.85) * Math.log(10 * re + 1);
    const expected =
      (0.6 * b(70000 / 7, 2100 / 7) +
        0.2 * b(70000 / 14, 2100 / 14) +
        0.1 * b(49000 / 7, 1470 / 7) +
        0.1 * b(12000, 400)) **
        2 *
      12;
    expect(result.value).toBeCloseTo(expected, 9);

    const asZero = { ...WEEK, Z: 0, Zt: 0, Zmax: 0, L: 0, Lt: 0, Lmax: 0 };
    expect(result.value).not.toBeCloseTo(computeWci(asZero).value ?? 0, 0);
  });

  it('drops the whole metric when only one of its inputs is missing', () => {
    const result = computeWci({ ...WEEK, Lt: null }, 'wci-v14.2-blog');
    const withoutLikes = computeWci({ ...WEEK, L: null, Lt: null, Lmax: null }, 'wci-v14.2-blog');
    expect(result.inputsMissing).toEqual(['Lt']);
    expect(result.inputsUsed).not.toContain('L');
    expect(result.value).toBe(withoutLikes.value);
  });

  it('only reads: the reads term carries the whole block', () => {
    const onlyReads = { ...WEEK, Z: null, Zt: null, Zmax: null, L: null, RE: null };
    const result = computeWci(onlyReads, 'wci-v14.2');
    const ln1 = (x: number) => Math.log(x + 1);
    const expected =
      (0.6 * ln1(10000) + 0.2 * ln1(5000) + 0.1 * ln1(7000) + 0.1 * ln1(12000)) ** 2 * 12;
    expect(result.value).toBeCloseTo(expected, 9);
  });

  it('is comparable across period lengths: same daily rhythm, week vs 30-day month', () => {
    const month = { ...WEEK, d: 30, n: 60, R: 300000, Z: 3000, L: 6000, RE: 9000 };
    const monthly = { ...month, Rt: 210000, Zt: 2100, Lt: 4200, REt: 6300 };
    expect(computeWci(monthly).value).toBeCloseTo(computeWci(WEEK).value ?? 0, 9);
  });

  it('rejects impossible inputs', () => {
    expect(() => computeWci({ ...WEEK, d: 0 })).toThrow(RangeError);
    expect(() => computeWci({ ...WEEK, d: 1.5 })).toThrow(RangeError);
    expect(() => computeWci({ ...WEEK, n: -1 })).toThrow(RangeError);
    expect(() => computeWci({ ...WEEK, R: -5 })).toThrow(RangeError);
    expect(() => computeWci({ ...WEEK, Zmax: Number.NaN })).toThrow(RangeError);
  });
});

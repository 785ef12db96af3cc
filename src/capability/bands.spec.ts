import { describe, expect, it } from 'vitest';
import {
  bandDistribution,
  classifyBand,
  DEFAULT_BANDS,
  roundSharesTo100,
  type Band,
} from './bands';

const round = (x: number | null, d = 2): number | null =>
  x === null ? null : Math.round(x * 10 ** d) / 10 ** d;

// Seed 000 表2-9, 27 provinces: the seed prints only band counts and means, so the scores are made
// up to those means (7 × 66.81 (66.814 unrounded), 13 × 50.82, 7 × 31.22).
const MIDDLE = [69.88, 68.52, 67.9, 66.71, 65.44, 64.93, 64.32]; // 广东 贵州 浙江 西藏 河南 四川 湖南
const LOWER = [
  58.2, 56.75, 55.1, 53.92, 52.48, 51.3, 50.66, 49.75, 48.9, 47.62, 46.31, 45.07, 44.6,
];
const LOW = [38.5, 36.1, 34.2, 31.0, 28.75, 26.4, 23.59];
const PROVINCES = [...MIDDLE, ...LOWER, ...LOW];

describe('classifyBand', () => {
  it('uses the default bands with inclusive lower bounds', () => {
    const code = (s: number): string => classifyBand(s).code;
    expect([100, 80, 79.99, 70, 69.99, 60, 59.99, 40, 39.99, 0].map(code)).toEqual([
      'high',
      'high',
      'upper_middle',
      'upper_middle',
      'middle',
      'middle',
      'lower',
      'lower',
      'low',
      'low',
    ]);
  });

  it('treats float noise just under a bound as the bound', () => {
    expect(0.1 * 0.7 * 1000 + 10).toBeLessThan(80); // 79.99999999999999
    expect(classifyBand(0.1 * 0.7 * 1000 + 10).code).toBe('high');
    expect(classifyBand(79.999).code).toBe('upper_middle');
  });

  it('takes a configured list in any order, seed labels or short ones', () => {
    const bands: Band[] = [
      { code: 'low', label: '低', min: 0 },
      { code: 'high', label: '高', min: 75 },
      { code: 'mid', label: '中', min: 50 },
    ];
    expect(classifyBand(76, bands).label).toBe('高');
    expect(classifyBand(50, bands).label).toBe('中');
    expect(classifyBand(-3, bands).label).toBe('低');
  });

  it('rejects ambiguous band lists', () => {
    expect(() => classifyBand(1, [])).toThrow('configure at least one band');
    expect(() =>
      classifyBand(1, [
        { code: 'a', label: 'A', min: 10 },
        { code: 'b', label: 'B', min: 10 },
      ]),
    ).toThrow('share min 10');
  });
});

describe('bandDistribution', () => {
  it('reproduces seed 000 for the 27 provinces', () => {
    const d = bandDistribution(PROVINCES, 0);
    const byCode = new Map(d.rows.map((r) => [r.code, r]));
    expect(d.rows.map((r) => [r.code, r.count])).toEqual([
      ['high', 0],
      ['upper_middle', 0],
      ['middle', 7],
      ['lower', 13],
      ['low', 7],
    ]);
    // "7个省…中等水平,其指数均值为66.81,占比25.93%,高出全国平均水平33.94%"
    const middle = byCode.get('middle')!;
    expect(round(middle.sharePct)).toBe(25.93);
    expect(round(middle.mean)).toBe(66.81);
    expect(round(middle.relativeToTierMeanPct)).toBe(33.94);
    // The national mean is then 66.81 / 1.3394 ≈ 49.88: the mean of the 27, not of the bands.
    expect(round(d.tierMean)).toBe(49.89);
    // "13个…较低水平,占比48.15%,指数均值为50.82,高出全国平均水平1.87%"
    const lower = byCode.get('lower')!;
    expect([round(lower.sharePct), round(lower.mean), round(lower.relativeToTierMeanPct)]).toEqual([
      48.15, 50.82, 1.87,
    ]);
    // "7个…低水平,占比25.92%,指数均值为31.22,较全国平均水平低37.4%"
    const low = byCode.get('low')!;
    expect([round(low.mean), round(low.relativeToTierMeanPct, 1)]).toEqual([31.22, -37.4]);
    // The seed prints 25.92, not 25.93, so that the shares add up to 100.
    expect(d.rows.map((r) => r.sharePctRounded)).toEqual([0, 0, 25.93, 48.15, 25.92]);
    expect(byCode.get('high')!.mean).toBeNull();
    expect(byCode.get('high')!.relativeToTierMeanPct).toBeNull();
  });

  it('counts not-opened regions in the denominator, as seed 000 does for 334 cities', () => {
    const cities = [
      ...Array<number>(31).fill(62),
      ...Array<number>(165).fill(45),
      ...Array<number>(131).fill(30),
    ];
    const d = bandDistribution(cities, 7);
    expect(d.denominator).toBe(334);
    // 31 → 9.28%, 165 → 49.40%, 131 → 39.22%, 7 not opened → 2.10%
    expect(d.rows.map((r) => r.sharePctRounded)).toEqual([0, 0, 9.28, 49.4, 39.22]);
    expect(d.notOpened).toEqual({ count: 7, sharePct: (100 * 7) / 334, sharePctRounded: 2.1 });
  });

  it('gives each band its bounds', () => {
    const d = bandDistribution([], 0, DEFAULT_BANDS);
    expect(d.rows.map((r) => [r.min, r.max])).toEqual([
      [80, null],
      [70, 80],
      [60, 70],
      [40, 60],
      [0, 40],
    ]);
    expect(d.tierMean).toBeNull();
    expect(d.rows.every((r) => r.sharePct === 0 && r.sharePctRounded === 0)).toBe(true);
  });

  it('handles a tier where nothing is opened', () => {
    const d = bandDistribution([], 4);
    expect(d.notOpened.sharePctRounded).toBe(100);
    expect(d.rows.every((r) => r.count === 0)).toBe(true);
  });
});

describe('roundSharesTo100', () => {
  it('gives the leftover hundredths to the largest remainders', () => {
    expect(roundSharesTo100([100 / 3, 100 / 3, 100 / 3])).toEqual([33.34, 33.33, 33.33]);
    expect(roundSharesTo100([50, 50])).toEqual([50, 50]);
    expect(roundSharesTo100([12.5, 87.5], 0)).toEqual([13, 87]);
  });
});

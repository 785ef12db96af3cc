import { describe, expect, it } from 'vitest';
import { DEFAULT_BANDS } from './bands';
import {
  ClusterCountError,
  type ReportInput,
  type ReportRegion,
  buildCapabilityReport,
} from './capability-report';
import type { IndicatorTree } from './indicator-tree';

const TREE: IndicatorTree = {
  code: 't',
  name: '树',
  children: [
    { code: 'a', name: '甲能力', weight: 0.5, kind: 'assessed' },
    { code: 'b', name: '乙能力', weight: 0.5, kind: 'assessed' },
  ],
};

const region = (
  code: string,
  total: number | null,
  overrides: Partial<ReportRegion> = {},
): ReportRegion => ({
  regionCode: code,
  name: `地区${code}`,
  provinceCode: code.slice(0, 2) + '0000',
  provinceName: `省${code.slice(0, 2)}`,
  accountId: total === null && overrides.opened === false ? null : Number(code.slice(0, 4)),
  accountName: `账号${code}`,
  opened: true,
  total,
  subIndices: { a: total, b: total },
  leafScores: total === null ? {} : { a: total, b: total },
  missing: [],
  ...overrides,
});

const input = (regions: ReportRegion[], overrides: Partial<ReportInput> = {}): ReportInput => ({
  tier: 'province',
  tree: TREE,
  bands: DEFAULT_BANDS,
  gradeLetters: ['A', 'B', 'C', 'D'],
  regions,
  ...overrides,
});

// Seed 000 表2-9 (the scores bands.spec.ts makes up to the printed band means): 7 / 13 / 7.
const PROVINCES = [
  69.88, 68.52, 67.9, 66.71, 65.44, 64.93, 64.32, 58.2, 56.75, 55.1, 53.92, 52.48, 51.3, 50.66,
  49.75, 48.9, 47.62, 46.31, 45.07, 44.6, 38.5, 36.1, 34.2, 31.0, 28.75, 26.4, 23.59,
];

describe('buildCapabilityReport', () => {
  it('reproduces seed 000 表2-9 from stored results (shares, band means, relative to the mean)', () => {
    const regions = PROVINCES.map((s, i) => region(String(110000 + i * 10000), s));
    const report = buildCapabilityReport(input(regions));
    const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
    expect(
      report.bandDistribution.rows.map((b) => [
        b.code,
        b.count,
        b.sharePctRounded,
        round(b.mean),
        round(b.relativeToTierMeanPct),
      ]),
    ).toEqual([
      ['high', 0, 0, null, null],
      ['upper_middle', 0, 0, null, null],
      ['middle', 7, 25.93, 66.81, 33.94],
      ['lower', 13, 48.15, 50.82, 1.87],
      // The seed prints -37.4 (one decimal).
      ['low', 7, 25.92, 31.22, -37.42],
    ]);
    expect(report.ranking.map((r) => r.rank)).toEqual(PROVINCES.map((_, i) => i + 1));
    expect(report.ranking[0]).toMatchObject({ band: 'middle', bandLabel: '中等水平' });
  });

  it('takes totals at two decimals: float noise below 80 is 80.00 and 高水平', () => {
    const report = buildCapabilityReport(
      input([region('110000', 79.99999999999999), region('120000', 80), region('130000', 70.004)]),
    );
    expect(report.ranking.map((r) => [r.regionCode, r.rank, r.total, r.band])).toEqual([
      ['110000', 1, 80, 'high'],
      ['120000', 1, 80, 'high'],
      ['130000', 3, 70, 'upper_middle'],
    ]);
  });

  it('lists not-opened and unscored regions apart; both stay in the band denominator', () => {
    const report = buildCapabilityReport(
      input([
        region('110000', 75),
        region('120000', null, {
          opened: false,
          accountId: null,
          accountName: null,
          subIndices: {},
        }),
        region('130000', null, {
          missing: ['b'],
          subIndices: { a: 50, b: null },
          leafScores: { a: 50 },
        }),
      ]),
    );
    expect(report.notOpened.map((r) => r.regionCode)).toEqual(['120000']);
    expect(report.unscored).toEqual([
      {
        regionCode: '130000',
        name: '地区130000',
        provinceCode: '130000',
        provinceName: '省13',
        missing: ['b'],
      },
    ]);
    expect(report.bandDistribution).toMatchObject({ denominator: 2, unscoredCount: 1 });
    expect(report.bandDistribution.notOpened).toMatchObject({ count: 1, sharePct: 50 });
    // Means over the opened regions that have the sub-index.
    expect(report.subCapabilityMeans).toEqual([
      { code: 'a', name: '甲能力', weight: 0.5, mean: 62.5, count: 2 },
      { code: 'b', name: '乙能力', weight: 0.5, mean: 75, count: 1 },
    ]);
  });

  it('grades by the difference trend and splits A/B/C into thirds', () => {
    const report = buildCapabilityReport(
      input([90, 88, 86, 70, 69, 50, 49, 20].map((s, i) => region(String(110000 + i * 10000), s))),
    );
    expect(report.grades.bands.map((g) => [g.grade, g.count, g.lowerCut, g.top])).toEqual([
      ['A', 3, 86, 90],
      ['B', 2, 69, 70],
      ['C', 2, 49, 50],
      ['D', 1, 20, 20],
    ]);
    expect(report.ranking.map((r) => r.subgrade)).toEqual([
      'A+',
      'A',
      'A-',
      'B+',
      'B-',
      'C+',
      'C-',
      'D',
    ]);
  });

  it('clusters the scored regions (Ward, k default min(4, n)) and numbers them strongest first', () => {
    const regions = [90, 89, 60, 59, 30, 29].map((s, i) => region(String(110000 + i * 10000), s));
    const three = buildCapabilityReport(input(regions, { k: 3 }));
    expect(three.clustering!.clusters.map((c) => c.regions)).toEqual([
      ['110000', '120000'],
      ['130000', '140000'],
      ['150000', '160000'],
    ]);
    expect(three.clustering!.clusters[0].means).toEqual({ a: 89.5, b: 89.5 });
    expect(three.ranking.map((r) => r.cluster)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(buildCapabilityReport(input(regions.slice(0, 2))).clustering!.k).toBe(2);
    expect(() => buildCapabilityReport(input(regions.slice(0, 2), { k: 3 }))).toThrow(
      ClusterCountError,
    );
  });

  it('notes, instead of failing, when every indicator is constant', () => {
    const report = buildCapabilityReport(input([region('110000', 50), region('120000', 50)]));
    expect(report.clustering).toMatchObject({
      k: 2,
      clusters: [],
      note: expect.stringContaining('constant'),
    });
  });

  it('compares with a previous edition: rank/score changes, newly opened', () => {
    const previous = [
      region('110000', 60),
      region('120000', 70),
      region('130000', null, { opened: false, accountId: null }),
    ];
    const report = buildCapabilityReport(
      input([region('110000', 80), region('120000', 65.5), region('130000', 40)], {
        previous: { edition: { id: 1, code: '2017', name: '2017 年版' }, regions: previous },
      }),
    );
    expect(
      report.comparison!.rows.map((r) => [r.regionCode, r.status, r.rankChange, r.totalChange]),
    ).toEqual([
      ['110000', 'continuing', 1, 20],
      ['120000', 'continuing', -1, -4.5],
      ['130000', 'newly_opened', null, null],
    ]);
    expect(report.comparison!.newlyOpened.map((r) => r.name)).toEqual(['地区130000']);
    expect(report.comparison!.rows[0].subIndexChanges).toEqual({ a: 20, b: 20 });
  });

  it('distributes prefecture results by province, with province names', () => {
    const report = buildCapabilityReport(
      input(
        [
          region('510100', 84),
          region('510700', 40),
          region('511000', null, { opened: false, accountId: null }),
          region('440300', 66),
        ],
        { tier: 'prefecture' },
      ),
    );
    expect(report.provinceDistribution).toEqual([
      {
        provinceCode: '440000',
        provinceName: '省44',
        counts: { high: 0, upper_middle: 0, middle: 1, lower: 0, low: 0 },
        notOpened: 0,
        unscored: 0,
        total: 1,
      },
      {
        provinceCode: '510000',
        provinceName: '省51',
        counts: { high: 1, upper_middle: 0, middle: 0, lower: 1, low: 0 },
        notOpened: 1,
        unscored: 0,
        total: 3,
      },
    ]);
  });

  it('a region scope limits the listed regions, not the tier’s aggregates', () => {
    const regions = [
      region('510000', 90),
      region('440000', 50),
      region('110000', null, { opened: false }),
    ];
    const report = buildCapabilityReport(
      input(regions, { visible: (code) => code.startsWith('51') }),
    );
    expect(report.ranking.map((r) => [r.regionCode, r.rank])).toEqual([['510000', 1]]);
    expect(report.notOpened).toEqual([]);
    expect(report.bandDistribution.denominator).toBe(3);
    expect(report.subCapabilityMeans[0].mean).toBe(70);
    expect(report.clustering!.clusters.flatMap((c) => c.regions)).toEqual(['510000']);
  });
});

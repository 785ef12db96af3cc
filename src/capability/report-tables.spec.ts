import { describe, expect, it } from 'vitest';
import {
  buildBandTable,
  buildEditionComparison,
  buildProvinceDistribution,
  buildRankingTable,
  buildSubCapabilityMeans,
  competitionRanks,
  type RegionResult,
} from './report-tables';

const buildResult = (overrides: Partial<RegionResult> & { regionCode: string }): RegionResult => ({
  name: overrides.regionCode,
  provinceCode: overrides.regionCode.slice(0, 2) + '0000',
  opened: true,
  total: 50,
  subIndices: {},
  ...overrides,
});

const MUNICIPALITIES: RegionResult[] = [
  buildResult({
    regionCode: '120000',
    name: '天津市',
    total: 61.2,
    subIndices: { information: 100, transaction: 20 },
  }),
  buildResult({
    regionCode: '110000',
    name: '北京市',
    total: 72.5,
    subIndices: { information: 95, transaction: 70 },
  }),
  buildResult({
    regionCode: '500000',
    name: '重庆市',
    total: 64.1,
    subIndices: { information: 80, transaction: 40 },
  }),
  buildResult({
    regionCode: '310000',
    name: '上海市',
    total: 64.1,
    subIndices: { information: 82.88, transaction: null },
  }),
];

describe('competitionRanks', () => {
  it('gives ties the same rank and skips the next', () => {
    expect(competitionRanks([90, 80, 80, 70])).toEqual([1, 2, 2, 4]);
    expect(competitionRanks([70, 90, 70])).toEqual([2, 1, 2]);
    expect(competitionRanks([])).toEqual([]);
  });
});

describe('buildRankingTable', () => {
  it('ranks opened regions by total and lists the others apart', () => {
    const table = buildRankingTable([
      ...MUNICIPALITIES,
      buildResult({ regionCode: '650000', name: '新疆维吾尔自治区', opened: false, total: null }),
      buildResult({ regionCode: '640000', name: '宁夏回族自治区', total: null }),
    ]);
    expect(table.rows.map((r) => [r.rank, r.name, r.total])).toEqual([
      [1, '北京市', 72.5],
      [2, '上海市', 64.1],
      [2, '重庆市', 64.1],
      [4, '天津市', 61.2],
    ]);
    expect(table.rows[0].subIndices).toEqual({ information: 95, transaction: 70 });
    expect(table.notOpened).toEqual([
      { regionCode: '650000', name: '新疆维吾尔自治区', provinceCode: '650000' },
    ]);
    expect(table.unscored.map((r) => r.name)).toEqual(['宁夏回族自治区']);
  });
});

describe('buildSubCapabilityMeans', () => {
  it('averages each sub-index over the regions that have it (直辖市信息服务 89.47)', () => {
    const means = buildSubCapabilityMeans(MUNICIPALITIES, [
      'information',
      'transaction',
      'influence',
    ]);
    expect(means.map((m) => [m.code, m.count])).toEqual([
      ['information', 4],
      ['transaction', 3],
      ['influence', 0],
    ]);
    expect(means[0].mean).toBeCloseTo(89.47, 10);
    expect(means[1].mean).toBeCloseTo(130 / 3, 10);
    expect(means[2].mean).toBeNull();
  });

  it('leaves not-opened regions out', () => {
    const means = buildSubCapabilityMeans(
      [
        ...MUNICIPALITIES,
        buildResult({ regionCode: '650000', opened: false, subIndices: { information: 0 } }),
      ],
      ['information'],
    );
    expect(means[0].count).toBe(4);
  });
});

describe('buildBandTable', () => {
  it('counts not-opened regions in the shares and reports unscored ones', () => {
    const table = buildBandTable([
      ...MUNICIPALITIES,
      buildResult({ regionCode: '650000', opened: false, total: null }),
      buildResult({ regionCode: '640000', total: null }),
    ]);
    expect(table.denominator).toBe(5);
    expect(table.rows.map((r) => [r.code, r.count, r.sharePctRounded])).toEqual([
      ['high', 0, 0],
      ['upper_middle', 1, 20],
      ['middle', 3, 60],
      ['lower', 0, 0],
      ['low', 0, 0],
    ]);
    expect(table.notOpened.sharePctRounded).toBe(20);
    expect(table.unscoredCount).toBe(1);
    expect(table.tierMean).toBeCloseTo((72.5 + 64.1 + 64.1 + 61.2) / 4, 10);
  });
});

describe('buildEditionComparison', () => {
  // Seed 000: 贵州 rose from 15th (2017) to 2nd; 新疆, 广西, 宁夏 had no account in 2017.
  const filler = (n: number, from: number): RegionResult[] =>
    Array.from({ length: n }, (_, i) =>
      buildResult({ regionCode: `9${String(i).padStart(5, '0')}`, total: from - i }),
    );
  const previous = [
    buildResult({ regionCode: '440000', name: '广东省', total: 70, subIndices: { influence: 60 } }),
    ...filler(13, 69),
    buildResult({ regionCode: '520000', name: '贵州省', total: 50, subIndices: { influence: 30 } }),
    buildResult({ regionCode: '650000', name: '新疆维吾尔自治区', opened: false, total: null }),
    buildResult({ regionCode: '710000', name: '台湾省', opened: false, total: null }),
    buildResult({ regionCode: '999999', name: '撤销地区', total: 10 }),
  ];
  const current = [
    buildResult({ regionCode: '440000', name: '广东省', total: 75, subIndices: { influence: 65 } }),
    buildResult({
      regionCode: '520000',
      name: '贵州省',
      total: 74,
      subIndices: { influence: 55, participation: 40 },
    }),
    ...filler(13, 69),
    buildResult({ regionCode: '650000', name: '新疆维吾尔自治区', total: 40 }),
    buildResult({ regionCode: '710000', name: '台湾省', opened: false, total: null }),
    buildResult({ regionCode: '460000', name: '海南省', total: 30 }),
  ];
  const comparison = buildEditionComparison(current, previous);
  const row = (name: string) => comparison.rows.find((r) => r.name === name)!;

  it('gives rank and score changes, positive rank change meaning up', () => {
    expect(row('贵州省')).toMatchObject({
      rank: 2,
      previousRank: 15,
      rankChange: 13,
      status: 'continuing',
    });
    expect(row('贵州省').totalChange).toBeCloseTo(24, 10);
    expect(row('广东省')).toMatchObject({
      rank: 1,
      previousRank: 1,
      rankChange: 0,
      totalChange: 5,
    });
  });

  it('gives sub-index changes, null where either edition lacks the sub-index', () => {
    expect(row('贵州省').subIndexChanges).toEqual({ influence: 25, participation: null });
  });

  it('lists newly opened, still not opened, new and dropped regions', () => {
    expect(row('新疆维吾尔自治区')).toMatchObject({
      status: 'newly_opened',
      previousRank: null,
      rankChange: null,
      totalChange: null,
    });
    expect(row('台湾省')).toMatchObject({ status: 'not_opened', rank: null });
    expect(row('海南省').status).toBe('not_in_previous');
    expect(comparison.newlyOpened.map((r) => r.name)).toEqual(['新疆维吾尔自治区']);
    expect(comparison.closed).toEqual([]);
    expect(comparison.dropped.map((r) => r.name)).toEqual(['撤销地区']);
    expect(comparison.rows.at(-1)!.name).toBe('台湾省'); // unranked last
  });

  it('marks a region that lost its account as closed', () => {
    const c = buildEditionComparison(
      [buildResult({ regionCode: '110000', opened: false, total: null })],
      [buildResult({ regionCode: '110000', total: 60 })],
    );
    expect(c.rows[0].status).toBe('closed');
    expect(c.closed.map((r) => r.regionCode)).toEqual(['110000']);
  });
});

describe('buildProvinceDistribution', () => {
  it('counts each province’s cities per band (seed 000: 广东 4 and 江苏 3 cities at 中等水平)', () => {
    const city = (code: string, total: number | null, opened = true): RegionResult =>
      buildResult({ regionCode: code, total, opened });
    const rows = buildProvinceDistribution([
      ...['440100', '440300', '440600', '441900'].map((c) => city(c, 63)),
      city('440500', 45),
      ...['320100', '320200', '320500'].map((c) => city(c, 61)),
      city('460300', null, false),
      city('460100', 35),
      city('460400', null),
    ]);
    expect(
      rows.map((r) => [
        r.provinceCode,
        r.counts.middle,
        r.counts.lower,
        r.counts.low,
        r.notOpened,
        r.unscored,
        r.total,
      ]),
    ).toEqual([
      ['320000', 3, 0, 0, 0, 0, 3],
      ['440000', 4, 1, 0, 0, 0, 5],
      ['460000', 0, 0, 1, 1, 1, 3],
    ]);
    expect(Object.keys(rows[0].counts)).toEqual(['high', 'upper_middle', 'middle', 'lower', 'low']);
  });
});

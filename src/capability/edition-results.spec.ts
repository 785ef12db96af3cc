import { describe, expect, it } from 'vitest';
import { DEFAULT_BANDS } from './bands';
import { type CohortMember, type ComputeInput, computeEditionResults } from './edition-results';
import type { IndicatorTree } from './indicator-tree';
import type { MeasuredRaw } from './measures';
import { SEED000_FIVE_CAPABILITIES } from './presets';

const member = (
  regionCode: string,
  accountId: number | null,
  tier: CohortMember['tier'] = 'municipality',
): CohortMember => ({
  regionCode,
  name: regionCode,
  tier,
  provinceCode: regionCode.slice(0, 2) + '0000',
  accountId,
});

const measured = (wci: number | null, extra: Partial<MeasuredRaw> = {}): MeasuredRaw => ({
  wci,
  wciBasis: wci === null ? null : 'year',
  wciMonths: null,
  activeDays: null,
  longestGapDays: null,
  weeksWithPost: null,
  measuredFrom: '2025-01-01',
  measuredDays: 365,
  measuredWeeks: 53,
  ...extra,
});

const four = (a: number, b: number, c: number, d: number) => ({
  information: a,
  transaction: b,
  participation: c,
  provision: d,
});

const input = (overrides: Partial<ComputeInput> = {}): ComputeInput => ({
  tree: SEED000_FIVE_CAPABILITIES,
  members: [
    member('110000', 1),
    member('310000', 2),
    member('120000', 3),
    member('500000', null),
    member('510000', 4, 'province'),
  ],
  assessments: new Map<string, Record<string, number>>([
    ['110000', four(90, 80, 70, 60)],
    ['310000', four(85, 70, 75, 60)],
    ['120000', { information: 100, transaction: 20, participation: 20 }],
    ['510000', four(90, 90, 90, 90)],
  ]),
  measured: new Map([
    [1, measured(800)],
    [2, measured(600)],
    [3, measured(400)],
    [4, measured(700)],
  ]),
  normalisation: 'min-max',
  bands: DEFAULT_BANDS,
  ...overrides,
});

const byRegion = (results: ReturnType<typeof computeEditionResults>) =>
  new Map(results.map((r) => [r.regionCode, r]));

describe('computeEditionResults', () => {
  it('normalises the WCI within each tier, sums the tree, ranks and bands per tier', () => {
    const r = byRegion(computeEditionResults(input()));
    // 800/600/400 → 100/50/0 among the municipalities (天津 is in the range though unscored).
    expect(r.get('110000')).toMatchObject({
      opened: true,
      rank: 1,
      band: 'high',
      subIndices: { information: 90, influence: 100 },
      leafScores: {
        information: 90,
        transaction: 80,
        participation: 70,
        provision: 60,
        influence: 100,
      },
      missing: [],
      measures: { wci: 800, influence: 100 },
    });
    expect(r.get('110000')!.total).toBeCloseTo(80, 10);
    expect(r.get('310000')).toMatchObject({ rank: 2, band: 'middle', measures: { influence: 50 } });
    expect(r.get('310000')!.total).toBeCloseTo(68, 10);
    // A lone province has the whole range to itself: 100.
    expect(r.get('510000')).toMatchObject({ rank: 1, band: 'high', measures: { influence: 100 } });
  });

  it('keeps not-opened regions (no scores) and unscored regions (a missing leaf) apart', () => {
    const r = byRegion(computeEditionResults(input()));
    expect(r.get('500000')).toEqual({
      regionCode: '500000',
      tier: 'municipality',
      provinceCode: '500000',
      accountId: null,
      opened: false,
      total: null,
      rank: null,
      band: null,
      subIndices: {
        information: null,
        transaction: null,
        participation: null,
        provision: null,
        influence: null,
      },
      nodes: {},
      leafScores: {},
      missing: [],
      measures: null,
    });
    expect(r.get('120000')).toMatchObject({
      opened: true,
      total: null,
      rank: null,
      band: null,
      missing: ['provision'],
      subIndices: { information: 100, provision: null, influence: 0 },
    });
  });

  it('an account without stored WCI leaves influence missing, never 0', () => {
    const r = byRegion(
      computeEditionResults(
        input({
          measured: new Map([
            [1, measured(800)],
            [2, measured(null)],
          ]),
        }),
      ),
    );
    expect(r.get('310000')).toMatchObject({ total: null, missing: ['influence'] });
    expect(r.get('110000')!.measures!.influence).toBe(100);
  });

  it('ranks and bands on the published two decimals: float noise is a tie', () => {
    const tree: IndicatorTree = {
      code: 't',
      name: '树',
      children: [
        { code: 'a', name: '甲', weight: 0.7, kind: 'assessed' },
        { code: 'b', name: '乙', weight: 0.3, kind: 'assessed' },
      ],
    };
    const results = computeEditionResults(
      input({
        tree,
        members: [member('110000', 1), member('310000', 2), member('120000', 3)],
        // 0.7 × 71.6 + 0.3 × 99.6 = 79.99999999999999; 80 exactly; 79.99.
        assessments: new Map([
          ['110000', { a: 71.6, b: 99.6 }],
          ['310000', { a: 100, b: 100 / 3 }],
          ['120000', { a: 79.99, b: 79.99 }],
        ]),
      }),
    );
    const r = byRegion(results);
    expect(r.get('110000')!.total).toBeLessThan(80);
    expect([r.get('110000')!.rank, r.get('310000')!.rank, r.get('120000')!.rank]).toEqual([
      1, 1, 3,
    ]);
    expect([r.get('110000')!.band, r.get('120000')!.band]).toEqual(['high', 'upper_middle']);
  });

  it('uses the configured normalisation', () => {
    const members = [member('110000', 1), member('310000', 2), member('120000', 3)];
    const tree: IndicatorTree = {
      code: 't',
      name: '树',
      children: [
        { code: 'influence', name: '影响力', weight: 1, kind: 'measured', source: 'influence' },
      ],
    };
    const wcis = new Map([
      [1, measured(0)],
      [2, measured(9)],
      [3, measured(99)],
    ]);
    const run = (normalisation: ComputeInput['normalisation']) =>
      computeEditionResults(
        input({ tree, members, measured: wcis, normalisation, assessments: new Map() }),
      ).map((x) => x.total);
    expect(run('min-max')).toEqual([0, (100 * 9) / 99, 100]);
    expect(run('log').map((x) => Math.round(x! * 1e9) / 1e9)).toEqual([0, 50, 100]);
    expect(run('percentile')).toEqual([0, 50, 100]);
  });

  it('scores the activity leaves from the raw measures', () => {
    const tree: IndicatorTree = {
      code: 't',
      name: '树',
      children: [
        {
          code: 'freq',
          name: '更新频率',
          weight: 0.5,
          kind: 'measured',
          source: 'update_frequency',
        },
        {
          code: 'gap',
          name: '未更新',
          weight: 0.25,
          kind: 'measured',
          source: 'days_without_update',
        },
        { code: 'timely', name: '及时性', weight: 0.25, kind: 'measured', source: 'timeliness' },
      ],
    };
    const [result] = computeEditionResults(
      input({
        tree,
        members: [member('110000', 1)],
        assessments: new Map(),
        measured: new Map([
          [1, measured(null, { activeDays: 73, longestGapDays: 7, weeksWithPost: 53 })],
        ]),
      }),
    );
    expect(result.leafScores).toEqual({ freq: 20, gap: 50, timely: 100 });
    expect(result.total).toBeCloseTo(0.5 * 20 + 0.25 * 50 + 0.25 * 100, 10);
  });
});

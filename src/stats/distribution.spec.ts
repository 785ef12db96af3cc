import { describe, expect, it } from 'vitest';
import { type GroupFacts, buildDistribution, growthOf, totalOf } from './distribution';

const facts = (key: string, over: Partial<GroupFacts>): GroupFacts => ({
  key,
  label: key,
  accounts: 0,
  withFollowers: 0,
  followers: null,
  millionFollowerAccounts: 0,
  reads: null,
  tenWanPlusArticles: null,
  tenWanPlusAccounts: 0,
  ...over,
});

// Seed 002 (四川, 2020): 1210 Weibo accounts with 5533.29万 followers, +966.66万 on 2019; 9 with ≥ 1M.
const SICHUAN_2020 = facts('510000', {
  accounts: 1210,
  withFollowers: 1210,
  followers: 55_332_900,
  millionFollowerAccounts: 9,
  reads: 1_003_000_000,
  tenWanPlusArticles: 797,
  tenWanPlusAccounts: 48,
});
const SICHUAN_2019 = facts('510000', {
  accounts: 1100,
  withFollowers: 1100,
  followers: 55_332_900 - 9_666_600,
  millionFollowerAccounts: 6,
  reads: 1_003_000_000 - 488_000_000,
  tenWanPlusArticles: 500,
});

describe('buildDistribution', () => {
  it('shares, means and growth against the same period a year earlier', () => {
    const guangdong = facts('440000', {
      accounts: 790,
      withFollowers: 780,
      followers: 780 * 36_000,
    });
    const d = buildDistribution([guangdong, SICHUAN_2020], [SICHUAN_2019]);
    expect(d.groups.map((g) => g.key)).toEqual(['510000', '440000']);
    const [sichuan, gd] = d.groups;
    expect(sichuan.sharePct).toBe(60.5); // 1210 / 2000
    expect(gd.sharePct).toBe(39.5);
    expect(gd.meanFollowers).toBe(36_000); // 780 accounts with a count, 10 without
    expect(sichuan.meanFollowers).toBe(45_729.67); // 55,332,900 / 1210
    expect(sichuan.growth?.followers).toEqual({
      previous: 45_666_300,
      change: 9_666_600,
      changePct: 21.17,
    });
    expect(sichuan.growth?.reads.change).toBe(488_000_000);
    expect(sichuan.growth?.tenWanPlusArticles).toEqual({
      previous: 500,
      change: 297,
      changePct: 59.4,
    });
    expect(sichuan.growth?.millionFollowerAccounts).toEqual({
      previous: 6,
      change: 3,
      changePct: 50,
    });
    // Absent a year earlier: from 0 accounts, sums unknown.
    expect(gd.growth?.accounts).toEqual({ previous: 0, change: 790, changePct: null });
    expect(gd.growth?.followers).toEqual({ previous: null, change: null, changePct: null });
    expect(d.total).toMatchObject({
      key: 'total',
      label: '合计',
      accounts: 2000,
      sharePct: 100,
      followers: 55_332_900 + 28_080_000,
      tenWanPlusArticles: 797,
      tenWanPlusAccounts: 48,
    });
    expect(d.total.growth?.accounts).toEqual({ previous: 1100, change: 900, changePct: 81.82 });
  });

  it('has no growth without last year, and an empty board shares nothing', () => {
    expect(buildDistribution([SICHUAN_2020], null).groups[0].growth).toBeNull();
    expect(buildDistribution([], null).total).toMatchObject({
      accounts: 0,
      sharePct: 0,
      followers: null,
    });
  });
});

describe('totalOf and growthOf', () => {
  it('sums nullable facts only when some group has them', () => {
    expect(
      totalOf([facts('a', { accounts: 2 }), facts('b', { accounts: 3, reads: 10 })]),
    ).toMatchObject({
      accounts: 5,
      reads: 10,
      followers: null,
    });
  });

  it('growth from 0 has no percentage, a fall is negative', () => {
    expect(growthOf(5, 0)).toEqual({ previous: 0, change: 5, changePct: null });
    expect(growthOf(3, 4)).toEqual({ previous: 4, change: -1, changePct: -25 });
    expect(growthOf(null, 4)).toEqual({ previous: 4, change: null, changePct: null });
  });
});

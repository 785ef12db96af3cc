import { Workbook } from 'exceljs';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMetricPartitions } from '../../src/metrics/metric-writers';
import { periodOf, samePeriodLastYear } from '../../src/scoring/periods';
import { openTestDataSource } from '../support/database';
import {
  type FixtureAccount,
  createFixtureAccounts,
  insertScoreBoard,
} from '../support/score-fixtures';
import { type TestApp, startTestApp } from '../support/test-app';

const W48 = periodOf('week', '2026-11-23');
const LAST_YEAR = samePeriodLastYear(W48);

const ACCOUNTS: FixtureAccount[] = [
  /* S1 */ {
    platform: 'wechat',
    name: '成都公安',
    organization: '成都市公安局',
    regionCode: '510100',
    level: 'municipal',
    sector: 'public_security',
  },
  /* S2 */ {
    platform: 'wechat',
    name: '健康四川',
    organization: '四川省卫健委',
    regionCode: '510000',
    level: 'provincial',
    sector: 'health',
    wechatType: 'service',
  },
  /* S3 */ {
    platform: 'wechat',
    name: '绵阳公安',
    organization: '绵阳市公安局',
    regionCode: '510700',
    level: 'municipal',
    sector: 'public_security',
  },
  /* G1 */ {
    platform: 'wechat',
    name: '南山教育',
    organization: '南山区教育局',
    regionCode: '440300',
    level: 'county',
    sector: 'education',
  },
  /* G2 */ {
    platform: 'wechat',
    name: '广东公安',
    organization: '广东省公安厅',
    regionCode: '440000',
    level: 'provincial',
    sector: 'public_security',
    wechatType: 'service',
  },
  /* C1 */ {
    platform: 'wechat',
    name: '中国政府网',
    organization: '国务院办公厅',
    regionCode: null,
    level: 'central',
    sector: 'party_government_office',
    wechatType: 'service',
  },
];
const [S1, S2, S3, G1, G2, C1] = [0, 1, 2, 3, 4, 5];

interface Group {
  key: string;
  label: string;
  accounts: number;
  sharePct: number;
  followers: number | null;
  meanFollowers: number | null;
  millionFollowerAccounts: number;
  reads: number | null;
  tenWanPlusArticles: number | null;
  tenWanPlusAccounts: number;
  growth: Record<
    string,
    { previous: number | null; change: number | null; changePct: number | null }
  > | null;
}

describe('distribution statistics', () => {
  let t: TestApp;
  let db: DataSource;
  let ids: number[] = [];
  let sichuanKey = '';
  const get = (query: string, key?: string) =>
    t.request('GET', `/api/v1/stats/distribution${query}`, { key });
  const groupsOf = (body: { groups: Group[] }) => new Map(body.groups.map((g) => [g.key, g]));

  beforeAll(async () => {
    t = await startTestApp();
    db = await openTestDataSource(t.databaseUrl);
    ids = await createFixtureAccounts(db, ACCOUNTS);
    await insertScoreBoard(db, { platform: 'wechat', period: W48 }, [
      { accountId: ids[S1], followers: 2_000_000, totalReads: 300_000, maxReads: 150_000 },
      { accountId: ids[S2], followers: 500_000, totalReads: 200_000, maxReads: 100_001 },
      { accountId: ids[S3], followers: 10_000, totalReads: 5_000, maxReads: 1_000 },
      { accountId: ids[G1], followers: 1_200_000, totalReads: 400_000, maxReads: 100_000 },
      { accountId: ids[G2], followers: null, totalReads: null, maxReads: null, score: null },
      { accountId: ids[C1], followers: 3_000_000, totalReads: 1_000_000, maxReads: 500_000 },
    ]);
    await insertScoreBoard(db, { platform: 'wechat', period: LAST_YEAR }, [
      { accountId: ids[S1], followers: 1_500_000, totalReads: 200_000 },
      { accountId: ids[S2], followers: 400_000, totalReads: 100_000 },
      { accountId: ids[G1], followers: 900_000, totalReads: 300_000 },
    ]);
    // A month without its last-year run.
    await insertScoreBoard(db, { platform: 'wechat', period: periodOf('month', '2026-11-01') }, [
      { accountId: ids[S1] },
    ]);
    // Post values at T+7 are what a week counts; other ages and other weeks do not count.
    const snapshots: [number, string, string, number, number][] = [
      [S1, 'p1', '2026-11-23', 7, 100_001], // 10万+
      [S1, 'p1', '2026-11-23', 1, 50_000],
      [S1, 'p2', '2026-11-29', 7, 99_999],
      [S1, 'p3', '2026-11-22', 7, 200_000], // the week before
      [S1, 'p4', '2026-11-25', 1, 150_000], // no T+7 value
      [S2, 'p5', '2026-11-24', 7, 100_001], // 10万+
      [S2, 'p6', '2026-11-26', 7, 300_000], // 10万+
      [G1, 'p7', '2026-11-27', 7, 100_000],
      [S1, 'q1', '2025-11-25', 7, 120_000], // last year's 10万+
    ];
    const observed = (published: string, age: number) =>
      new Date(Date.parse(`${published}T00:00:00Z`) + age * 86_400_000).toISOString().slice(0, 10);
    await ensureMetricPartitions(
      db,
      ['post_metric_snapshots'],
      snapshots.map(([, , published, age]) => observed(published, age)),
    );
    await db.query(
      `INSERT INTO post_metric_snapshots (account_id, observed_day, platform_post_id, published_on, reads, source)
       SELECT * , 'manual' FROM unnest($1::int[], $2::date[], $3::text[], $4::date[], $5::bigint[])`,
      [
        snapshots.map(([a]) => ids[a]),
        snapshots.map(([, , published, age]) => observed(published, age)),
        snapshots.map(([, post]) => post),
        snapshots.map(([, , published]) => published),
        snapshots.map(([, , , , reads]) => reads),
      ],
    );
    const key = await t.request('POST', '/api/v1/api-keys', {
      json: { name: 'sichuan viewer', role: 'viewer', regionCode: '510000' },
    });
    sichuanKey = key.body.apiKey;
  });
  afterAll(async () => {
    await db?.destroy();
    await t?.close();
  });

  it('counts, shares, followers, 百万粉丝 and 10万+ by province, with growth on the same week a year earlier', async () => {
    const res = await get('?platform=wechat&period=week&date=2026-11-23');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      platform: 'wechat',
      by: 'province',
      period: { key: '2026-W48' },
      lastYearPeriod: { key: LAST_YEAR.key, start: '2025-11-24' },
    });
    expect(res.body.lastYearRun.id).toEqual(expect.any(Number));
    expect(res.body.groups.map((g: Group) => g.key)).toEqual(['510000', '440000', 'central']);
    const groups = groupsOf(res.body);
    expect(groups.get('510000')).toEqual({
      key: '510000',
      label: '四川省',
      accounts: 3,
      sharePct: 50,
      followers: 2_510_000,
      meanFollowers: 836_666.67,
      millionFollowerAccounts: 1,
      reads: 505_000,
      tenWanPlusArticles: 3,
      tenWanPlusAccounts: 2,
      growth: {
        accounts: { previous: 2, change: 1, changePct: 50 },
        followers: { previous: 1_900_000, change: 610_000, changePct: 32.11 },
        reads: { previous: 300_000, change: 205_000, changePct: 68.33 },
        millionFollowerAccounts: { previous: 1, change: 0, changePct: 0 },
        tenWanPlusArticles: { previous: 1, change: 2, changePct: 200 },
      },
    });
    expect(groups.get('440000')).toMatchObject({
      label: '广东省',
      accounts: 2,
      sharePct: 33.33,
      followers: 1_200_000,
      meanFollowers: 1_200_000, // 广东公安 has no follower count
      millionFollowerAccounts: 1,
      reads: 400_000,
      tenWanPlusArticles: 0,
      tenWanPlusAccounts: 0,
    });
    expect(groups.get('440000')?.growth?.tenWanPlusArticles).toEqual({
      previous: null,
      change: null,
      changePct: null,
    });
    expect(groups.get('central')).toMatchObject({
      label: '中央',
      accounts: 1,
      sharePct: 16.67,
      tenWanPlusArticles: null,
      tenWanPlusAccounts: 1,
      growth: { accounts: { previous: 0, change: 1, changePct: null } },
    });
    expect(res.body.total).toMatchObject({
      key: 'total',
      label: '合计',
      accounts: 6,
      sharePct: 100,
      followers: 6_710_000,
      meanFollowers: 1_342_000,
      millionFollowerAccounts: 3,
      reads: 1_905_000,
      tenWanPlusArticles: 3,
      tenWanPlusAccounts: 3,
      growth: { accounts: { previous: 3, change: 3, changePct: 100 } },
    });
  });

  it.each([
    [
      'level',
      [
        ['municipal', '地市级', 2],
        ['provincial', '省级', 2],
        ['central', '中央', 1],
        ['county', '区县级', 1],
      ],
    ],
    [
      'sector',
      [
        ['public_security', '公安', 3],
        ['education', '教育', 1],
        ['health', '医疗卫生', 1],
        ['party_government_office', '党委/政府办', 1],
      ],
    ],
    [
      'accountType',
      [
        ['service', '服务号', 3],
        ['subscription', '订阅号', 3],
      ],
    ],
  ])('groups by %s', async (by, expected) => {
    const res = await get(`?platform=wechat&date=2026-11-23&by=${by}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.groups.map((g: Group) => [g.key, g.label, g.accounts])).toEqual(expected);
    const shares = res.body.groups.reduce((s: number, g: Group) => s + g.sharePct, 0);
    expect(shares).toBeCloseTo(100, 1);
  });

  it('has no growth without a run a year earlier', async () => {
    const res = await get('?platform=wechat&period=month&date=2026-11');
    expect(res.status).toBe(200);
    expect(res.body.lastYearRun).toBeNull();
    expect(res.body.lastYearPeriod.key).toBe('2025-11');
    expect(res.body.total.growth).toBeNull();
  });

  it('follows the key’s region scope', async () => {
    const res = await get('?platform=wechat&date=2026-11-23&by=sector', sichuanKey);
    expect(res.body.groups.map((g: Group) => [g.key, g.accounts, g.sharePct])).toEqual([
      ['public_security', 2, 66.67],
      ['health', 1, 33.33],
    ]);
    expect(res.body.total.tenWanPlusArticles).toBe(3);
  });

  it('answers 400 and 404 with reasons', async () => {
    const weibo = await get('?platform=weibo&by=accountType');
    expect(weibo.status).toBe(400);
    expect(weibo.body.errors).toEqual([
      { field: 'by', message: 'accountType (订阅号/服务号) groups WeChat accounts only' },
    ]);
    const bad = await get('?platform=wechat&by=city');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('by');
    const none = await get('?platform=wechat&period=quarter');
    expect(none.status).toBe(404);
    expect(none.body.message).toContain('POST /api/v1/scores/recompute');
  });

  it('downloads CSV and XLSX', async () => {
    const csv = await get('?platform=wechat&date=2026-11-23&format=csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0].split(',').slice(0, 10)).toEqual([
      '省份',
      '代码',
      '账号数',
      '占比(%)',
      '粉丝总数',
      '平均粉丝数',
      '百万粉丝账号数',
      '总阅读数',
      '10万+文章数',
      '10万+账号数',
    ]);
    expect(lines[1].split(',').slice(0, 10)).toEqual([
      '四川省',
      '510000',
      '3',
      '50',
      '2510000',
      '836666.67',
      '1',
      '505000',
      '3',
      '2',
    ]);
    expect(lines.at(-1)?.startsWith('合计,total,6,100,')).toBe(true);
    const response = await fetch(
      `${t.baseUrl}/api/v1/stats/distribution?platform=wechat&date=2026-11-23&by=level&format=xlsx`,
      {
        headers: { 'x-api-key': t.adminKey },
      },
    );
    const workbook = new Workbook();
    const buffer = Buffer.from(await response.arrayBuffer());
    await workbook.xlsx.load(buffer as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).getCell(1).value).toBe('行政级别');
    expect(sheet.getRow(2).getCell(3).value).toBe(2);
    expect(sheet.getRow(2).getCell(4).value).toBe(33.33);
  });
});

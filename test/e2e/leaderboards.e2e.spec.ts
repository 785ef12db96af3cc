import { Workbook } from 'exceljs';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDate } from '../../src/common/business-date';
import { addDays } from '../../src/common/calendar-date';
import { compositeScore } from '../../src/scoring/leaderboards/composite';
import { periodOf } from '../../src/scoring/periods';
import { openTestDataSource } from '../support/database';
import {
  type FixtureAccount,
  type ScoreRowInput,
  createFixtureAccounts,
  insertScoreBoard,
  insertScoreRun,
  nationalScoreRanks,
} from '../support/score-fixtures';
import { type TestApp, startTestApp } from '../support/test-app';

const W47 = periodOf('week', '2026-11-16');
const W48 = periodOf('week', '2026-11-23');

const ACCOUNTS: FixtureAccount[] = [
  /* 0 */ {
    platform: 'wechat',
    name: '成都发布',
    organization: '成都市政府新闻办',
    regionCode: '510100',
    level: 'municipal',
    sector: 'party_government_office',
  },
  /* 1 */ {
    platform: 'wechat',
    name: '四川公安',
    organization: '四川省公安厅',
    regionCode: '510000',
    level: 'provincial',
    sector: 'public_security',
    wechatType: 'service',
  },
  /* 2 */ {
    platform: 'wechat',
    name: '绵阳发布',
    organization: '绵阳市政府新闻办',
    regionCode: '510700',
    level: 'municipal',
    sector: 'party_government_office',
  },
  /* 3 */ {
    platform: 'wechat',
    name: '深圳卫健',
    organization: '深圳市卫健委',
    regionCode: '440300',
    level: 'municipal',
    sector: 'health',
  },
  /* 4 */ {
    platform: 'wechat',
    name: '北京交通',
    organization: '北京市交通委',
    regionCode: '110000',
    level: 'provincial',
    sector: 'transport',
    wechatType: 'service',
  },
  /* 5 */ {
    platform: 'wechat',
    name: '广东税务',
    organization: '广东省税务局',
    regionCode: '440000',
    level: 'provincial',
    sector: 'taxation',
  },
  /* 6 */ {
    platform: 'wechat',
    name: '成都教育',
    organization: '成都市教育局',
    regionCode: '510100',
    level: 'county',
    sector: 'education',
  },
  /* 7 */ {
    platform: 'wechat',
    name: '成都旅游',
    organization: '成都市文旅局',
    regionCode: '510100',
    level: 'municipal',
    sector: 'tourism',
  },
  /* 8 */ {
    platform: 'wechat',
    name: '中国政府网',
    organization: '国务院办公厅',
    regionCode: null,
    level: 'central',
    sector: 'party_government_office',
    wechatType: 'service',
  },
  /* 9 */ {
    platform: 'wechat',
    name: '阿坝发布',
    organization: '阿坝州政府新闻办',
    regionCode: '513200',
    level: 'municipal',
    sector: 'party_government_office',
  },
  /* 10 */ {
    platform: 'weibo',
    name: '成都发布',
    organization: '成都市政府新闻办',
    regionCode: '510100',
    level: 'municipal',
    sector: 'party_government_office',
  },
  /* 11 */ {
    platform: 'weibo',
    name: '四川公安',
    organization: '四川省公安厅',
    regionCode: '510000',
    level: 'provincial',
    sector: 'public_security',
  },
  /* 12 */ {
    platform: 'weibo',
    name: '深圳卫健',
    organization: '深圳市卫健委',
    regionCode: '440300',
    level: 'municipal',
    sector: 'health',
  },
  /* 13 */ {
    platform: 'weibo',
    name: '平安北京',
    organization: '北京市公安局',
    regionCode: '110000',
    level: 'provincial',
    sector: 'public_security',
  },
];

/** Board rows by fixture index; account ids are filled in once created. */
type Fixture = (Omit<ScoreRowInput, 'accountId'> & { i: number })[];

// 2 wins on reads; 0 and 1 tie on the 2-decimal score, reads, max reads and posts (rank 2, 2);
// 5 beats 3 on max reads, 6 beats 3 on posts; 7 has no post (no WCI); 9 is low because
// collection failed (partial, data stops 5 days early).
const WECHAT_W48: Fixture = [
  { i: 0, score: 900.004, totalReads: 50_000, maxReads: 10_001, posts: 20 },
  { i: 1, score: 899.996, totalReads: 50_000, maxReads: 10_001, posts: 20 },
  { i: 2, score: 900.0, totalReads: 60_000, maxReads: 9_000, posts: 20, followers: 2_000_000 },
  { i: 3, score: 850, totalReads: 40_000, maxReads: 10_000, posts: 20 },
  { i: 4, score: 800, totalReads: 30_000, posts: 15, activityScore: 95 },
  { i: 5, score: 850, totalReads: 40_000, maxReads: 20_000, posts: 20 },
  { i: 6, score: 850, totalReads: 40_000, maxReads: 10_000, posts: 30 },
  { i: 7, posts: 0, score: null },
  { i: 8, score: 700, totalReads: 20_000, followers: 5_000_000 },
  { i: 9, score: 100, totalReads: 500, posts: 2, partial: true, dataAsOf: '2026-11-24' },
];
const WECHAT_W47: Fixture = [
  { i: 0, score: 800 },
  { i: 1, score: 700 },
  { i: 2, score: 600 },
  { i: 3, score: 900 },
  { i: 4, score: 500 },
  { i: 5, score: 400 },
  { i: 7, posts: 0, score: null },
  { i: 8, score: 300 },
  { i: 9, score: 850 },
];
const WEIBO_W48: Fixture = [
  { i: 10, score: 80, totalReads: null, maxReads: null },
  { i: 11, score: 60, totalReads: null, maxReads: null },
  { i: 12, score: 70, totalReads: null, maxReads: null },
  { i: 13, score: 90, totalReads: null, maxReads: null },
];
const WEIBO_W47: Fixture = [
  { i: 10, score: 50, totalReads: null, maxReads: null },
  { i: 11, score: 95, totalReads: null, maxReads: null },
  { i: 12, score: 30, totalReads: null, maxReads: null },
  { i: 13, score: 40, totalReads: null, maxReads: null },
];

describe('leaderboards', () => {
  let t: TestApp;
  let db: DataSource;
  let ids: number[] = [];
  let runW48 = 0;
  let sichuanKey = '';
  const rows = (f: Fixture): ScoreRowInput[] =>
    f.map(({ i, ...r }) => ({ ...r, accountId: ids[i] }));
  const index = (accountId: number) => ids.indexOf(accountId);
  const get = (query: string, key?: string, headers?: Record<string, string>) =>
    t.request('GET', `/api/v1/leaderboards${query}`, { key, headers });

  /** What the filtered board must say: rankEntries over the subset, in board order. */
  function expectedBoard(f: Fixture, keep: (i: number) => boolean) {
    const subset = f.filter((r) => keep(r.i));
    const ranks = nationalScoreRanks(rows(subset), W48);
    return subset
      .map((r) => ({ i: r.i, rank: ranks.get(ids[r.i]) ?? null }))
      .sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || ids[a.i] - ids[b.i]);
  }

  beforeAll(async () => {
    t = await startTestApp();
    db = await openTestDataSource(t.databaseUrl);
    ids = await createFixtureAccounts(db, ACCOUNTS);
    await insertScoreBoard(db, { platform: 'wechat', period: W47 }, rows(WECHAT_W47));
    runW48 = await insertScoreBoard(db, { platform: 'wechat', period: W48 }, rows(WECHAT_W48));
    await insertScoreBoard(db, { platform: 'weibo', period: W47 }, rows(WEIBO_W47));
    await insertScoreBoard(db, { platform: 'weibo', period: W48 }, rows(WEIBO_W48));
    // Neither a later failed run of W48 nor a running W49 is served.
    await insertScoreRun(db, { platform: 'wechat', period: W48, status: 'failed' });
    await insertScoreRun(db, {
      platform: 'wechat',
      period: periodOf('week', '2026-11-30'),
      status: 'running',
    });
    // A month board for WeChat only (the organization board then has no Weibo run).
    await insertScoreBoard(
      db,
      { platform: 'wechat', period: periodOf('month', '2026-10-01') },
      rows(WECHAT_W47),
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

  it('serves the national board from the stored ranks: competition ranking, tie-breaks, previous ranks, quality', async () => {
    const res = await get('?platform=wechat&period=week&date=2026-11-25');
    expect(res.status, res.text).toBe(200);
    const b = res.body;
    expect(b).toMatchObject({
      platform: 'wechat',
      metric: 'wci',
      period: {
        type: 'week',
        key: '2026-W48',
        start: '2026-11-23',
        end: '2026-11-29',
        weekStart: 'monday',
      },
      previousPeriod: { key: '2026-W47' },
      previousAvailable: true,
      reRanked: false,
      run: {
        id: runW48,
        formulaVersion: 'wci-v14.2',
        activityVersion: 'activity-v1',
        snapshotAge: 7,
        accounts: 10,
      },
      summary: { accounts: 10, ranked: 9, unranked: 1, partial: 1, stale: 1 },
      nextCursor: null,
    });
    expect(b.run.computedAt).toEqual(expect.any(String));
    const order = b.items.map((e: { account: { id: number } }) => index(e.account.id));
    const ranks = b.items.map((e: { rank: number | null }) => e.rank);
    // 0 and 1 are tied on everything and listed by id.
    const tied = ids[0] < ids[1] ? [0, 1] : [1, 0];
    expect(order).toEqual([2, ...tied, 5, 6, 3, 4, 8, 9, 7]);
    expect(ranks).toEqual([1, 2, 2, 4, 5, 6, 7, 8, 9, null]);
    const byIndex = (i: number) =>
      b.items.find((e: { account: { id: number } }) => e.account.id === ids[i]);
    // W47: 3, 9, 0, 1, 2, 4, 5, 8 (6 is new there).
    expect(byIndex(2)).toMatchObject({ previousRank: 5, rankChange: 4, value: 900, score: 900 });
    expect(byIndex(3)).toMatchObject({ previousRank: 1, rankChange: -5 });
    expect(byIndex(6)).toMatchObject({ previousRank: null, rankChange: null });
    expect(byIndex(7)).toMatchObject({
      rank: null,
      value: null,
      score: null,
      quality: { stale: true },
    });
    expect(byIndex(9).quality).toEqual({
      partial: true,
      stale: false,
      dormant: false,
      dataAsOf: '2026-11-24',
      lagDays: 5,
    });
    expect(byIndex(0)).toMatchObject({
      account: {
        displayName: '成都发布',
        platform: 'wechat',
        accountType: 'subscription',
        organization: {
          name: '成都市政府新闻办',
          level: 'municipal',
          sector: 'party_government_office',
          sectorLabel: '党委/政府办',
          region: {
            code: '510100',
            name: '成都市',
            provinceName: '四川省',
            label: '四川省 成都市',
          },
        },
      },
      inputs: {
        posts: 20,
        totalReads: 50_000,
        maxReads: 10_001,
        avgReads: 2_500,
        zaikan: null,
        followers: 10_000,
      },
      scoreInputsUsed: ['R', 'Rt', 'Rmax', 'n', 'nt'],
      scoreInputsMissing: ['zaikan'],
    });
    expect(byIndex(8).account.organization.region).toBeNull();
  });

  it('needs a viewer key on every new route', async () => {
    const viewer = (
      await t.request('POST', '/api/v1/api-keys', { json: { name: 'viewer', role: 'viewer' } })
    ).body.apiKey as string;
    for (const path of [
      '/api/v1/leaderboards?platform=wechat',
      '/api/v1/leaderboards/organizations',
      '/api/v1/maturity-matrix?platform=wechat',
      '/api/v1/stats/distribution?platform=wechat',
    ]) {
      const anonymous = await t.request('GET', path, { key: null });
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.body.code).toBe('AUTH_MISSING_KEY');
      const allowed = await t.request('GET', path, { key: viewer });
      expect(allowed.status, `${path}: ${allowed.text}`).toBe(200);
      expect(allowed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    }
  });

  it('defaults to the latest closed period with a run and accepts the period key', async () => {
    // Closed once its end + the T+7 snapshot age has passed (score-run.reader.int.spec.ts).
    const w48Closed = addDays(W48.end, 7) < businessDate();
    const latest = await get('?platform=wechat');
    expect(latest.status).toBe(200);
    expect(latest.body.period.key).toBe(w48Closed ? '2026-W48' : '2026-W47');
    if (w48Closed) expect(latest.body.run.id).toBe(runW48);
    const w48 = await get('?platform=wechat&period=week&date=2026-W48');
    expect(w48.body.run.id).toBe(runW48);
    const byKey = await get(`?platform=wechat&period=week&date=${latest.body.period.key}`);
    expect(byKey.body.items).toEqual(latest.body.items);
  });

  it('pages with a keyset cursor through ranked and unranked rows', async () => {
    const full = (await get('?platform=wechat&date=2026-11-23')).body.items;
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(
        `?platform=wechat&date=2026-11-23&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toEqual(full);
  });

  it.each([
    ['region=510000', (i: number) => [0, 1, 2, 6, 7, 9].includes(i)],
    ['region=510100', (i: number) => [0, 6, 7].includes(i)],
    ['sector=party_government_office', (i: number) => [0, 2, 8, 9].includes(i)],
    ['level=provincial', (i: number) => [1, 4, 5].includes(i)],
    ['tier=autonomous_prefecture', (i: number) => i === 9],
    ['tier=municipality', (i: number) => i === 4],
    ['accountType=service', (i: number) => [1, 4, 8].includes(i)],
    ['region=510000&sector=party_government_office', (i: number) => [0, 2, 9].includes(i)],
  ])('re-ranks the filtered rows (%s) as rankEntries does', async (filter, keep) => {
    const res = await get(`?platform=wechat&date=2026-11-23&${filter}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.reRanked).toBe(true);
    const got = res.body.items.map((e: { account: { id: number }; rank: number | null }) => ({
      i: index(e.account.id),
      rank: e.rank,
    }));
    expect(got).toEqual(expectedBoard(WECHAT_W48, keep));
    expect(res.body.summary.accounts).toBe(got.length);
  });

  it('re-ranks the previous period under the same filters', async () => {
    const res = await get('?platform=wechat&date=2026-11-23&region=510000');
    const prev = new Map(
      res.body.items.map((e: { account: { id: number }; previousRank: number | null }) => [
        index(e.account.id),
        e.previousRank,
      ]),
    );
    // W47 within 四川: 9 (850), 0 (800), 1 (700), 2 (600); 6 absent, 7 unranked.
    expect(Object.fromEntries(prev)).toEqual({ 9: 1, 0: 2, 1: 3, 2: 4, 6: null, 7: null });
    const two = res.body.items.find((e: { account: { id: number } }) => e.account.id === ids[2]);
    expect(two).toMatchObject({ rank: 1, previousRank: 4, rankChange: 3 });
  });

  it('ranks by reads, followers and activity from the precomputed ranks', async () => {
    const reads = await get('?platform=wechat&date=2026-11-23&metric=reads&limit=2');
    expect(
      reads.body.items.map((e: { account: { id: number }; value: number }) => [
        index(e.account.id),
        e.value,
      ]),
    ).toEqual([
      [2, 60_000],
      [ids[0] < ids[1] ? 0 : 1, 50_000],
    ]);
    expect(reads.body.items[1].rank).toBe(2);
    const followers = await get('?platform=wechat&date=2026-11-23&metric=followers&limit=2');
    expect(
      followers.body.items.map((e: { account: { id: number } }) => index(e.account.id)),
    ).toEqual([8, 2]);
    const activity = await get('?platform=wechat&date=2026-11-23&metric=activity&region=110000');
    expect(activity.body.items).toHaveLength(1);
    expect(activity.body.items[0]).toMatchObject({ rank: 1, value: 95, activityScore: 95 });
    const weibo = await get('?platform=weibo&date=2026-11-23');
    expect(weibo.body.metric).toBe('bci');
    expect(
      weibo.body.items.map((e: { account: { id: number }; rank: number }) => [
        index(e.account.id),
        e.rank,
      ]),
    ).toEqual([
      [13, 1],
      [10, 2],
      [12, 3],
      [11, 4],
    ]);
  });

  it('confines a region-scoped key to its subtree, as a region filter does', async () => {
    const scoped = await get('?platform=wechat&date=2026-11-23', sichuanKey);
    expect(scoped.status).toBe(200);
    const filtered = await get('?platform=wechat&date=2026-11-23&region=510000');
    expect(scoped.body.items).toEqual(filtered.body.items);
    expect(scoped.body.filters.scope).toBe('510000');
    expect(scoped.body.reRanked).toBe(true);
    const elsewhere = await get('?platform=wechat&date=2026-11-23&region=440000', sichuanKey);
    expect(elsewhere.body.items).toEqual([]);
    expect(elsewhere.body.summary.accounts).toBe(0);
  });

  it('answers 400 with a reason for bad queries', async () => {
    const cases: [string, string, RegExp][] = [
      ['?platform=wechat&metric=likes', 'metric', /metric must be one of/],
      ['?platform=weibo&metric=wci', 'metric', /wci is the WeChat index/],
      ['?platform=wechat&date=2026-02-30', 'date', /not a calendar date/],
      ['?platform=wechat&period=week&date=2026-11', 'date', /month key but period is week/],
      ['?platform=wechat&limit=501', 'limit', /not be greater than 500 for a JSON page/],
      ['?platform=wechat&limit=0', 'limit', /limit must not be less than 1/],
      ['?platform=wechat&cursor=abc', 'cursor', /not one this API issued/],
      ['?platform=weibo&accountType=service', 'accountType', /WeChat accounts only/],
      ['?platform=wechat&period=fortnight', 'period', /period must be one of/],
      ['?metric=wci', 'platform', /platform must be one of/],
      ['?platform=wechat&formulaVersion=bci-2021', 'formulaVersion', /not a wechat formula/],
      ['?platform=wechat&date=2027-01-04', 'date', /has not started yet/],
    ];
    for (const [query, field, message] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      const error = res.body.errors.find((e: { field: string }) => e.field === field);
      expect(error?.message, `${query}: ${res.text}`).toMatch(message);
    }
  });

  it('answers 404 naming POST /api/v1/scores/recompute when no run exists', async () => {
    for (const query of [
      '?platform=wechat&period=week&date=2026-10-05',
      '?platform=wechat&period=quarter',
      '?platform=wechat&period=week&date=2026-11-23&formulaVersion=wci-v13',
    ]) {
      const res = await get(query);
      expect(res.status, query).toBe(404);
      expect(res.body.code).toBe('SCORE_RUN_NOT_FOUND');
      expect(res.body.message).toContain('POST /api/v1/scores/recompute');
    }
    const res = await get('?platform=wechat&period=week&date=2026-10-05');
    expect(res.body.message).toMatch(
      /No finished wechat week .* for 2026-W41 \(2026-10-05 – 2026-10-11\)/,
    );
  });

  it('downloads the board as CSV (UTF-8 with BOM) with Chinese headers', async () => {
    const res = await get('?platform=wechat&date=2026-11-23&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('leaderboard-wechat-wci-2026-W48.csv');
    const raw = new Uint8Array(
      await (
        await fetch(`${t.baseUrl}/api/v1/leaderboards?platform=wechat&date=2026-11-23`, {
          headers: { 'x-api-key': t.adminKey, accept: 'text/csv' },
        })
      ).arrayBuffer(),
    );
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0].split(',').slice(0, 12)).toEqual([
      '排名',
      '上期排名',
      '排名变化',
      '账号',
      '单位',
      '地区',
      '级别',
      '领域',
      'WCI',
      '活跃度',
      '粉丝数',
      '总阅读数',
    ]);
    expect(lines).toHaveLength(11);
    expect(lines[1].split(',').slice(0, 9)).toEqual([
      '1',
      '5',
      '4',
      '绵阳发布',
      '绵阳市政府新闻办',
      '四川省 绵阳市',
      '地市级',
      '党委/政府办',
      '900',
    ]);
    // The whole board by default, whatever the JSON page size.
    expect(lines.at(-1)).toMatch(/^,,,成都旅游,/);
  });

  it('downloads XLSX (Accept header) with numeric cells, parsed back with exceljs', async () => {
    const response = await fetch(
      `${t.baseUrl}/api/v1/leaderboards?platform=wechat&date=2026-11-23&region=510000`,
      {
        headers: {
          'x-api-key': t.adminKey,
          accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
      },
    );
    expect(response.status).toBe(200);
    const workbook = new Workbook();
    const buffer = Buffer.from(await response.arrayBuffer());
    await workbook.xlsx.load(buffer as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    expect(workbook.worksheets).toHaveLength(1);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('微信WCI周榜 2026-W48');
    expect(sheet.getRow(1).getCell(1).value).toBe('排名');
    expect(sheet.getRow(1).getCell(9).value).toBe('WCI');
    expect(sheet.rowCount).toBe(7);
    expect(sheet.getRow(2).getCell(1).value).toBe(1);
    expect(sheet.getRow(2).getCell(4).value).toBe('绵阳发布');
    expect(sheet.getRow(2).getCell(9).value).toBe(900);
    expect(sheet.getRow(7).getCell(1).value).toBeNull();
  });

  describe('organization composite', () => {
    const orgOf = (i: number) => ACCOUNTS[i].organization;

    /** Independent percentile: share of the other accounts with a lower 2-decimal score. */
    function percentiles(f: Fixture): Map<number, number> {
      const scored = f.filter((r) => r.score !== null && r.score !== undefined);
      const s = (r: (typeof scored)[number]) => Math.round((r.score ?? 0) * 100) / 100;
      return new Map(
        scored.map((r) => [
          r.i,
          scored.length === 1
            ? 100
            : (100 * scored.filter((o) => s(o) < s(r)).length) / (scored.length - 1),
        ]),
      );
    }

    function expectedComposite(
      wechat: Fixture,
      weibo: Fixture,
      weights = { wechat: 50, weibo: 50 },
    ) {
      const norm = { wechat: percentiles(wechat), weibo: percentiles(weibo) };
      const byOrg = new Map<string, { wechat?: number; weibo?: number }>();
      for (const platform of ['wechat', 'weibo'] as const) {
        if (weights[platform] === 0) continue;
        for (const [i, value] of norm[platform]) {
          const entry = byOrg.get(orgOf(i)) ?? {};
          entry[platform] = Math.max(entry[platform] ?? -1, value);
          byOrg.set(orgOf(i), entry);
        }
      }
      return new Map(
        [...byOrg].map(([org, n]) => [org, Math.round(compositeScore(n, weights) * 100) / 100]),
      );
    }

    it('normalizes each platform by percentile, weights 50/50, counts a missing platform as 0', async () => {
      const res = await get('/organizations?date=2026-11-23');
      expect(res.status, res.text).toBe(200);
      const expected = expectedComposite(WECHAT_W48, WEIBO_W48);
      const got = new Map(
        res.body.items.map((e: { organization: { name: string }; composite: number }) => [
          e.organization.name,
          e.composite,
        ]),
      );
      expect(got).toEqual(expected);
      expect(res.body).toMatchObject({
        weights: { wechat: 50, weibo: 50 },
        normalize: 'percentile',
        organizations: expected.size,
        previousAvailable: true,
      });
      expect(res.body.runs.wechat.id).toBe(runW48);
      const composites = res.body.items.map((e: { composite: number }) => e.composite);
      expect(composites).toEqual([...composites].sort((a, b) => b - a));
      expect(res.body.items[0].rank).toBe(1);
      const mianyang = res.body.items.find(
        (e: { organization: { name: string } }) => e.organization.name === '绵阳市政府新闻办',
      );
      expect(mianyang.missingPlatforms).toEqual(['weibo']);
      expect(mianyang.platforms).toEqual([
        {
          platform: 'wechat',
          weight: 50,
          normalized: 75,
          score: 900,
          accountId: ids[2],
          displayName: '绵阳发布',
          accounts: 1,
        },
        {
          platform: 'weibo',
          weight: 50,
          normalized: null,
          score: null,
          accountId: null,
          displayName: null,
          accounts: 0,
        },
      ]);
      // Previous ranks: the same composite over W47.
      const before = expectedComposite(WECHAT_W47, WEIBO_W47);
      const beforeRank = new Map(
        [...before].map(([org, c]) => [org, 1 + [...before.values()].filter((x) => x > c).length]),
      );
      for (const e of res.body.items as {
        organization: { name: string };
        previousRank: number | null;
      }[]) {
        expect(e.previousRank, e.organization.name).toBe(
          beforeRank.get(e.organization.name) ?? null,
        );
      }
    });

    it('takes custom weights and min–max normalization', async () => {
      const wechatOnly = await get('/organizations?date=2026-11-23&weights=wechat:100');
      expect(wechatOnly.status).toBe(200);
      expect(
        new Map(
          wechatOnly.body.items.map((e: { organization: { name: string }; composite: number }) => [
            e.organization.name,
            e.composite,
          ]),
        ),
      ).toEqual(expectedComposite(WECHAT_W48, WEIBO_W48, { wechat: 100, weibo: 0 }));
      expect(wechatOnly.body.runs.weibo).toBeNull();
      const minmax = await get(
        '/organizations?date=2026-11-23&normalize=minmax&weights=wechat:0,weibo:1',
      );
      const beijing = minmax.body.items.find(
        (e: { organization: { name: string } }) => e.organization.name === '北京市公安局',
      );
      // BCI 60..90: 平安北京 has the maximum.
      expect(beijing).toMatchObject({ rank: 1, composite: 100 });
      const sichuan = minmax.body.items.find(
        (e: { organization: { name: string } }) => e.organization.name === '四川省公安厅',
      );
      expect(sichuan.composite).toBe(0);
      const scoped = await get('/organizations?date=2026-11-23', sichuanKey);
      expect(
        scoped.body.items.map((e: { organization: { region: { code: string } | null } }) =>
          e.organization.region?.code.slice(0, 2),
        ),
      ).toEqual(expect.arrayContaining(['51']));
      expect(
        scoped.body.items.every((e: { organization: { region: { code: string } | null } }) =>
          e.organization.region?.code.startsWith('51'),
        ),
      ).toBe(true);
    });

    it('refuses bad weights and needs a run of every weighted platform', async () => {
      const bad = await get('/organizations?weights=wechat:50,douyin:50');
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toEqual({
        field: 'weights',
        message: 'douyin is not a platform; use wechat, weibo',
      });
      const noWeibo = await get('/organizations?period=month&date=2026-10');
      expect(noWeibo.status).toBe(404);
      expect(noWeibo.body.message).toMatch(/No finished weibo month .* 2026-10/);
      const csv = await get('/organizations?date=2026-11-23&format=csv');
      expect(csv.status).toBe(200);
      expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
        '排名,上期排名,排名变化,单位,地区,级别,领域,综合得分,微信账号,WCI,微信标准化得分,微博账号,BCI,微博标准化得分,数据不完整,停更',
      );
    });
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const docs = await t.request('GET', '/docs-json', { key: null });
    const paths = docs.body.paths as Record<
      string,
      { get: { summary: string; description: string; parameters: { name: string }[] } }
    >;
    for (const [path, words] of [
      [
        '/api/v1/leaderboards',
        ['Competition ranking', 'window function', 'POST /api/v1/scores/recompute'],
      ],
      ['/api/v1/leaderboards/organizations', ['percentile', 'minmax', 'wechat:50,weibo:50']],
      ['/api/v1/maturity-matrix', ['active 活跃', 'potential 潜力', 'to_promote 待推广', 'median']],
      ['/api/v1/stats/distribution', ['10万+', 'samePeriodLastYear', '1,000,000']],
    ] as const) {
      const op = paths[path]?.get;
      expect(op, path).toBeDefined();
      expect(op.summary.length).toBeGreaterThan(10);
      for (const word of words) expect(op.description, `${path}: ${word}`).toContain(word);
    }
    const params = paths['/api/v1/leaderboards'].get.parameters.map((p) => p.name);
    expect(params).toEqual(
      expect.arrayContaining([
        'platform',
        'period',
        'date',
        'metric',
        'region',
        'tier',
        'level',
        'sector',
        'accountType',
        'limit',
        'cursor',
        'format',
      ]),
    );
  });
});

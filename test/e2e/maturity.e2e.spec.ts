import { Workbook } from 'exceljs';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sector } from '../../src/accounts/account-taxonomy';
import { type Quadrant, mean, quadrantOf } from '../../src/maturity/quadrant';
import { periodOf } from '../../src/scoring/periods';
import { openTestDataSource } from '../support/database';
import {
  type FixtureAccount,
  type ScoreRowInput,
  createFixtureAccounts,
  insertScoreBoard,
} from '../support/score-fixtures';
import { type TestApp, startTestApp } from '../support/test-app';

const W47 = periodOf('week', '2026-11-16');
const W48 = periodOf('week', '2026-11-23');

/**
 * Seed 003's sectors with the white paper's proportions (公安 7860, 医疗 7164 … ÷ 10) and an
 * activity per sector; 法院 and 民政 are extra "many & low" groups, since a median split of 12
 * groups cannot put only 5 on the "many" side. DESIGN.md's quadrant is the expectation (旅游 is
 * 潜力 there).
 */
const SECTORS: {
  sector: Sector;
  accounts: number;
  w48: number;
  w47: number;
  quadrant: Quadrant;
}[] = [
  { sector: 'public_security', accounts: 786, w48: 8.0, w47: 8.0, quadrant: 'active' },
  { sector: 'health', accounts: 716, w48: 7.5, w47: 7.5, quadrant: 'active' },
  { sector: 'party_government_office', accounts: 300, w48: 6.0, w47: 6.0, quadrant: 'active' },
  { sector: 'youth_league', accounts: 250, w48: 2.0, w47: 2.0, quadrant: 'to_promote' },
  { sector: 'human_resources', accounts: 220, w48: 2.5, w47: 2.5, quadrant: 'to_promote' },
  { sector: 'court', accounts: 180, w48: 1.5, w47: 1.5, quadrant: 'to_promote' },
  { sector: 'civil_affairs', accounts: 150, w48: 1.8, w47: 1.8, quadrant: 'to_promote' },
  { sector: 'transport', accounts: 90, w48: 9.0, w47: 1.0, quadrant: 'potential' },
  { sector: 'tourism', accounts: 70, w48: 8.5, w47: 8.5, quadrant: 'potential' },
  { sector: 'culture_media', accounts: 60, w48: 7.0, w47: 7.0, quadrant: 'potential' },
  { sector: 'education', accounts: 80, w48: 6.5, w47: 6.5, quadrant: 'potential' },
  { sector: 'housing_fund', accounts: 30, w48: 1.0, w47: 1.0, quadrant: 'dormant' },
  { sector: 'food_drug', accounts: 20, w48: 1.2, w47: 1.2, quadrant: 'dormant' },
  { sector: 'taxation', accounts: 40, w48: 0.8, w47: 9.0, quadrant: 'dormant' },
];
const LABELS: Record<Quadrant, string> = {
  active: '活跃',
  potential: '潜力',
  dormant: '待激活',
  to_promote: '待推广',
};

interface MatrixGroup {
  key: string;
  label: string;
  accounts: number;
  activity: number | null;
  quadrant: Quadrant | null;
  quadrantLabel: string | null;
  movement: string | null;
  previous: { quadrant: Quadrant | null } | null;
}

describe('maturity matrix', () => {
  let t: TestApp;
  let db: DataSource;
  let guangdongKey = '';
  const get = (query: string, key?: string) =>
    t.request('GET', `/api/v1/maturity-matrix${query}`, { key });
  const bySector = (groups: MatrixGroup[]) => new Map(groups.map((g) => [g.key, g]));

  beforeAll(async () => {
    t = await startTestApp();
    db = await openTestDataSource(t.databaseUrl);
    // Every other account of a sector in 成都 (municipal) or 深圳 (county).
    const accounts: FixtureAccount[] = [];
    const plan: { sector: (typeof SECTORS)[number]; chengdu: boolean }[] = [];
    for (const s of SECTORS) {
      for (let n = 0; n < s.accounts; n++) {
        const chengdu = n % 2 === 0;
        accounts.push({
          platform: 'wechat',
          name: `${s.sector} ${n}`,
          organization: `${chengdu ? '成都' : '深圳'} ${s.sector}`,
          regionCode: chengdu ? '510100' : '440300',
          level: chengdu ? 'municipal' : 'county',
          sector: s.sector,
        });
        plan.push({ sector: s, chengdu });
      }
    }
    const ids = await createFixtureAccounts(db, accounts);
    // Posts 10, followers 1,000: reads per post per 1,000 followers = R / 10.
    const board = (week: 'w47' | 'w48'): ScoreRowInput[] =>
      plan.map((p, i) => ({
        accountId: ids[i],
        posts: 10,
        followers: 1_000,
        totalReads: Math.round(p.sector[week] * 10),
        activityScore: p.chengdu ? 40 : 80,
      }));
    await insertScoreBoard(db, { platform: 'wechat', period: W47 }, board('w47'));
    await insertScoreBoard(db, { platform: 'wechat', period: W48 }, board('w48'));
    const key = await t.request('POST', '/api/v1/api-keys', {
      json: { name: 'guangdong viewer', role: 'viewer', regionCode: '440000' },
    });
    guangdongKey = key.body.apiKey;
  });
  afterAll(async () => {
    await db?.destroy();
    await t?.close();
  });

  it('puts each sector seed 003 names in the quadrant DESIGN.md assigns (median split)', async () => {
    const res = await get('?platform=wechat&period=week&date=2026-11-23');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      platform: 'wechat',
      groupBy: 'sector',
      thresholdRule: 'median',
      activity: { code: 'reads_per_post_per_1k_followers', label: '千粉篇均阅读（中位数）' },
      // Medians of the 14 groups: accounts (90 + 150) / 2, activity (2.5 + 6.0) / 2.
      thresholds: { x: 120, y: 4.25 },
      previousAvailable: true,
      previousPeriod: { key: '2026-W47' },
    });
    const groups = bySector(res.body.groups);
    for (const s of SECTORS) {
      const g = groups.get(s.sector)!;
      expect(g, s.sector).toMatchObject({
        accounts: s.accounts,
        activity: s.w48,
        quadrant: s.quadrant,
        quadrantLabel: LABELS[s.quadrant],
      });
    }
    expect(groups.get('public_security')?.label).toBe('公安');
    expect(groups.get('housing_fund')?.label).toBe('公积金');
  });

  it('reports movement since the previous period', async () => {
    const res = await get('?platform=wechat&period=week&date=2026-11-23');
    const groups = bySector(res.body.groups);
    // W47: 交通 was 待激活 (low activity), 税务 潜力 (high).
    expect(groups.get('transport')).toMatchObject({
      previous: { quadrant: 'dormant' },
      movement: 'up',
    });
    expect(groups.get('taxation')).toMatchObject({
      previous: { quadrant: 'potential' },
      movement: 'down',
    });
    expect(groups.get('public_security')).toMatchObject({
      previous: { quadrant: 'active' },
      movement: 'same',
    });
    expect(res.body.previousThresholds).toEqual({ x: 120, y: 4.25 });
    const first = await get('?platform=wechat&period=week&date=2026-11-16');
    expect(first.body.previousAvailable).toBe(false);
    expect(
      first.body.groups.every((g: MatrixGroup) => g.previous === null && g.movement === null),
    ).toBe(true);
  });

  it('splits at the mean, or at fixed thresholds', async () => {
    const res = await get('?platform=wechat&date=2026-11-23&threshold=mean');
    expect(res.status).toBe(200);
    const x = mean(SECTORS.map((s) => s.accounts))!;
    const y = mean(SECTORS.map((s) => s.w48))!;
    expect(res.body.thresholdRule).toBe('mean');
    expect(res.body.thresholds.x).toBeCloseTo(x, 9);
    expect(res.body.thresholds.y).toBeCloseTo(y, 9);
    for (const g of res.body.groups as MatrixGroup[]) {
      expect(g.quadrant, g.key).toBe(quadrantOf(g.accounts, g.activity!, { x, y }));
    }
    const fixed = await get('?platform=wechat&date=2026-11-23&threshold=250,8');
    expect(fixed.body).toMatchObject({ thresholdRule: 'fixed', thresholds: { x: 250, y: 8 } });
    const groups = bySector(fixed.body.groups);
    expect(groups.get('public_security')?.quadrant).toBe('active');
    expect(groups.get('party_government_office')?.quadrant).toBe('to_promote');
    expect(groups.get('youth_league')?.quadrant).toBe('to_promote'); // 250 counts as many
    expect(groups.get('tourism')?.quadrant).toBe('potential');
    expect(groups.get('education')?.quadrant).toBe('dormant');
  });

  it('takes median activity_score as the measure', async () => {
    const res = await get('?platform=wechat&date=2026-11-23&activity=activity_score');
    expect(res.body.activity.code).toBe('activity_score');
    const groups = bySector(res.body.groups);
    // Half the accounts score 40, half 80: the median of an even sector is 60.
    expect(groups.get('public_security')?.activity).toBe(60);
    expect(groups.get('health')?.activity).toBe(60);
    expect(groups.get('food_drug')?.activity).toBe(60);
  });

  it('groups by region (provinces, or the organizations’ regions when narrowed) and by level', async () => {
    const regions = await get('?platform=wechat&date=2026-11-23&groupBy=region');
    const total = SECTORS.reduce((sum, s) => sum + s.accounts, 0);
    // Every sector has an even count: half in each province, listed by key on the tie.
    const half = total / 2;
    expect(regions.body.groups.map((g: MatrixGroup) => [g.key, g.label, g.accounts])).toEqual([
      ['440000', '广东省', half],
      ['510000', '四川省', half],
    ]);
    const narrowed = await get('?platform=wechat&date=2026-11-23&groupBy=region&region=510000');
    expect(narrowed.body.groups.map((g: MatrixGroup) => [g.key, g.label])).toEqual([
      ['510100', '成都市'],
    ]);
    const levels = await get('?platform=wechat&date=2026-11-23&groupBy=level');
    expect(levels.body.groups.map((g: MatrixGroup) => [g.key, g.label, g.accounts])).toEqual([
      ['county', '区县级', half],
      ['municipal', '地市级', half],
    ]);
  });

  it('follows the key’s region scope', async () => {
    const res = await get('?platform=wechat&date=2026-11-23', guangdongKey);
    expect(res.status).toBe(200);
    const groups = bySector(res.body.groups);
    expect(groups.get('public_security')?.accounts).toBe(393);
    expect(groups.get('tourism')?.accounts).toBe(35);
    const regions = await get('?platform=wechat&date=2026-11-23&groupBy=region', guangdongKey);
    expect(regions.body.groups.map((g: MatrixGroup) => g.key)).toEqual(['440300']);
  });

  it('downloads CSV and XLSX with Chinese headers', async () => {
    const csv = await get('?platform=wechat&date=2026-11-23&format=csv');
    expect(csv.status).toBe(200);
    const raw = await fetch(`${t.baseUrl}/api/v1/maturity-matrix?platform=wechat&date=2026-11-23`, {
      headers: { 'x-api-key': t.adminKey, accept: 'text/csv' },
    });
    const bytes = Buffer.from(await raw.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(csv.text);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('分组,代码,账号数,千粉篇均阅读（中位数）,计入账号数,象限,上期象限,变化');
    expect(lines[1]).toBe('公安,public_security,786,8,786,活跃,活跃,不变');
    expect(lines).toHaveLength(15);
    const response = await fetch(
      `${t.baseUrl}/api/v1/maturity-matrix?platform=wechat&date=2026-11-23&format=xlsx`,
      {
        headers: { 'x-api-key': t.adminKey },
      },
    );
    const workbook = new Workbook();
    const buffer = Buffer.from(await response.arrayBuffer());
    await workbook.xlsx.load(buffer as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['成熟矩阵 2026-W48', '阈值']);
    expect(workbook.worksheets[1].getRow(2).values).toEqual([undefined, '中位数', 120, 4.25]);
  });

  it('answers 400 for bad thresholds and measures, 404 without a run', async () => {
    const bad = await get('?platform=wechat&threshold=average&activity=likes&groupBy=city');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'activity',
      'groupBy',
    ]);
    const threshold = await get('?platform=wechat&threshold=average');
    expect(threshold.body.errors).toEqual([
      {
        field: 'threshold',
        message:
          'threshold must be median, mean or "<accounts>,<activity>" such as 1000,2.5; got "average"',
      },
    ]);
    const none = await get('?platform=weibo');
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('SCORE_RUN_NOT_FOUND');
  });
});

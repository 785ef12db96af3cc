import { Workbook } from 'exceljs';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertScoreFixtures } from '../../src/capability/capability-testing';
import { openTestDataSource } from '../support/database';
import { type TestApp, startTestApp } from '../support/test-app';

const GOV = '党委/政府办';

/** Government-office WeChat accounts of 8 regions (重庆 has none), and one police account. */
const ACCOUNTS = [
  ['gh_cap000000001', '北京发布', '北京市人民政府新闻办公室', '110000', '省级', GOV],
  ['gh_cap000000002', '上海发布', '上海市人民政府新闻办公室', '310000', '省级', GOV],
  ['gh_cap000000003', '天津发布', '天津市人民政府新闻办公室', '120000', '省级', GOV],
  ['gh_cap000000004', '四川发布', '四川省人民政府新闻办公室', '510000', '省级', GOV],
  ['gh_cap000000005', '广东发布', '广东省人民政府新闻办公室', '440000', '省级', GOV],
  ['gh_cap000000006', '成都发布', '成都市人民政府新闻办公室', '510100', '市级', GOV],
  ['gh_cap000000007', '绵阳发布', '绵阳市人民政府新闻办公室', '510700', '市级', GOV],
  ['gh_cap000000008', '深圳发布', '深圳市人民政府新闻办公室', '440300', '市级', GOV],
  ['gh_cap000000009', '北京公安', '北京市公安局', '110000', '省级', '公安'],
] as const;

/** 2025 WCI per region (year rows); min-max within each tier gives the influence leaf. */
const WCI_2025: Record<string, number> = {
  '110000': 800, // → 100
  '310000': 600, // → 50
  '120000': 400, // → 0
  '510000': 700, // → 100
  '440000': 500, // → 0
  '510100': 300, // → 100
  '510700': 200, // → 0
  '440300': 250, // → 50
};
const WCI_2024: Record<string, number> = { '110000': 700, '310000': 650 };

const CODES = ['information', 'transaction', 'participation', 'provision'] as const;
const NAMES = ['信息服务能力', '事务服务能力', '参与服务能力', '服务提供能力'] as const;

/** Four assessed leaves of seed 000 per region: totals 80, 68, 40 | 92, 48 | 84, 40, 66. */
const SCORES_2025: Record<string, [number, number, number, number]> = {
  '110000': [90, 80, 70, 60],
  '310000': [85, 70, 75, 60],
  '120000': [100, 20, 20, 60],
  '510000': [90, 90, 90, 90],
  '440000': [60, 60, 60, 60],
  '510100': [80, 80, 80, 80],
  '510700': [50, 50, 50, 50],
  '440300': [70, 70, 70, 70],
};

const HEADER = '地区代码,地区,指标,得分,评估人,证据,证据链接,评估时间';

function assessmentCsv(scores: Record<string, readonly number[]>): string {
  const lines = [HEADER];
  for (const [region, values] of Object.entries(scores)) {
    values.forEach((score, i) => {
      // Codes for some rows, Chinese names for the others: both are accepted.
      const indicator = i % 2 === 0 ? CODES[i] : NAMES[i];
      lines.push(
        `${region},,${indicator},${score},评估组A,"菜单与办事入口核查, ${region}",https://example.org/evidence/${region},2026-01-15`,
      );
    });
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

describe('capability index over HTTP', () => {
  let t: TestApp;
  let db: DataSource;
  const keys: Record<'viewer' | 'analyst' | 'scopedAnalyst' | 'scopedViewer', string> = {
    viewer: '',
    analyst: '',
    scopedAnalyst: '',
    scopedViewer: '',
  };
  const accountIds: Record<string, number> = {};
  let edition = 0;
  let previous = 0;

  const importCsv = (id: number, csv: string, query = '', key = keys.analyst) =>
    t.request('POST', `/api/v1/capability/editions/${id}/assessments/import${query}`, {
      body: csv,
      headers: { 'content-type': 'text/csv' },
      key,
    });
  const download = async (path: string, key = keys.viewer) => {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: { 'x-api-key': key } });
    return { response, buffer: Buffer.from(await response.arrayBuffer()) };
  };

  beforeAll(async () => {
    t = await startTestApp();
    db = await openTestDataSource(t.databaseUrl);
    const csv = [
      'platform,wechatOriginalId,displayName,organizationName,regionCode,level,sector',
      ...ACCOUNTS.map((a) => ['微信', ...a].join(',')),
    ].join('\n');
    const seeded = await t.request('POST', '/api/v1/accounts/import', {
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(seeded.status, seeded.text).toBe(200);
    const rows = await db.query<{ id: number; wechat_original_id: string; region_code: string }[]>(
      `SELECT a.id, a.wechat_original_id, o.region_code FROM accounts a
       JOIN organizations o ON o.id = a.organization_id`,
    );
    for (const r of rows) {
      if (r.wechat_original_id !== 'gh_cap000000009') accountIds[r.region_code] = r.id;
    }
    const fixture = (wci: Record<string, number>, year: string) =>
      Object.entries(wci).map(([region, value]) => ({
        accountId: accountIds[region],
        periodType: 'year' as const,
        periodStart: `${year}-01-01`,
        periodEnd: `${year}-12-31`,
        wci: value,
      }));
    await insertScoreFixtures(db, [...fixture(WCI_2025, '2025'), ...fixture(WCI_2024, '2024')]);
    for (const [name, role, regionCode] of [
      ['viewer', 'viewer', undefined],
      ['analyst', 'analyst', undefined],
      ['scopedAnalyst', 'analyst', '510000'],
      ['scopedViewer', 'viewer', '510000'],
    ] as const) {
      const created = await t.request('POST', '/api/v1/api-keys', {
        json: { name, role, ...(regionCode ? { regionCode } : {}) },
      });
      expect(created.status, created.text).toBe(201);
      keys[name] = created.body.apiKey;
    }
  });
  afterAll(async () => {
    await db?.destroy();
    await t?.close();
  });

  it('lists the presets; a viewer may read but not create an edition', async () => {
    const presets = await t.request('GET', '/api/v1/capability/presets', { key: keys.viewer });
    expect(presets.status).toBe(200);
    expect(presets.body.map((p: { code: string }) => p.code)).toEqual([
      'seed000-five-capabilities',
      'seed001-three-level',
    ]);
    const refused = await t.request('POST', '/api/v1/capability/editions', {
      key: keys.viewer,
      json: { code: '2025', name: 'x', period: '2025', preset: 'seed000-five-capabilities' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('AUTH_INSUFFICIENT_ROLE');
  });

  it('refuses an invalid tree with every problem and its path (400)', async () => {
    const res = await t.request('POST', '/api/v1/capability/editions', {
      key: keys.analyst,
      json: {
        code: 'bad',
        name: '坏树',
        period: '2025',
        tree: {
          code: 't',
          name: '树',
          children: [
            { code: 'a', name: '甲', weight: 0.5, kind: 'assessed' },
            { code: 'b', name: '乙', weight: 0.4 },
          ],
        },
      },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.code).toBe('INDICATOR_TREE_INVALID');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { path: 't', message: expect.stringContaining('sum to 0.9') },
        { path: 't/b', message: expect.stringContaining('set kind') },
      ]),
    );
    const list = await t.request('GET', '/api/v1/capability/editions', { key: keys.viewer });
    expect(list.body.items).toEqual([]);
  });

  it('a region-scoped analyst cannot create a national edition', async () => {
    const res = await t.request('POST', '/api/v1/capability/editions', {
      key: keys.scopedAnalyst,
      json: { code: 'sc', name: '四川', period: '2025', preset: 'seed000-five-capabilities' },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('OUT_OF_REGION_SCOPE');
  });

  it('creates an edition from the seed-000 preset with the automatic cohort', async () => {
    const res = await t.request('POST', '/api/v1/capability/editions', {
      key: keys.analyst,
      json: {
        code: '2025',
        name: '2025 年省市政府政务微信服务能力指数',
        period: '2025',
        preset: 'seed000-five-capabilities',
      },
    });
    expect(res.status, res.text).toBe(201);
    edition = res.body.id;
    expect(res.body).toMatchObject({
      code: '2025',
      period: { kind: 'year', key: '2025', start: '2025-01-01', end: '2025-12-31' },
      normalisation: 'min-max',
      formulaVersion: 'wci-v14.2',
      treeVersion: 1,
      results: null,
      cohort: { regions: 364, opened: 8, explicit: 0 },
    });
    expect(res.body.bands.map((b: { min: number }) => b.min)).toEqual([80, 70, 60, 40, 0]);

    const cohort = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/cohort?tier=municipality`,
      { key: keys.viewer },
    );
    expect(cohort.status).toBe(200);
    expect(
      cohort.body.items.map((c: { name: string; account: { displayName: string } | null }) => [
        c.name,
        c.account?.displayName ?? null,
      ]),
    ).toEqual([
      ['北京市', '北京发布'],
      ['天津市', '天津发布'],
      ['上海市', '上海发布'],
      ['重庆市', null],
    ]);
  });

  it('reports before the first recompute are 409 RESULTS_NOT_COMPUTED', async () => {
    const res = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/report?tier=municipality`,
      { key: keys.viewer },
    );
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('RESULTS_NOT_COMPUTED');
  });

  it('an assessments file with any bad row applies nothing and lists every error', async () => {
    const bad = [
      HEADER,
      '110000,北京市,information,120,评估组A,,,',
      '500000,重庆市,transaction,60,评估组A,,,',
      '310000,上海市,influence,60,评估组A,,,',
      '120000,天津市,provision,60,,,ftp://x,2999-01-01',
      '110000,北京市,信息服务能力,70,评估组A,,,',
      '310000,上海市,participation,75,评估组A,,,',
    ].join('\n');
    const res = await importCsv(edition, bad);
    expect(res.status, res.text).toBe(400);
    expect(res.body.code).toBe('IMPORT_INVALID');
    expect(res.body.errors).toEqual([
      { row: 2, column: 'score', message: '"120" is not a score from 0 to 100' },
      {
        row: 3,
        column: 'regionCode',
        message: expect.stringContaining('500000 has no account in the edition'),
      },
      {
        row: 4,
        column: 'indicator',
        message: expect.stringContaining('is measured from stored data'),
      },
      { row: 5, column: 'assessor', message: expect.stringContaining('is required') },
      { row: 5, column: 'evidenceUrl', message: expect.stringContaining('is not an http(s) URL') },
      { row: 5, column: 'assessedAt', message: expect.stringContaining('in the future') },
      { row: 6, column: 'indicator', message: expect.stringContaining('also assessed on row 2') },
    ]);
    const list = await t.request('GET', `/api/v1/capability/editions/${edition}/assessments`, {
      key: keys.viewer,
    });
    expect(list.body.items).toEqual([]);
  });

  it('a region-scoped analyst may only assess regions in its scope', async () => {
    const res = await importCsv(
      edition,
      [
        HEADER,
        '510100,成都市,information,80,四川评估组,,,',
        '110000,北京市,information,90,四川评估组,,,',
      ].join('\n'),
      '',
      keys.scopedAnalyst,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { row: 3, column: 'regionCode', message: "110000 is outside the key's region scope" },
    ]);
  });

  it('imports the assessments CSV (BOM, Chinese headers), dry run first', async () => {
    const dry = await importCsv(edition, assessmentCsv(SCORES_2025), '?dryRun=true');
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, rows: 32, inserted: 32, changed: 0 });
    const res = await importCsv(edition, assessmentCsv(SCORES_2025));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      dryRun: false,
      rows: 32,
      inserted: 32,
      changed: 0,
      unchanged: 0,
      scoresChanged: 32,
      resultsOutdated: false,
      recomputed: null,
    });
    const again = await importCsv(edition, assessmentCsv(SCORES_2025));
    expect(again.body).toMatchObject({ inserted: 0, changed: 0, unchanged: 32, scoresChanged: 0 });

    const page = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/assessments?region=110000&limit=3`,
      { key: keys.viewer },
    );
    expect(page.body.items).toHaveLength(3);
    expect(page.body.items[0]).toMatchObject({
      regionCode: '110000',
      regionName: '北京市',
      indicatorCode: 'information',
      indicatorName: '信息服务能力',
      score: 90,
      assessor: '评估组A',
      evidence: '菜单与办事入口核查, 110000',
      evidenceUrl: 'https://example.org/evidence/110000',
      assessedAt: '2026-01-14T16:00:00.000Z',
    });
    const next = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/assessments?region=110000&limit=3&cursor=${page.body.nextCursor}`,
      { key: keys.viewer },
    );
    expect(next.body.items.map((a: { indicatorCode: string }) => a.indicatorCode)).toEqual([
      'transaction',
    ]);
    expect(next.body.nextCursor).toBeNull();
  });

  it('recomputes (analyst) and serves results per tier with the tree version and normalisation', async () => {
    const refused = await t.request('POST', `/api/v1/capability/editions/${edition}/recompute`, {
      key: keys.viewer,
    });
    expect(refused.status).toBe(403);
    const run = await t.request('POST', `/api/v1/capability/editions/${edition}/recompute`, {
      key: keys.analyst,
    });
    expect(run.status, run.text).toBe(200);
    expect(run.body).toMatchObject({
      regions: 364,
      scored: 8,
      treeVersion: 1,
      normalisation: 'min-max',
      tiers: [
        { tier: 'municipality', regions: 4, opened: 3, scored: 3 },
        { tier: 'province', regions: 27, opened: 2, scored: 2 },
        { tier: 'prefecture', regions: 333, opened: 3, scored: 3 },
      ],
    });
    const results = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/results?tier=prefecture`,
      { key: keys.viewer },
    );
    expect(results.status).toBe(200);
    expect(results.body.results).toMatchObject({
      outdated: false,
      treeVersion: 1,
      normalisation: 'min-max',
    });
    const ranked = results.body.items.filter((r: { rank: number | null }) => r.rank !== null);
    expect(
      ranked.map((r: { name: string; total: number; rank: number; band: string }) => [
        r.name,
        r.rank,
        r.band,
      ]),
    ).toEqual([
      ['成都市', 1, 'high'],
      ['深圳市', 2, 'middle'],
      ['绵阳市', 3, 'lower'],
    ]);
    expect(ranked[0].total).toBeCloseTo(84, 9);
    expect(ranked[0]).toMatchObject({
      treeVersion: 1,
      normalisation: 'min-max',
      formulaVersion: 'wci-v14.2',
      subIndices: { information: 80, influence: 100 },
      measures: { wci: 300, wciBasis: 'year', influence: 100 },
    });
    expect(results.body.items).toHaveLength(333);
  });

  it('GET report (JSON): ranking, means, band distribution over all regions, grades, clusters', async () => {
    const res = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/report?tier=municipality`,
      { key: keys.viewer },
    );
    expect(res.status, res.text).toBe(200);
    const r = res.body;
    expect(r.results.outdated).toBe(false);
    expect(
      r.ranking.map((x: { name: string; rank: number; total: number }) => [
        x.name,
        x.rank,
        x.total,
      ]),
    ).toEqual([
      ['北京市', 1, 80],
      ['上海市', 2, 68],
      ['天津市', 3, 40],
    ]);
    expect(r.ranking[0].subIndices).toEqual({
      information: 90,
      transaction: 80,
      participation: 70,
      provision: 60,
      influence: 100,
    });
    expect(r.notOpened).toEqual([
      { regionCode: '500000', name: '重庆市', provinceCode: '500000', provinceName: '重庆市' },
    ]);
    expect(
      r.subCapabilityMeans.find((m: { code: string }) => m.code === 'information').mean,
    ).toBeCloseTo((90 + 85 + 100) / 3, 9);
    const bands = Object.fromEntries(
      r.bandDistribution.rows.map((b: { code: string; count: number; sharePct: number }) => [
        b.code,
        [b.count, b.sharePct],
      ]),
    );
    expect(bands).toEqual({
      high: [1, 25],
      upper_middle: [0, 0],
      middle: [1, 25],
      lower: [1, 25],
      low: [0, 0],
    });
    expect(r.bandDistribution.notOpened).toMatchObject({ count: 1, sharePct: 25 });
    expect(r.bandDistribution.denominator).toBe(4);
    const tierMean = (80 + 68 + 40) / 3;
    expect(r.bandDistribution.tierMean).toBeCloseTo(tierMean, 9);
    expect(r.bandDistribution.rows[0].relativeToTierMeanPct).toBeCloseTo(
      (100 * (80 - tierMean)) / tierMean,
      9,
    );
    expect(r.grades.bands.map((g: { grade: string }) => g.grade)).toEqual(['A', 'B', 'C']);
    expect(r.clustering).toMatchObject({ k: 3, method: 'ward' });
    expect(r.clustering.clusters.map((c: { regions: string[] }) => c.regions)).toEqual([
      ['110000'],
      ['310000'],
      ['120000'],
    ]);
    expect(r.provinceDistribution).toBeNull();
    expect(r.comparison).toBeNull();
  });

  it('prefecture report: distribution by province', async () => {
    const res = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/report?tier=prefecture&k=2`,
      { key: keys.viewer },
    );
    expect(res.status, res.text).toBe(200);
    const sichuan = res.body.provinceDistribution.find(
      (p: { provinceCode: string }) => p.provinceCode === '510000',
    );
    expect(sichuan).toMatchObject({ provinceName: '四川省', counts: { high: 1, lower: 1 } });
    expect(sichuan.notOpened).toBe(sichuan.total - 2);
    expect(res.body.clustering.k).toBe(2);
    const tooMany = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/report?tier=prefecture&k=5`,
      { key: keys.viewer },
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].field).toBe('k');
  });

  it('CSV: UTF-8 with BOM, every table as a titled section', async () => {
    const { response, buffer } = await download(
      `/api/v1/capability/editions/${edition}/report?tier=municipality&format=csv`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain("filename*=UTF-8''2025-");
    expect([...buffer.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buffer.toString('utf8').slice(1);
    expect(text.split('\r\n').slice(0, 4)).toEqual([
      '直辖市排名',
      '排名,地区代码,地区,服务能力指数,信息服务能力,事务服务能力,参与服务能力,服务提供能力,微信影响力,区间,等级,聚类,账号',
      '1,110000,北京市,80,90,80,70,60,100,高水平,A,1,北京发布',
      '2,310000,上海市,68,85,70,75,60,50,中等水平,B,2,上海发布',
    ]);
    expect(text).toContain(
      '\r\n区间分布\r\n区间,下限,上限,数量,占比(%),区间均值,较平均水平(%)\r\n',
    );
    expect(text).toContain('\r\n未开通,,,1,25,,\r\n');
    expect(text.match(/\uFEFF/g)).toBeNull();

    const one = await download(
      `/api/v1/capability/editions/${edition}/report?tier=municipality&format=csv&table=not_opened`,
    );
    expect(one.buffer.toString('utf8')).toBe(
      '\uFEFF地区代码,地区,所属省份\r\n500000,重庆市,重庆市\r\n',
    );
  });

  it('XLSX: one sheet per table, Chinese headers, numbers as numbers (read back with exceljs)', async () => {
    const { response, buffer } = await download(
      `/api/v1/capability/editions/${edition}/report?tier=municipality&format=xlsx`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const workbook = new Workbook();
    await workbook.xlsx.load(buffer as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      '直辖市排名',
      '子能力均值',
      '区间分布',
      '未开通',
      '未完成评估',
      '等级划分',
      '聚类均值',
      '说明',
    ]);
    const ranking = workbook.worksheets[0];
    expect(ranking.getRow(1).getCell(1).value).toBe('排名');
    expect(ranking.getRow(1).getCell(4).value).toBe('服务能力指数');
    expect(ranking.getRow(2).getCell(1).value).toBe(1);
    expect(ranking.getRow(2).getCell(3).value).toBe('北京市');
    expect(ranking.getRow(2).getCell(4).value).toBe(80);
    expect(typeof ranking.getRow(3).getCell(4).value).toBe('number');
    const bands = workbook.getWorksheet('区间分布')!;
    expect(bands.getRow(2).values).toEqual([
      undefined,
      '高水平',
      80,
      undefined,
      1,
      25,
      80,
      expect.any(Number),
    ]);
  });

  it('figures are SVG with Chinese labels', async () => {
    for (const name of ['ranking', 'sub-capability-means', 'band-distribution']) {
      const { response, buffer } = await download(
        `/api/v1/capability/editions/${edition}/figures/${name}.svg?tier=municipality`,
      );
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      const svg = buffer.toString('utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.endsWith('</svg>')).toBe(true);
    }
    const ranking = await download(
      `/api/v1/capability/editions/${edition}/figures/ranking.svg?tier=municipality`,
    );
    expect(ranking.buffer.toString('utf8')).toContain('<title>北京市 80.00</title>');
    const missing = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/figures/pie.svg?tier=municipality`,
      { key: keys.viewer },
    );
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('FIGURE_NOT_FOUND');
  });

  it('changing an assessment marks the results outdated until recomputed', async () => {
    const put = await t.request(
      'PUT',
      `/api/v1/capability/editions/${edition}/assessments/120000/transaction`,
      {
        key: keys.analyst,
        json: { score: 70, assessor: '评估组B', evidenceUrl: 'https://example.org/tj' },
      },
    );
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ scoreChanged: true, resultsOutdated: true, recomputed: null });
    const state = await t.request('GET', `/api/v1/capability/editions/${edition}`, {
      key: keys.viewer,
    });
    expect(state.body.results).toMatchObject({
      outdated: true,
      outdatedReason: expect.stringContaining('assessment'),
    });
    const stale = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/report?tier=municipality`,
      { key: keys.viewer },
    );
    expect(stale.body.results.outdated).toBe(true);
    expect(stale.body.ranking[2]).toMatchObject({ name: '天津市', total: 40 });

    const run = await t.request('POST', `/api/v1/capability/editions/${edition}/recompute`, {
      key: keys.analyst,
    });
    expect(run.status).toBe(200);
    const fresh = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/report?tier=municipality`,
      { key: keys.viewer },
    );
    expect(fresh.body.results.outdated).toBe(false);
    expect(fresh.body.ranking[2]).toMatchObject({ name: '天津市', total: 50 });
  });

  it('compares with a previous edition: rank and score changes, newly opened regions', async () => {
    const created = await t.request('POST', '/api/v1/capability/editions', {
      key: keys.analyst,
      json: {
        code: '2024',
        name: '2024 年版',
        period: '2024',
        preset: 'seed000-five-capabilities',
      },
    });
    expect(created.status, created.text).toBe(201);
    previous = created.body.id;
    // 天津 had no account then.
    const cohort = await t.request('PUT', `/api/v1/capability/editions/${previous}/cohort`, {
      key: keys.analyst,
      json: { entries: [{ regionCode: '120000', accountId: null }] },
    });
    expect(cohort.status, cohort.text).toBe(200);
    const scores = { '110000': [60, 60, 60, 60], '310000': [100, 100, 100, 100] };
    const imported = await importCsv(previous, assessmentCsv(scores), '?recompute=true');
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body.recomputed).toMatchObject({ scored: 2 });

    const res = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/report?tier=municipality&compareTo=${previous}`,
      { key: keys.viewer },
    );
    expect(res.status, res.text).toBe(200);
    const c = res.body.comparison;
    expect(c.previousEdition).toMatchObject({ id: previous, code: '2024' });
    expect(
      c.rows.map(
        (r: {
          name: string;
          status: string;
          rankChange: number | null;
          totalChange: number | null;
        }) => [r.name, r.status, r.rankChange, r.totalChange],
      ),
    ).toEqual([
      ['北京市', 'continuing', 1, 12],
      ['上海市', 'continuing', -1, -12],
      ['天津市', 'newly_opened', null, null],
      ['重庆市', 'not_opened', null, null],
    ]);
    expect(c.newlyOpened.map((r: { name: string }) => r.name)).toEqual(['天津市']);
    expect(c.rows[0].subIndexChanges).toMatchObject({ information: 30, influence: 0 });

    const xlsx = await download(
      `/api/v1/capability/editions/${edition}/report?tier=municipality&format=xlsx&compareTo=${previous}`,
    );
    const workbook = new Workbook();
    await workbook.xlsx.load(xlsx.buffer as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    const sheet = workbook.getWorksheet('对比2024')!;
    expect(sheet.getRow(2).values).toEqual(
      expect.arrayContaining(['110000', '北京市', '连续参评', 1, 2, 1, 80, 68, 12]),
    );
  });

  it('a region-scoped viewer sees only its regions listed; aggregates stay the tier’s', async () => {
    const res = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/report?tier=province`,
      { key: keys.scopedViewer },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.scope).toBe('510000');
    expect(res.body.ranking.map((r: { name: string; rank: number }) => [r.name, r.rank])).toEqual([
      ['四川省', 1],
    ]);
    expect(res.body.notOpened).toEqual([]);
    expect(res.body.bandDistribution.denominator).toBe(27);
    const results = await t.request(
      'GET',
      `/api/v1/capability/editions/${edition}/results?tier=prefecture`,
      { key: keys.scopedViewer },
    );
    expect(
      results.body.items.every((r: { regionCode: string }) => r.regionCode.startsWith('51')),
    ).toBe(true);
  });

  it('a menu_presence leaf is accepted; without a credential it stays missing with the reason', async () => {
    const created = await t.request('POST', '/api/v1/capability/editions', {
      key: keys.analyst,
      json: {
        code: 'menu-2025',
        name: '菜单',
        period: '2025',
        tree: {
          code: 'root',
          name: '服务能力',
          children: [
            { code: 'transaction', name: '事务服务', weight: 0.6, kind: 'assessed' },
            {
              code: 'menu',
              name: '自定义菜单',
              weight: 0.4,
              kind: 'measured',
              source: 'menu_presence',
            },
          ],
        },
      },
    });
    expect(created.status, created.text).toBe(201);
    const run = await t.request(
      'POST',
      `/api/v1/capability/editions/${created.body.id}/recompute`,
      {
        key: keys.analyst,
      },
    );
    expect(run.status, run.text).toBe(200);
    // No account here has a wechat_app credential (and 2025's window has closed): nothing read.
    expect(run.body.menus).toEqual({ due: 0, read: 0, failed: 0 });
    const res = await t.request(
      'GET',
      `/api/v1/capability/editions/${created.body.id}/results?tier=municipality`,
      { key: keys.viewer },
    );
    const beijing = res.body.items.find((r: { regionCode: string }) => r.regionCode === '110000');
    expect(beijing).toMatchObject({
      total: null,
      missing: ['transaction', 'menu'],
      measures: {
        menu: {
          observedOn: null,
          missingReason: expect.stringMatching(/^no valid wechat_app credential/),
        },
      },
    });
  });

  it('deleting an edition needs the admin role', async () => {
    const analyst = await t.request('DELETE', `/api/v1/capability/editions/${previous}`, {
      key: keys.analyst,
    });
    expect(analyst.status).toBe(403);
    const admin = await t.request('DELETE', `/api/v1/capability/editions/${previous}`);
    expect(admin.status).toBe(200);
    const gone = await t.request('GET', `/api/v1/capability/editions/${previous}`, {
      key: keys.viewer,
    });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('EDITION_NOT_FOUND');
  });
});

import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChecksum } from '../../src/metrics/metrics-testing';
import { openTestDataSource } from '../support/database';
import { buildImportRow, toCsv } from '../support/builders';
import { type TestApp, startTestApp } from '../support/test-app';

const A = buildImportRow(0); // wechat, 510100 (四川 成都), gh_000000000000 / wx0000000000000000
const B = buildImportRow(1); // wechat, 510700 (四川 绵阳), gh_000000000001
const C = buildImportRow(5); // weibo, 440300 (广东 深圳), uid 1000000005

const day = (i: number) => new Date(Date.UTC(2026, 0, 26 + i)).toISOString().slice(0, 10); // 2026-01-26 is a Monday

/** Ten days for A, 2026-01-26 .. 2026-02-04; likes never given, 在看 always 0. */
function dailyCsv(): string {
  const lines = ['原始ID,日期,粉丝数,新增关注,阅读数,点赞数,在看'];
  for (let i = 0; i < 10; i++) {
    lines.push(
      [
        A.wechatOriginalId,
        day(i),
        i === 9 ? '' : 1000 + 10 * i,
        i === 0 ? '' : i,
        i === 2 ? '10万+' : 100 * (i + 1),
        '',
        0,
      ].join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

describe('metrics queries and import', () => {
  let t: TestApp;
  let db: DataSource;
  let scopedKey: string;
  const ids: Record<'A' | 'B' | 'C', number> = { A: 0, B: 0, C: 0 };

  const postCsv = (csv: string, query = '', key?: string) =>
    t.request('POST', `/api/v1/metrics/import${query}`, {
      body: csv,
      headers: { 'content-type': 'text/csv' },
      key,
    });
  const state = async () =>
    JSON.stringify(
      await Promise.all(
        ['account_daily_metrics', 'posts', 'post_metric_snapshots'].map((table) =>
          tableChecksum(db, table),
        ),
      ),
    ) + JSON.stringify(await db.query(`SELECT count(*) FROM audit_log`));

  beforeAll(async () => {
    t = await startTestApp();
    db = await openTestDataSource(t.databaseUrl);
    const seeded = await t.request('POST', '/api/v1/accounts/import', {
      body: toCsv([A, B, C]),
      headers: { 'content-type': 'text/csv' },
    });
    expect(seeded.status, seeded.text).toBe(200);
    for (const [name, q] of [
      ['A', A.wechatOriginalId],
      ['B', B.wechatOriginalId],
      ['C', C.weiboUid],
    ] as const) {
      ids[name] = (await t.request('GET', `/api/v1/accounts?q=${q}`)).body.items[0].id;
    }
    const key = await t.request('POST', '/api/v1/api-keys', {
      json: { name: 'sichuan admin', role: 'admin', regionCode: '510000' },
    });
    expect(key.status).toBe(201);
    scopedKey = key.body.apiKey;
  });
  afterAll(async () => {
    await db?.destroy();
    await t?.close();
  });

  it('a dry run counts exactly and writes nothing', async () => {
    const before = await state();
    const res = await postCsv(dailyCsv(), '?dryRun=true');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      dryRun: true,
      kind: 'daily',
      rows: 10,
      inserted: 10,
      changed: 0,
      unchanged: 0,
    });
    expect(await state()).toBe(before);

    const form = new FormData();
    form.append('file', new Blob([dailyCsv()], { type: 'text/csv' }), 'vendor.csv');
    const multipart = await t.request('POST', '/api/v1/metrics/import?dryRun=true', { body: form });
    expect(multipart.status, multipart.text).toBe(200);
    expect(multipart.body).toMatchObject({ dryRun: true, rows: 10, inserted: 10 });
    expect(await state()).toBe(before);
  });

  it('imports a CSV with a BOM and Chinese headers, then is idempotent', async () => {
    const res = await postCsv(dailyCsv(), '?source=vendor&provenance=新榜%20export%20jan.csv');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      dryRun: false,
      kind: 'daily',
      source: 'vendor',
      rows: 10,
      accounts: 1,
      inserted: 10,
      changed: 0,
      unchanged: 0,
    });
    const [audit] = await db.query(
      `SELECT actor_name, after FROM audit_log WHERE entity_type = 'metrics_import' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.after).toMatchObject({
      provenance: '新榜 export jan.csv',
      rows: 10,
      format: 'csv',
    });

    const stored = await db.query(
      `SELECT likes, zaikan, new_followers FROM account_daily_metrics WHERE account_id = $1 AND day = '2026-01-26'`,
      [ids.A],
    );
    expect(stored).toEqual([{ likes: null, zaikan: '0', new_followers: null }]);

    const before = await state();
    const again = await postCsv(dailyCsv(), '?source=vendor');
    expect(again.body).toMatchObject({ inserted: 0, changed: 0, unchanged: 10 });
    expect(await state()).toBe(before);
  });

  it('aggregates by day with gaps listed and NULL kept apart from 0', async () => {
    const res = await t.request(
      'GET',
      `/api/v1/accounts/${ids.A}/metrics?from=2026-01-26&to=2026-02-08&granularity=day`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.account).toEqual({ id: ids.A, platform: 'wechat', displayName: A.displayName });
    expect(res.body.dataAsOf).toBe('2026-02-04');
    expect(res.body.lagDays).toBeGreaterThan(200);
    expect(res.body.health).toBeNull();
    const periods = res.body.periods;
    expect(periods).toHaveLength(14);
    expect(periods[0]).toMatchObject({
      start: '2026-01-26',
      end: '2026-01-26',
      days: 1,
      daysWithData: 1,
      followers: 1000,
      newFollowers: null,
      reads: 100,
      likes: null,
      zaikan: 0,
      sources: ['vendor'],
      partial: false,
      isDelay: false,
    });
    expect(periods[2].reads).toBe(100001);
    expect(periods[9]).toMatchObject({ start: '2026-02-04', followers: null, reads: 1000 });
    for (const gap of periods.slice(10)) {
      expect(gap).toMatchObject({
        daysWithData: 0,
        followers: null,
        reads: null,
        zaikan: null,
        sources: [],
      });
    }
  });

  it('aggregates Monday–Sunday weeks, one crossing the month end, with exact sums', async () => {
    const res = await t.request(
      'GET',
      `/api/v1/accounts/${ids.A}/metrics?from=2026-01-26&to=2026-02-08&granularity=week`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.periods).toEqual([
      {
        start: '2026-01-26',
        end: '2026-02-01',
        days: 7,
        daysWithData: 7,
        followers: 1060,
        newFollowers: 21,
        cancelledFollowers: null,
        posts: null,
        reads: 102501,
        shares: null,
        likes: null,
        zaikan: 0,
        comments: null,
        reposts: null,
        favourites: null,
        partial: false,
        isDelay: false,
        sources: ['vendor'],
      },
      expect.objectContaining({
        start: '2026-02-02',
        end: '2026-02-08',
        days: 7,
        daysWithData: 3,
        followers: 1080,
        newFollowers: 24,
        reads: 2700,
      }),
    ]);
    // A range starting mid-week clips its first week.
    const clipped = await t.request(
      'GET',
      `/api/v1/accounts/${ids.A}/metrics?from=2026-01-28&to=2026-02-03&granularity=week`,
    );
    expect(
      clipped.body.periods.map((p: Record<string, unknown>) => [p.start, p.end, p.reads]),
    ).toEqual([
      ['2026-01-28', '2026-02-01', 102201],
      ['2026-02-02', '2026-02-03', 1700],
    ]);
  });

  it('aggregates calendar months', async () => {
    const res = await t.request(
      'GET',
      `/api/v1/accounts/${ids.A}/metrics?from=2026-01-26&to=2026-02-08&granularity=month`,
    );
    expect(
      res.body.periods.map((p: Record<string, unknown>) => [
        p.start,
        p.end,
        p.days,
        p.daysWithData,
        p.followers,
        p.newFollowers,
        p.reads,
      ]),
    ).toEqual([
      ['2026-01-26', '2026-01-31', 6, 6, 1050, 15, 101801],
      ['2026-02-01', '2026-02-08', 8, 4, 1080, 30, 3400],
    ]);
  });

  it('shows the collection health, and refuses bad ranges with a message', async () => {
    await db.query(
      `INSERT INTO account_collection_health (account_id, state, up, last_error_class, last_error_at, consecutive_failures)
       VALUES ($1, 'failing', false, 'rate_limit', '2026-11-20T01:00:00Z', 3)`,
      [ids.A],
    );
    const res = await t.request('GET', `/api/v1/accounts/${ids.A}/metrics`);
    expect(res.status).toBe(200);
    expect(res.body.periods).toHaveLength(30);
    expect(res.body.health).toEqual({
      state: 'failing',
      up: false,
      dataAsOf: null,
      lastErrorClass: 'rate_limit',
      lastErrorAt: '2026-11-20T01:00:00.000Z',
      consecutiveFailures: 3,
    });

    const reversed = await t.request(
      'GET',
      `/api/v1/accounts/${ids.A}/metrics?from=2026-02-02&to=2026-02-01`,
    );
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toContain('must not be after');
    const tooLong = await t.request(
      'GET',
      `/api/v1/accounts/${ids.A}/metrics?from=2024-01-01&to=2026-01-01`,
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toContain('at most 400');
    const months = await t.request(
      'GET',
      `/api/v1/accounts/${ids.A}/metrics?from=2024-01-01&to=2026-01-01&granularity=month`,
    );
    expect(months.status).toBe(200);
    expect(months.body.periods).toHaveLength(25);
    const badDate = await t.request('GET', `/api/v1/accounts/${ids.A}/metrics?from=2026-02-30`);
    expect(badDate.status).toBe(400);
  });

  it('a file with one bad row applies nothing and lists every error', async () => {
    const before = await state();
    const csv = [
      'accountId,day,reads,likes',
      `${ids.B},2026-02-01,10,1`,
      `${ids.B},2026-02-02,-5,x`,
      `999999,2026-02-03,1,1`,
      `${ids.B},2026-02-01,11,1`,
    ].join('\n');
    const res = await postCsv(csv);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('IMPORT_INVALID');
    expect(res.body.message).toContain('3 of 4 rows are invalid');
    expect(res.body.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [3, 'reads'],
      [3, 'likes'],
      [4, 'accountId'],
      [5, 'day'],
    ]);
    expect(res.body.errors[3].message).toContain('row 2');
    expect(await state()).toBe(before);
  });

  it('refuses official_api as an import source', async () => {
    const res = await postCsv('accountId,day,reads\n1,2026-02-01,1', '?source=official_api');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('confines a region-scoped key: other regions are row errors and 404s', async () => {
    const before = await state();
    const json = [
      { weiboUid: C.weiboUid, day: '2026-02-01', reads: 5 },
      { wechatOriginalId: B.wechatOriginalId, day: '2026-02-01', reads: 7 },
    ];
    const res = await t.request('POST', '/api/v1/metrics/import', { json, key: scopedKey });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      {
        row: 1,
        column: 'weiboUid',
        message: `no account with weiboUid ${C.weiboUid} in your key's region scope`,
      },
    ]);
    expect(await state()).toBe(before);

    const ok = await t.request('POST', '/api/v1/metrics/import', {
      json: json.slice(1),
      key: scopedKey,
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ inserted: 1, source: 'manual' });

    for (const path of ['metrics', 'posts']) {
      const hidden = await t.request('GET', `/api/v1/accounts/${ids.C}/${path}`, {
        key: scopedKey,
      });
      expect(hidden.status).toBe(404);
      expect(hidden.body.code).toBe('ACCOUNT_NOT_FOUND');
      expect(
        (await t.request('GET', `/api/v1/accounts/${ids.B}/${path}`, { key: scopedKey })).status,
      ).toBe(200);
    }
  });

  it('imports post observations and pages posts newest first with their latest snapshot', async () => {
    const observations = [0, 1, 2, 3, 4].flatMap((i) => {
      const post = {
        wechatAppId: A.wechatAppId,
        platformPostId: `2247483${i}_1`,
        publishedAt: `2026-02-0${i + 1} 07:00`,
        position: i === 0 ? '头条' : String(i + 1),
        isRepost: i === 3 ? '是' : '否',
        title: `文章 ${i}`,
        url: `https://mp.weixin.qq.com/s/${i}`,
      };
      return [
        { ...post, observedDay: `2026-02-0${i + 2}`, reads: 10 * i, likes: '' },
        { ...post, observedDay: `2026-02-0${i + 3}`, reads: 20 * i, likes: 1 },
      ];
    });
    const dry = await t.request('POST', '/api/v1/metrics/import?kind=posts&dryRun=true', {
      json: observations,
    });
    expect(dry.body).toMatchObject({
      rows: 10,
      inserted: 10,
      posts: { inserted: 5, changed: 0, unchanged: 0 },
    });
    const res = await t.request('POST', '/api/v1/metrics/import?kind=posts&source=vendor', {
      json: observations,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'posts',
      rows: 10,
      inserted: 10,
      posts: { inserted: 5 },
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await t.request(
        'GET',
        `/api/v1/accounts/${ids.A}/posts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status, page.text).toBe(200);
      seen.push(...page.body.items.map((p: { platformPostId: string }) => p.platformPostId));
      if (pages === 0) {
        expect(page.body.items[0]).toEqual({
          platformPostId: '22474834_1',
          publishedAt: '2026-02-04T23:00:00.000Z',
          publishedOn: '2026-02-05',
          position: 5,
          isRepost: false,
          title: '文章 4',
          url: 'https://mp.weixin.qq.com/s/4',
          source: 'vendor',
          latestSnapshot: {
            observedDay: '2026-02-07',
            ageDays: 2,
            reads: 80,
            shares: null,
            likes: 1,
            zaikan: null,
            comments: null,
            reposts: null,
            favourites: null,
            source: 'vendor',
          },
        });
      }
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['22474834_1', '22474833_1', '22474832_1', '22474831_1', '22474830_1']);

    const filtered = await t.request(
      'GET',
      `/api/v1/accounts/${ids.A}/posts?from=2026-02-02&to=2026-02-03`,
    );
    expect(
      filtered.body.items.map((p: { platformPostId: string; position: number }) => [
        p.platformPostId,
        p.position,
      ]),
    ).toEqual([
      ['22474832_1', 3],
      ['22474831_1', 2],
    ]);
    const headline = await t.request('GET', `/api/v1/accounts/${ids.A}/posts?to=2026-02-01`);
    expect(headline.body.items[0]).toMatchObject({
      position: 1,
      latestSnapshot: { reads: 0, ageDays: 2 },
    });
    const bad = await t.request('GET', `/api/v1/accounts/${ids.A}/posts?cursor=WyI1Iiw1XQ`);
    expect(bad.status).toBe(400);
  });

  it('documents every operation with a summary', async () => {
    const docs = await t.request('GET', '/docs-json');
    for (const path of [
      '/api/v1/accounts/{id}/metrics',
      '/api/v1/accounts/{id}/posts',
      '/api/v1/metrics/import',
    ]) {
      const operations = Object.values(
        docs.body.paths[path] as Record<string, { summary?: string }>,
      );
      expect(operations.length).toBeGreaterThan(0);
      for (const op of operations) expect(op.summary).toBeTruthy();
    }
  });
});

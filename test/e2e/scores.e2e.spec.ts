import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDataSource } from '../support/database';
import { buildImportRow, toCsv } from '../support/builders';
import { type TestApp, startTestApp } from '../support/test-app';

/*
 * The score run endpoints over HTTP: POST /api/v1/scores/recompute (roles, scope, validation, the
 * runs it returns and the rows they write), GET /api/v1/scores/runs (filters, keyset pages) and
 * GET /api/v1/scores/runs/:id.
 */

const A = buildImportRow(0); // wechat
const B = buildImportRow(1); // wechat
const C = buildImportRow(5); // weibo

describe('score runs API over HTTP', () => {
  let t: TestApp;
  let db: DataSource;
  const keys: Record<'viewer' | 'analyst' | 'scoped', string> = {
    viewer: '',
    analyst: '',
    scoped: '',
  };
  const ids: Record<'A' | 'B' | 'C', number> = { A: 0, B: 0, C: 0 };

  const recompute = (json: unknown, key: string | null | undefined = keys.analyst) =>
    t.request('POST', '/api/v1/scores/recompute', { json, key });

  beforeAll(async () => {
    t = await startTestApp();
    db = await openTestDataSource(t.databaseUrl);
    const seeded = await t.request('POST', '/api/v1/accounts/import', {
      body: toCsv([A, B, C]),
      headers: { 'content-type': 'text/csv' },
    });
    expect(seeded.status, seeded.text).toBe(200);
    for (const [name, row] of [
      ['A', A],
      ['B', B],
      ['C', C],
    ] as const) {
      const [account] = await db.query<{ id: number }[]>(
        `SELECT id FROM accounts WHERE display_name = $1`,
        [row.displayName],
      );
      ids[name] = account.id;
    }
    for (const [name, role, regionCode] of [
      ['viewer', 'viewer', undefined],
      ['analyst', 'analyst', undefined],
      ['scoped', 'analyst', '510000'],
    ] as const) {
      const response = await t.request('POST', '/api/v1/api-keys', {
        json: { name, role, ...(regionCode ? { regionCode } : {}) },
      });
      expect(response.status, response.text).toBe(201);
      keys[name] = response.body.apiKey as string;
    }
    // 2026-W44 (Mon 10-26 … Sun 11-01): A posts twice, B once; T+7 values.
    await db.query(`SELECT metrics_ensure_month_partition(t, m::date)
                      FROM unnest(ARRAY['account_daily_metrics', 'posts', 'post_metric_snapshots']) t,
                           unnest(ARRAY['2026-10-01', '2026-11-01']) m`);
    await db.query(
      `INSERT INTO posts (account_id, published_on, platform_post_id, published_at, position, source)
       VALUES ($1, '2026-10-26', 'a1', '2026-10-26T02:00:00Z', 1, 'manual'),
              ($1, '2026-10-28', 'a2', '2026-10-28T02:00:00Z', 1, 'manual'),
              ($2, '2026-10-27', 'b1', '2026-10-27T02:00:00Z', 1, 'manual')`,
      [ids.A, ids.B],
    );
    await db.query(
      `INSERT INTO post_metric_snapshots (account_id, observed_day, platform_post_id, published_on, reads, zaikan, likes, shares, source)
       VALUES ($1, '2026-11-02', 'a1', '2026-10-26', 5000, 50, 80, 40, 'manual'),
              ($1, '2026-11-04', 'a2', '2026-10-28', 100001, 900, 1200, 600, 'manual'),
              ($2, '2026-11-03', 'b1', '2026-10-27', 3000, NULL, NULL, 20, 'manual')`,
      [ids.A, ids.B],
    );
    await db.query(
      `INSERT INTO account_daily_metrics (account_id, day, followers, source)
       SELECT a, d::date, 1000 + extract(day FROM d)::int, 'manual'
         FROM unnest($1::int[]) a, generate_series('2026-10-25'::date, '2026-11-01'::date, '1 day') d`,
      [[ids.A, ids.B, ids.C]],
    );
  });

  afterAll(async () => {
    await db?.destroy();
    await t?.close();
  });

  describe('POST /api/v1/scores/recompute', () => {
    it('needs an analyst key without region scope', async () => {
      const body = { periodType: 'week', date: '2026-10-28' };
      expect((await recompute(body, null)).status).toBe(401);
      expect((await recompute(body, keys.viewer)).status).toBe(403);
      const scoped = await recompute(body, keys.scoped);
      expect(scoped.status).toBe(403);
      expect(scoped.body.code).toBe('SCORE_RUN_OUT_OF_SCOPE');
    });

    it('scores the week for both platforms and returns the runs', async () => {
      const response = await recompute({ periodType: 'week', date: '2026-10-28' });
      expect(response.status, response.text).toBe(201);
      const runs = response.body.runs as Record<string, unknown>[];
      expect(runs.map((r) => [r.platform, r.formulaVersion, r.status])).toEqual([
        ['wechat', 'wci-v14.2', 'done'],
        ['weibo', 'bci-2021', 'done'],
      ]);
      expect(runs[0]).toMatchObject({
        periodType: 'week',
        periodKey: '2026-W44',
        weekStart: 'monday',
        periodStart: '2026-10-26',
        periodEnd: '2026-11-01',
        activityVersion: 'activity-v1',
        snapshotAge: 7,
        trigger: 'manual',
        accounts: 2,
        accountsScored: 2,
        requestedBy: 'key:analyst',
        error: null,
      });
      const rows = await db.query<
        {
          account_id: number;
          total_reads: string;
          rank_score: number;
          score_inputs_missing: string[];
        }[]
      >(
        `SELECT account_id, total_reads, rank_score, score_inputs_missing FROM account_scores
          WHERE period_type = 'week' AND period_start = '2026-10-26' AND formula_version = 'wci-v14.2'
          ORDER BY rank_score`,
      );
      expect(rows).toEqual([
        { account_id: ids.A, total_reads: '105001', rank_score: 1, score_inputs_missing: [] },
        {
          account_id: ids.B,
          total_reads: '3000',
          rank_score: 2,
          score_inputs_missing: ['Z', 'Zt', 'Zmax', 'L', 'Lt', 'Lmax'],
        },
      ]);
      // Again: the same stored output, nothing rewritten.
      const again = await recompute({
        periodType: 'week',
        periodKey: '2026-W44',
        platform: 'wechat',
      });
      expect(again.status).toBe(201);
      expect(again.body.runs).toHaveLength(1);
      expect(again.body.runs[0]).toMatchObject({ accounts: 0, accountsScored: 2, status: 'done' });
    });

    it('takes a formula version (its platform only without platform) and Sunday weeks', async () => {
      const v13 = await recompute({
        periodType: 'week',
        date: '2026-10-28',
        formulaVersion: 'wci-v13',
      });
      expect(v13.status, v13.text).toBe(201);
      expect(
        v13.body.runs.map((r: { platform: string; formulaVersion: string }) => [
          r.platform,
          r.formulaVersion,
        ]),
      ).toEqual([['wechat', 'wci-v13']]);
      const sunday = await recompute({
        periodType: 'week',
        date: '2026-10-28',
        weekStart: 'sunday',
        platform: 'wechat',
      });
      expect(sunday.status, sunday.text).toBe(201);
      expect(sunday.body.runs[0]).toMatchObject({
        periodKey: '2026-10-25~2026-10-31',
        weekStart: 'sunday',
      });
    });

    it('400 with per-field messages on bad input', async () => {
      const cases: [unknown, string][] = [
        [{ date: '2026-10-28' }, 'periodType'],
        [{ periodType: 'fortnight', date: '2026-10-28' }, 'periodType'],
        [{ periodType: 'week' }, 'date'],
        [{ periodType: 'week', date: '2026-10-28', periodKey: '2026-W44' }, 'date'],
        [{ periodType: 'day', date: '2026-02-30' }, 'date'],
        [{ periodType: 'week', periodKey: 'last week' }, 'periodKey'],
        [{ periodType: 'month', periodKey: '2026-W44' }, 'periodKey'],
        [{ periodType: 'month', periodKey: '2026-13' }, 'periodKey'],
        [{ periodType: 'year', date: '2999-01-01' }, 'date'],
        [{ periodType: 'week', periodKey: '2026-W44', weekStart: 'sunday' }, 'weekStart'],
        [
          {
            periodType: 'week',
            date: '2026-10-28',
            platform: 'wechat',
            formulaVersion: 'bci-2021',
          },
          'formulaVersion',
        ],
        [{ periodType: 'week', date: '2026-10-28', formulaVersion: 'wci-v99' }, 'formulaVersion'],
        [{ periodType: 'week', date: '2026-10-28', platform: 'douyin' }, 'platform'],
        [{ periodType: 'week', date: '2026-10-28', extra: 1 }, 'extra'],
      ];
      for (const [body, field] of cases) {
        const response = await recompute(body);
        expect(response.status, `${JSON.stringify(body)} → ${response.text}`).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
        expect(
          (response.body.details?.errors ?? response.body.errors ?? []).map(
            (e: { field: string }) => e.field,
          ),
          JSON.stringify(response.body),
        ).toContain(field);
      }
    });
  });

  describe('GET /api/v1/scores/runs', () => {
    it('lists runs newest first with filters, keyset-paginated', async () => {
      const all = await t.request('GET', '/api/v1/scores/runs?limit=100', { key: keys.viewer });
      expect(all.status, all.text).toBe(200);
      const items = all.body.items as { id: number; platform: string; formulaVersion: string }[];
      expect(items.length).toBeGreaterThanOrEqual(5);
      expect(items.map((r) => r.id)).toEqual([...items.map((r) => r.id)].sort((a, b) => b - a));
      expect(all.body.nextCursor).toBeNull();

      const weibo = await t.request(
        'GET',
        '/api/v1/scores/runs?platform=weibo&periodType=week&periodKey=2026-W44',
        {
          key: keys.viewer,
        },
      );
      expect(weibo.body.items.map((r: { platform: string }) => r.platform)).toEqual(['weibo']);
      const v13 = await t.request(
        'GET',
        '/api/v1/scores/runs?formulaVersion=wci-v13&status=done&trigger=manual',
        {
          key: keys.viewer,
        },
      );
      expect(v13.body.items).toHaveLength(1);
      const none = await t.request('GET', '/api/v1/scores/runs?from=2026-11-02', {
        key: keys.viewer,
      });
      expect(none.body.items).toEqual([]);

      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: {
          status: number;
          body: { items: { id: number }[]; nextCursor: string | null };
        } = await t.request(
          'GET',
          `/api/v1/scores/runs?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          {
            key: keys.viewer,
          },
        );
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((r) => r.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(items.map((r) => r.id));
    });

    it('400 on bad filters or cursor; 401 without a key', async () => {
      for (const query of [
        'status=ok',
        'periodType=decade',
        'cursor=nonsense',
        'from=2026-13-01',
        'limit=0',
        'periodKey=2026-W99',
      ]) {
        const response = await t.request('GET', `/api/v1/scores/runs?${query}`, {
          key: keys.viewer,
        });
        expect(response.status, `${query} → ${response.text}`).toBe(400);
      }
      expect((await t.request('GET', '/api/v1/scores/runs', { key: null })).status).toBe(401);
    });

    it('GET /runs/:id: one run; 404 unknown; 400 not a number', async () => {
      const list = await t.request('GET', '/api/v1/scores/runs?limit=1', { key: keys.viewer });
      const id = list.body.items[0].id as number;
      const one = await t.request('GET', `/api/v1/scores/runs/${id}`, { key: keys.viewer });
      expect(one.status).toBe(200);
      expect(one.body).toEqual(list.body.items[0]);
      expect(
        (await t.request('GET', '/api/v1/scores/runs/999999', { key: keys.viewer })).status,
      ).toBe(404);
      expect((await t.request('GET', '/api/v1/scores/runs/abc', { key: keys.viewer })).status).toBe(
        400,
      );
    });
  });
});

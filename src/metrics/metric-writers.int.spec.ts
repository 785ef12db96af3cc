import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../test/support/database';
import type { DailyMetricRow } from './metric-rows';
import { MetricRowError } from './metric-rows';
import { upsertDailyMetrics, upsertPostSnapshots, upsertPosts } from './metric-writers';
import { ensureMonthlyPartitions } from './partitions';
import { seedAccounts, tableChecksum } from './metrics-testing';

function dayAfter(start: string, n: number): string {
  return new Date(Date.parse(`${start}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** 100 accounts × 100 days, every metric set, deterministic. */
function dailyRows(accountIds: number[], startDay: string, days: number): DailyMetricRow[] {
  return accountIds.flatMap((accountId) =>
    Array.from({ length: days }, (_, d) => ({
      accountId,
      day: dayAfter(startDay, d),
      followers: 10_000 + accountId * 7 + d,
      newFollowers: (accountId + d) % 50,
      cancelledFollowers: (accountId * d) % 7,
      posts: d % 4,
      reads: 1_000 + ((accountId * 31 + d * 17) % 5_000),
      shares: d % 13,
      likes: (accountId + d) % 41,
      zaikan: d % 9,
      comments: d % 11,
      reposts: null,
      favourites: null,
      source: 'official_api' as const,
    })),
  );
}

describe('metric writers (PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dataSource = await openTestDataSource(await createTestDatabase());
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('R2: 10,000 daily rows, then a replay rewrites 0 rows and leaves the checksum unchanged', async () => {
    const accounts = await seedAccounts(dataSource, 100);
    const baselineAccounts = await seedAccounts(dataSource, 100);
    const rows = dailyRows(accounts, '2026-06-01', 100);
    expect(rows).toHaveLength(10_000);
    await ensureMonthlyPartitions(
      dataSource,
      ['account_daily_metrics'],
      '2026-06-01',
      '2026-09-30',
    );

    // Baseline in the same run: a plain unnest insert (no ON CONFLICT) of the same shape.
    const raw = dailyRows(baselineAccounts, '2026-06-01', 100);
    let t0 = performance.now();
    const counters = [
      'followers',
      'newFollowers',
      'cancelledFollowers',
      'posts',
      'reads',
      'shares',
      'likes',
      'zaikan',
      'comments',
      'reposts',
      'favourites',
    ] as const;
    await dataSource.query(
      `INSERT INTO account_daily_metrics (account_id, day, followers, new_followers, cancelled_followers, posts,
         reads, shares, likes, zaikan, comments, reposts, favourites, source, is_delay, partial, collected_at)
       SELECT a, d, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, s, i, p, coalesce(t, now())
       FROM unnest($1::int[], $2::date[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
                   $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[],
                   $14::text[], $15::boolean[], $16::boolean[], $17::timestamptz[])
            AS u(a, d, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, s, i, p, t)`,
      [
        raw.map((r) => r.accountId),
        raw.map((r) => r.day),
        ...counters.map((c) => raw.map((r) => r[c] ?? null)),
        raw.map((r) => r.source),
        raw.map(() => false),
        raw.map(() => false),
        raw.map(() => null),
      ],
    );
    const rawMs = performance.now() - t0;

    t0 = performance.now();
    const first = await dataSource.transaction((m) => upsertDailyMetrics(m, rows));
    const firstMs = performance.now() - t0;
    expect(first).toBe(10_000);
    const before = await tableChecksum(dataSource, 'account_daily_metrics');

    t0 = performance.now();
    const replay = await dataSource.transaction((m) => upsertDailyMetrics(m, rows));
    const replayMs = performance.now() - t0;
    expect(replay).toBe(0);
    expect(await tableChecksum(dataSource, 'account_daily_metrics')).toBe(before);

    console.log(
      `10,000 daily rows: raw unnest insert, same 17 columns, ${rawMs.toFixed(0)} ms; ` +
        `upsertDailyMetrics insert ${firstMs.toFixed(0)} ms; replay (all conflict, 0 written) ${replayMs.toFixed(0)} ms`,
    );

    // A changed value rewrites exactly that row.
    const changed = rows.map((r) => ({ ...r }));
    changed[4_321].reads = changed[4_321].reads! + 1;
    expect(await dataSource.transaction((m) => upsertDailyMetrics(m, changed))).toBe(1);
    const [stored] = await dataSource.query<{ reads: string }[]>(
      `SELECT reads FROM account_daily_metrics WHERE account_id = $1 AND day = $2`,
      [changed[4_321].accountId, changed[4_321].day],
    );
    expect(Number(stored.reads)).toBe(changed[4_321].reads);
    expect(await tableChecksum(dataSource, 'account_daily_metrics')).not.toBe(before);
  });

  it('a missing metric stays NULL, and a later NULL does not erase a value another source gave', async () => {
    const [accountId] = await seedAccounts(dataSource, 1);
    const day = '2026-10-05';
    const read = async () =>
      (
        await dataSource.query<Record<string, string | boolean | null>[]>(
          `SELECT followers, reads, likes, zaikan, source, partial FROM account_daily_metrics
           WHERE account_id = $1 AND day = $2`,
          [accountId, day],
        )
      )[0];
    // datacube: no likes, no 在看.
    await upsertDailyMetrics(dataSource.manager, [
      { accountId, day, followers: 500, reads: 40, source: 'official_api' },
    ]);
    expect(await read()).toEqual({
      followers: '500',
      reads: '40',
      likes: null,
      zaikan: null,
      source: 'official_api',
      partial: false,
    });
    // A vendor adds likes and 在看 but not reads: reads kept, likes set.
    expect(
      await upsertDailyMetrics(dataSource.manager, [
        { accountId, day, likes: 3, zaikan: 0, source: 'vendor', partial: true },
      ]),
    ).toBe(1);
    expect(await read()).toEqual({
      followers: '500',
      reads: '40',
      likes: '3',
      zaikan: '0',
      source: 'vendor',
      partial: false,
    });
    // The first source again, still without likes: nothing erased.
    await upsertDailyMetrics(dataSource.manager, [
      { accountId, day, followers: 500, reads: 40, source: 'official_api' },
    ]);
    expect(await read()).toMatchObject({ likes: '3', zaikan: '0', reads: '40' });
  });

  it('a provisional (is_delay) row never overwrites a final one', async () => {
    const [accountId] = await seedAccounts(dataSource, 1);
    const day = '2026-10-06';
    await upsertDailyMetrics(dataSource.manager, [
      { accountId, day, reads: 10, isDelay: true, source: 'official_api' },
    ]);
    await upsertDailyMetrics(dataSource.manager, [
      { accountId, day, reads: 12, isDelay: false, source: 'official_api' },
    ]);
    expect(
      await upsertDailyMetrics(dataSource.manager, [
        { accountId, day, reads: 11, isDelay: true, source: 'official_api' },
      ]),
    ).toBe(0);
    const [row] = await dataSource.query<{ reads: string; is_delay: boolean }[]>(
      `SELECT reads, is_delay FROM account_daily_metrics WHERE account_id = $1 AND day = $2`,
      [accountId, day],
    );
    expect(row).toEqual({ reads: '12', is_delay: false });
  });

  it('rejects negative and non-integer counts and repeated keys before any SQL', async () => {
    const [accountId] = await seedAccounts(dataSource, 1);
    const ok = { accountId, day: '2026-10-07', source: 'manual' as const };
    await expect(
      upsertDailyMetrics(dataSource.manager, [ok, { ...ok, day: '2026-10-08', likes: -1 }]),
    ).rejects.toThrow(
      new MetricRowError(1, 'likes', 'must be a non-negative integer or null, got -1'),
    );
    await expect(upsertDailyMetrics(dataSource.manager, [{ ...ok, reads: 1.5 }])).rejects.toThrow(
      /rows\[0\]\.reads/,
    );
    await expect(upsertDailyMetrics(dataSource.manager, [ok, ok])).rejects.toThrow(
      /rows\[1\]\.day repeats the key of rows\[0\]/,
    );
    await expect(
      upsertPostSnapshots(dataSource.manager, [
        {
          accountId,
          platformPostId: 'p',
          publishedOn: '2026-10-01',
          observedDay: '2026-10-02',
          comments: -3,
          source: 'manual',
        },
      ]),
    ).rejects.toThrow(/rows\[0\]\.comments/);
    const [{ n }] = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM account_daily_metrics WHERE account_id = $1`,
      [accountId],
    );
    expect(n).toBe(0);
  });

  it('writes into a month far in the past by creating its partition first (outside the transaction)', async () => {
    const [accountId] = await seedAccounts(dataSource, 1);
    const written = await dataSource.transaction((m) =>
      upsertDailyMetrics(m, [{ accountId, day: '2019-03-31', posts: 2, source: 'vendor' }]),
    );
    expect(written).toBe(1);
    const [{ part }] = await dataSource.query<{ part: string }[]>(
      `SELECT tableoid::regclass::text AS part FROM account_daily_metrics WHERE account_id = $1`,
      [accountId],
    );
    expect(part).toBe('account_daily_metrics_2019_03');
  });

  it('posts: keyed by account, Shanghai publication date and post id; replay writes 0', async () => {
    const [accountId] = await seedAccounts(dataSource, 1);
    // 2026-10-31 17:30 UTC is 2026-11-01 01:30 in Shanghai: a November post.
    const posts = [
      {
        accountId,
        platformPostId: '2247483652_1',
        publishedAt: new Date('2026-10-31T17:30:00Z'),
        position: 1,
        isRepost: false,
        title: '头条',
        url: 'https://mp.weixin.qq.com/s/a',
        source: 'official_api' as const,
      },
      {
        accountId,
        platformPostId: '2247483652_2',
        publishedAt: new Date('2026-10-31T17:30:00Z'),
        position: 2,
        title: '次条',
        source: 'official_api' as const,
      },
    ];
    expect(await upsertPosts(dataSource.manager, posts)).toBe(2);
    const before = await tableChecksum(dataSource, 'posts');
    expect(await upsertPosts(dataSource.manager, posts)).toBe(0);
    expect(await tableChecksum(dataSource, 'posts')).toBe(before);
    const rows = await dataSource.query<{ published_on: string; part: string; position: number }[]>(
      `SELECT published_on, tableoid::regclass::text AS part, position FROM posts
       WHERE account_id = $1 ORDER BY platform_post_id`,
      [accountId],
    );
    expect(rows).toEqual([
      { published_on: '2026-11-01', part: 'posts_2026_11', position: 1 },
      { published_on: '2026-11-01', part: 'posts_2026_11', position: 2 },
    ]);
    // A later row without a title keeps the title; a changed url rewrites that row only.
    expect(
      await upsertPosts(dataSource.manager, [
        { ...posts[0], title: null, url: 'https://mp.weixin.qq.com/s/b' },
        posts[1],
      ]),
    ).toBe(1);
    const [first] = await dataSource.query<{ title: string; url: string }[]>(
      `SELECT title, url FROM posts WHERE account_id = $1 AND platform_post_id = '2247483652_1'`,
      [accountId],
    );
    expect(first).toEqual({ title: '头条', url: 'https://mp.weixin.qq.com/s/b' });
  });

  it('snapshots at ages 1, 2 and 7 of one post coexist; replay writes 0', async () => {
    const [accountId] = await seedAccounts(dataSource, 1);
    const snapshot = (age: number, reads: number) => ({
      accountId,
      platformPostId: 'weibo-5012345678901234',
      publishedOn: '2026-10-28',
      observedDay: dayAfter('2026-10-28', age),
      reads,
      likes: reads / 10,
      zaikan: null,
      source: 'official_api' as const,
    });
    const rows = [snapshot(1, 100), snapshot(2, 150), snapshot(7, 210)];
    expect(await upsertPostSnapshots(dataSource.manager, rows)).toBe(3);
    const before = await tableChecksum(dataSource, 'post_metric_snapshots');
    expect(await upsertPostSnapshots(dataSource.manager, rows)).toBe(0);
    expect(await tableChecksum(dataSource, 'post_metric_snapshots')).toBe(before);
    const stored = await dataSource.query<
      { age_days: number; reads: string; zaikan: null; part: string }[]
    >(
      `SELECT age_days, reads, zaikan, tableoid::regclass::text AS part FROM post_metric_snapshots
       WHERE account_id = $1 ORDER BY age_days`,
      [accountId],
    );
    expect(stored).toEqual([
      { age_days: 1, reads: '100', zaikan: null, part: 'post_metric_snapshots_2026_10' },
      { age_days: 2, reads: '150', zaikan: null, part: 'post_metric_snapshots_2026_10' },
      { age_days: 7, reads: '210', zaikan: null, part: 'post_metric_snapshots_2026_11' },
    ]);
  });

  it('R25 lint: every PK and unique constraint or index of the fact tables has account_id first and the partition column', async () => {
    const keys = await dataSource.query<
      { table: string; index: string; columns: string[]; partition_column: string }[]
    >(
      `SELECT t.relname AS "table", ic.relname AS "index",
              array_agg(a.attname::text ORDER BY k.ord) AS columns,
              (SELECT pa.attname::text FROM pg_attribute pa
               WHERE pa.attrelid = t.oid AND pa.attnum = pt.partattrs[0]) AS partition_column
       FROM pg_partitioned_table pt
       JOIN pg_class t ON t.oid = pt.partrelid
       JOIN pg_index x ON x.indrelid = t.oid AND (x.indisunique OR x.indisprimary)
       JOIN pg_class ic ON ic.oid = x.indexrelid
       CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
       WHERE t.relname = ANY($1)
       GROUP BY t.relname, ic.relname, t.oid, pt.partattrs
       ORDER BY 1, 2`,
      [['account_daily_metrics', 'posts', 'post_metric_snapshots']],
    );
    expect(keys.map((k) => k.table).sort()).toEqual([
      'account_daily_metrics',
      'post_metric_snapshots',
      'posts',
    ]);
    for (const key of keys) {
      expect(key.columns[0], key.index).toBe('account_id');
      expect(key.columns, key.index).toContain(key.partition_column);
    }
    const [{ defaults }] = await dataSource.query<{ defaults: number }[]>(
      `SELECT count(*)::int AS defaults FROM pg_partitioned_table WHERE partdefid <> 0
       AND partrelid = ANY(ARRAY['account_daily_metrics', 'posts', 'post_metric_snapshots']::regclass[])`,
    );
    expect(defaults).toBe(0);
  });
});

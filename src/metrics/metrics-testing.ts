import type { DataSource } from 'typeorm';

let batch = 0;

/**
 * Registers one organization and `n` Weibo accounts on it in two statements; returns their ids.
 * Test helper, not used by the application.
 */
export async function seedAccounts(dataSource: DataSource, n: number): Promise<number[]> {
  const b = ++batch;
  const [org] = await dataSource.query<{ id: number }[]>(
    `INSERT INTO organizations (name, region_code, level, sector)
     VALUES ($1, '510100', 'municipal', 'public_security') RETURNING id`,
    [`metrics org ${b} ${Date.now()}`],
  );
  const rows = await dataSource.query<{ id: number }[]>(
    `INSERT INTO accounts (platform, weibo_uid, display_name, organization_id)
     SELECT 'weibo', $1 || '-' || g, '账号 ' || g, $2 FROM generate_series(1, $3::int) AS g
     RETURNING id`,
    [`${b}${Date.now()}`, org.id, n],
  );
  return rows.map((r) => r.id).sort((a, b2) => a - b2);
}

/** md5 over the whole table in key order: equal checksums mean byte-identical contents (R2). */
export async function tableChecksum(dataSource: DataSource, table: string): Promise<string> {
  const order: Record<string, string> = {
    account_daily_metrics: 'account_id, day',
    posts: 'account_id, published_on, platform_post_id',
    post_metric_snapshots: 'account_id, observed_day, platform_post_id',
  };
  const [row] = await dataSource.query<{ sum: string }[]>(
    `SELECT md5(string_agg(t::text, '|' ORDER BY ${order[table]})) AS sum FROM ${table} t`,
  );
  return row.sum;
}

type Writers = typeof import('./metric-writers');

/**
 * The metric writers with every row they report inserted or changed added to `counter.rows`, for a
 * test's `vi.mock('…/metric-writers', …)` factory (R2: a replay writes 0 rows).
 */
export function countingWriters(original: Writers, counter: { rows: number }): Writers {
  const counted =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      const n = await fn(...args);
      counter.rows += n;
      return n;
    };
  return {
    ...original,
    upsertDailyMetrics: counted(original.upsertDailyMetrics),
    upsertPosts: counted(original.upsertPosts),
    upsertPostSnapshots: counted(original.upsertPostSnapshots),
  };
}

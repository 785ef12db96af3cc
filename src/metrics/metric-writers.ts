import type { DataSource, EntityManager } from 'typeorm';
import { businessDate } from '../common/business-date';
import {
  type DailyMetricRow,
  MetricRowError,
  type PostRow,
  type PostSnapshotRow,
  checkAccountId,
  checkDay,
  checkSource,
  checkUniqueKeys,
  count,
} from './metric-rows';
import { type MetricTable, ensureMonthlyPartitions, monthlyPartitionsFor } from './partitions';

/*
 * Set-based upserts of the fact tables. Each is one INSERT … SELECT FROM unnest … ON CONFLICT
 * DO UPDATE … WHERE stored IS DISTINCT FROM merged, so a replay rewrites 0 rows (R2), and each
 * returns the number of rows inserted or changed. Callers pass their transaction's manager and
 * commit the rows together with their bookmark.
 *
 * Merge rule: a NULL counter in the new row keeps the stored value (a source that does not give a
 * metric never erases one another source gave); a non-NULL value replaces it. `source` and
 * `collected_at` describe the latest write that changed the row; collected_at is not compared, so
 * a replay does not touch it. Daily rows: a provisional row (is_delay) never overwrites a final one,
 * and `partial` stays false once a complete row was stored.
 */

const ensuredByDatabase = new WeakMap<DataSource, Set<string>>();

/**
 * Makes sure every month `days` touch has a partition of `table`, on its own connection (outside the
 * caller's transaction, which would otherwise hold the parent's ACCESS EXCLUSIVE lock until
 * commit). Usually a cache hit: PartitionMaintenanceService keeps 13 months back to 3 ahead.
 */
async function ensurePartitionsForDays(
  manager: EntityManager,
  table: MetricTable,
  days: string[],
): Promise<void> {
  await ensureMetricPartitions(manager.connection, [table], days);
}

/**
 * Makes sure the months of `days` have partitions of `tables`. Writers call it themselves, but a
 * caller about to open many concurrent write transactions should call it first, outside them:
 * creating a partition needs another pooled connection and the parent's exclusive lock, which
 * open transactions of other writers would hold up (a pool smaller than the writers could stall).
 */
export async function ensureMetricPartitions(
  dataSource: DataSource,
  tables: readonly MetricTable[],
  days: readonly string[],
): Promise<void> {
  let ensured = ensuredByDatabase.get(dataSource);
  if (!ensured) {
    ensured = new Set();
    ensuredByDatabase.set(dataSource, ensured);
  }
  const months = new Set(days.map((d) => `${d.slice(0, 7)}-01`));
  for (const month of months) {
    for (const table of tables) {
      const [partition] = monthlyPartitionsFor(month, month, [table]);
      if (ensured.has(partition.name)) continue;
      await ensureMonthlyPartitions(dataSource, [table], month, month);
      ensured.add(partition.name);
    }
  }
}

async function countWritten(manager: EntityManager, sql: string, params: unknown[]) {
  const [row] = await manager.query<{ n: number }[]>(
    `WITH w AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM w`,
    params,
  );
  return row.n;
}

const DAILY_COUNTERS = [
  ['followers', 'followers'],
  ['new_followers', 'newFollowers'],
  ['cancelled_followers', 'cancelledFollowers'],
  ['posts', 'posts'],
  ['reads', 'reads'],
  ['shares', 'shares'],
  ['likes', 'likes'],
  ['zaikan', 'zaikan'],
  ['comments', 'comments'],
  ['reposts', 'reposts'],
  ['favourites', 'favourites'],
] as const;

const POST_COUNTERS = [
  ['reads', 'reads'],
  ['shares', 'shares'],
  ['likes', 'likes'],
  ['zaikan', 'zaikan'],
  ['comments', 'comments'],
  ['reposts', 'reposts'],
  ['favourites', 'favourites'],
] as const;

const kept = (columns: readonly (readonly [string, string])[]) =>
  columns.map(([c]) => `coalesce(EXCLUDED.${c}, t.${c})`).join(', ');
const stored = (columns: readonly (readonly [string, string])[]) =>
  columns.map(([c]) => `t.${c}`).join(', ');
const assigned = (columns: readonly (readonly [string, string])[]) =>
  columns.map(([c]) => `${c} = coalesce(EXCLUDED.${c}, t.${c})`).join(',\n    ');

export async function upsertDailyMetrics(
  manager: EntityManager,
  rows: DailyMetricRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const counters = DAILY_COUNTERS.map(([, field]) => rows.map((r, i) => count(r[field], i, field)));
  rows.forEach((r, i) => {
    checkAccountId(r.accountId, i);
    checkDay(r.day, i, 'day');
    checkSource(r.source, i);
  });
  checkUniqueKeys(
    rows.map((r) => `${r.accountId}|${r.day}`),
    'day',
  );
  await ensurePartitionsForDays(
    manager,
    'account_daily_metrics',
    rows.map((r) => r.day),
  );
  const columns = DAILY_COUNTERS.map(([c]) => c).join(', ');
  const casts = DAILY_COUNTERS.map((_, k) => `$${k + 3}::bigint[]`).join(', ');
  return countWritten(
    manager,
    `INSERT INTO account_daily_metrics AS t (account_id, day, ${columns}, source, is_delay, partial, collected_at)
     SELECT account_id, day, ${columns}, source, is_delay, partial, coalesce(collected_at, now())
     FROM unnest($1::int[], $2::date[], ${casts}, $14::text[], $15::boolean[], $16::boolean[], $17::timestamptz[])
          AS u(account_id, day, ${columns}, source, is_delay, partial, collected_at)
     ON CONFLICT (account_id, day) DO UPDATE SET
       ${assigned(DAILY_COUNTERS)},
       source = EXCLUDED.source,
       is_delay = EXCLUDED.is_delay,
       partial = t.partial AND EXCLUDED.partial,
       collected_at = EXCLUDED.collected_at
     WHERE (t.is_delay OR NOT EXCLUDED.is_delay)
       AND (${stored(DAILY_COUNTERS)}, t.source, t.is_delay, t.partial)
           IS DISTINCT FROM
           (${kept(DAILY_COUNTERS)}, EXCLUDED.source, EXCLUDED.is_delay, t.partial AND EXCLUDED.partial)`,
    [
      rows.map((r) => r.accountId),
      rows.map((r) => r.day),
      ...counters,
      rows.map((r) => r.source),
      rows.map((r) => r.isDelay ?? false),
      rows.map((r) => r.partial ?? false),
      rows.map((r) => r.collectedAt ?? null),
    ],
  );
}

export async function upsertPosts(manager: EntityManager, rows: PostRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const publishedOn = rows.map((r, i) => {
    checkAccountId(r.accountId, i);
    checkSource(r.source, i);
    if (typeof r.platformPostId !== 'string' || r.platformPostId === '') {
      throw new MetricRowError(i, 'platformPostId', 'must be a non-empty string');
    }
    if (!(r.publishedAt instanceof Date) || Number.isNaN(r.publishedAt.getTime())) {
      throw new MetricRowError(i, 'publishedAt', 'must be a valid Date');
    }
    const position = r.position ?? null;
    if (position !== null && (!Number.isInteger(position) || position < 1 || position > 32767)) {
      throw new MetricRowError(i, 'position', `must be an integer ≥ 1 or null, got ${position}`);
    }
    return businessDate(r.publishedAt);
  });
  checkUniqueKeys(
    rows.map((r, i) => `${r.accountId}|${publishedOn[i]}|${r.platformPostId}`),
    'platformPostId',
  );
  await ensurePartitionsForDays(manager, 'posts', publishedOn);
  const merged = ['position', 'is_repost', 'title', 'url'];
  return countWritten(
    manager,
    `INSERT INTO posts AS t (account_id, published_on, platform_post_id, published_at, position, is_repost, title, url, source, collected_at)
     SELECT account_id, published_on, platform_post_id, published_at, position, is_repost, title, url, source,
            coalesce(collected_at, now())
     FROM unnest($1::int[], $2::date[], $3::text[], $4::timestamptz[], $5::smallint[], $6::boolean[], $7::text[],
                 $8::text[], $9::text[], $10::timestamptz[])
          AS u(account_id, published_on, platform_post_id, published_at, position, is_repost, title, url, source, collected_at)
     ON CONFLICT (account_id, published_on, platform_post_id) DO UPDATE SET
       published_at = EXCLUDED.published_at,
       ${merged.map((c) => `${c} = coalesce(EXCLUDED.${c}, t.${c})`).join(', ')},
       source = EXCLUDED.source,
       collected_at = EXCLUDED.collected_at
     WHERE (t.published_at, ${merged.map((c) => `t.${c}`).join(', ')}, t.source)
           IS DISTINCT FROM
           (EXCLUDED.published_at, ${merged.map((c) => `coalesce(EXCLUDED.${c}, t.${c})`).join(', ')}, EXCLUDED.source)`,
    [
      rows.map((r) => r.accountId),
      publishedOn,
      rows.map((r) => r.platformPostId),
      rows.map((r) => r.publishedAt),
      rows.map((r) => r.position ?? null),
      rows.map((r) => r.isRepost ?? null),
      rows.map((r) => r.title ?? null),
      rows.map((r) => r.url ?? null),
      rows.map((r) => r.source),
      rows.map((r) => r.collectedAt ?? null),
    ],
  );
}

export async function upsertPostSnapshots(
  manager: EntityManager,
  rows: PostSnapshotRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const counters = POST_COUNTERS.map(([, field]) => rows.map((r, i) => count(r[field], i, field)));
  rows.forEach((r, i) => {
    checkAccountId(r.accountId, i);
    checkSource(r.source, i);
    checkDay(r.publishedOn, i, 'publishedOn');
    checkDay(r.observedDay, i, 'observedDay');
    if (r.observedDay < r.publishedOn) {
      throw new MetricRowError(i, 'observedDay', `is before publishedOn ${r.publishedOn}`);
    }
    if (typeof r.platformPostId !== 'string' || r.platformPostId === '') {
      throw new MetricRowError(i, 'platformPostId', 'must be a non-empty string');
    }
  });
  checkUniqueKeys(
    rows.map((r) => `${r.accountId}|${r.observedDay}|${r.platformPostId}`),
    'observedDay',
  );
  await ensurePartitionsForDays(
    manager,
    'post_metric_snapshots',
    rows.map((r) => r.observedDay),
  );
  const columns = POST_COUNTERS.map(([c]) => c).join(', ');
  const casts = POST_COUNTERS.map((_, k) => `$${k + 5}::bigint[]`).join(', ');
  return countWritten(
    manager,
    `INSERT INTO post_metric_snapshots AS t (account_id, observed_day, platform_post_id, published_on, ${columns}, source, collected_at)
     SELECT account_id, observed_day, platform_post_id, published_on, ${columns}, source, coalesce(collected_at, now())
     FROM unnest($1::int[], $2::date[], $3::text[], $4::date[], ${casts}, $12::text[], $13::timestamptz[])
          AS u(account_id, observed_day, platform_post_id, published_on, ${columns}, source, collected_at)
     ON CONFLICT (account_id, observed_day, platform_post_id) DO UPDATE SET
       published_on = EXCLUDED.published_on,
       ${assigned(POST_COUNTERS)},
       source = EXCLUDED.source,
       collected_at = EXCLUDED.collected_at
     WHERE (t.published_on, ${stored(POST_COUNTERS)}, t.source)
           IS DISTINCT FROM
           (EXCLUDED.published_on, ${kept(POST_COUNTERS)}, EXCLUDED.source)`,
    [
      rows.map((r) => r.accountId),
      rows.map((r) => r.observedDay),
      rows.map((r) => r.platformPostId),
      rows.map((r) => r.publishedOn),
      ...counters,
      rows.map((r) => r.source),
      rows.map((r) => r.collectedAt ?? null),
    ],
  );
}

import type { DataSource } from 'typeorm';
import type { Platform } from '../../accounts/account-taxonomy';
import { addDays } from '../../common/calendar-date';
import { businessDayStart } from '../../common/business-date';
import type { DailyMetricRow, PostSnapshotRow } from '../../metrics/metric-rows';
import { upsertDailyMetrics, upsertPostSnapshots, upsertPosts } from '../../metrics/metric-writers';
import { METRIC_TABLES, ensureMonthlyPartitions } from '../../metrics/partitions';
import type { StoredScoreColumns } from '../leaderboards/leaderboard.dto';

/*
 * Test helpers for score runs (not used by the application): accounts and their stored facts,
 * written through the real metric writers (so the change triggers see real upserts).
 */

let batch = 0;

export async function createScoringAccounts(
  db: DataSource,
  platform: Platform,
  n: number,
  options: { openedOn?: string; regionCode?: string } = {},
): Promise<number[]> {
  const b = ++batch;
  const [org] = await db.query<{ id: number }[]>(
    `INSERT INTO organizations (name, region_code, level, sector)
     VALUES ($1, $2, 'municipal', 'public_security') RETURNING id`,
    [`scoring org ${b} ${process.pid} ${Date.now()}`, options.regionCode ?? '510100'],
  );
  const rows = await db.query<{ id: number }[]>(
    `INSERT INTO accounts (platform, wechat_app_id, weibo_uid, display_name, organization_id, opened_on)
     SELECT $1,
            CASE WHEN $1 = 'wechat' THEN 'wx' || lpad(($2::bigint * 100000 + g)::text, 16, '0') END,
            CASE WHEN $1 = 'weibo' THEN ($2::bigint * 100000 + g)::text END,
            '账号 ' || $2 || '-' || g, $3, $5::date
       FROM generate_series(1, $4::int) AS g
     RETURNING id`,
    [platform, `${b}${process.pid % 1000}`, org.id, n, options.openedOn ?? null],
  );
  return rows.map((r) => r.id).sort((a, b2) => a - b2);
}

export async function ensureScoringPartitions(db: DataSource, from: string, to: string) {
  await ensureMonthlyPartitions(db, METRIC_TABLES, from, to);
}

export interface TestPost {
  accountId: number;
  id: string;
  day: string;
  position?: number | null;
  /** Exact publish instant; default 10:00 Asia/Shanghai on `day`. */
  publishedAt?: Date;
}

export async function writePosts(db: DataSource, posts: TestPost[]): Promise<number> {
  return upsertPosts(
    db.manager,
    posts.map((p) => ({
      accountId: p.accountId,
      platformPostId: p.id,
      publishedAt: p.publishedAt ?? new Date(businessDayStart(p.day).getTime() + 10 * 3_600_000),
      position: p.position === undefined ? 1 : p.position,
      source: 'official_api',
    })),
  );
}

export type TestSnapshot = Omit<PostSnapshotRow, 'source' | 'observedDay'> & {
  age: number;
};

export async function writeSnapshots(db: DataSource, snapshots: TestSnapshot[]): Promise<number> {
  return upsertPostSnapshots(
    db.manager,
    snapshots.map(({ age, ...s }) => ({
      ...s,
      observedDay: addDays(s.publishedOn, age),
      source: 'official_api',
    })),
  );
}

/** Daily rows for every day in [from, to] for each account (followers = base + day index). */
export async function writeDailyRange(
  db: DataSource,
  accountIds: number[],
  from: string,
  to: string,
  row: (accountId: number, day: string, index: number) => Partial<DailyMetricRow> = () => ({}),
): Promise<number> {
  const rows: DailyMetricRow[] = [];
  for (const accountId of accountIds) {
    for (let i = 0, day = from; day <= to; i++, day = addDays(day, 1)) {
      rows.push({
        accountId,
        day,
        followers: 1_000 + i,
        source: 'official_api',
        ...row(accountId, day, i),
      });
    }
  }
  return upsertDailyMetrics(db.manager, rows);
}

export interface StoredScore extends StoredScoreColumns {
  account_id: number;
  period_key?: string;
  rank_score: number | null;
  rank_activity: number | null;
  rank_followers: number | null;
  rank_reads: number | null;
  prev_rank_score: number | null;
  run_id: string;
}

export async function storedScores(
  db: DataSource,
  periodType: string,
  periodStart: string,
  options: { formulaVersion?: string; weekStart?: string; accountIds?: number[] } = {},
): Promise<StoredScore[]> {
  return db.query<StoredScore[]>(
    `SELECT account_id, posts, headline_posts, active_days, total_reads, headline_reads, max_reads,
            zaikan, likes, shares, comments, reposts, followers, followers_change, score,
            score_inputs_used, score_inputs_missing, activity_score, days_since_last_post, stale,
            dormant, partial, data_as_of::text AS data_as_of, rank_score, rank_activity,
            rank_followers, rank_reads, prev_rank_score, run_id
       FROM account_scores
      WHERE period_type = $1 AND period_start = $2
        AND ($3::text IS NULL OR formula_version = $3)
        AND ($4::text IS NULL OR week_start = $4)
        AND ($5::int[] IS NULL OR account_id = ANY($5))
      ORDER BY account_id`,
    [
      periodType,
      periodStart,
      options.formulaVersion ?? null,
      options.weekStart ?? null,
      options.accountIds ?? null,
    ],
  );
}

/** md5 over every account_scores row (all columns, computed_at included) in key order. */
export async function scoresChecksum(db: DataSource): Promise<string> {
  const [row] = await db.query<{ sum: string | null }[]>(
    `SELECT md5(string_agg(t::text, '|' ORDER BY account_id, period_type, period_start,
                formula_version, week_start)) AS sum FROM account_scores t`,
  );
  return row.sum ?? '';
}

import type { DataSource } from 'typeorm';
import type { AdminLevel, Platform, Sector, WechatType } from '../../src/accounts/account-taxonomy';
import type { Period, WeekStart } from '../../src/scoring/periods';
import { type RankKey, rankEntries } from '../../src/scoring/ranking';

/**
 * Fixture rows for the read side of scoring, inserted set-based straight into the registry,
 * score_runs and account_scores (the score-run code is not involved). National ranks are computed
 * here with src/scoring/ranking.ts (the contract's ORDER BY: 2-decimal score, total reads, max
 * reads, posts), so a test can compare the API's filtered re-ranking with rankEntries.
 */
export interface FixtureAccount {
  platform: Platform;
  name: string;
  organization: string;
  /** null: a central body */
  regionCode: string | null;
  level: AdminLevel;
  sector: Sector;
  wechatType?: WechatType | null;
}

let uid = 0;

/** Creates organizations (by name + region) and accounts; returns the account ids in order. */
export async function createFixtureAccounts(
  db: DataSource,
  accounts: readonly FixtureAccount[],
): Promise<number[]> {
  const orgKey = (a: FixtureAccount) => `${a.organization}\u0000${a.regionCode ?? ''}`;
  const orgs = [...new Map(accounts.map((a) => [orgKey(a), a])).values()];
  const orgRows = await db.query<{ id: number; name: string; region_code: string | null }[]>(
    `INSERT INTO organizations (name, region_code, level, sector)
     SELECT * FROM unnest($1::text[], $2::varchar[], $3::text[], $4::text[])
     RETURNING id, name, region_code`,
    [
      orgs.map((o) => o.organization),
      orgs.map((o) => o.regionCode),
      orgs.map((o) => o.level),
      orgs.map((o) => o.sector),
    ],
  );
  const orgIds = new Map(orgRows.map((o) => [`${o.name}\u0000${o.region_code ?? ''}`, o.id]));
  const seqs = accounts.map(() => ++uid);
  const platformId = (platform: Platform, seq: number) =>
    platform === 'wechat'
      ? `gh_${seq.toString(16).padStart(12, '0')}`
      : String(3_000_000_000 + seq);
  const rows = await db.query<{ id: number; platform_id: string }[]>(
    `INSERT INTO accounts (platform, wechat_original_id, weibo_uid, display_name, organization_id, wechat_type)
     SELECT u.platform, CASE WHEN u.platform = 'wechat' THEN u.pid END,
            CASE WHEN u.platform = 'weibo' THEN u.pid END, u.name, u.org, u.type
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
          AS u(platform, pid, name, org, type)
     RETURNING id, coalesce(wechat_original_id, weibo_uid) AS platform_id`,
    [
      accounts.map((a) => a.platform),
      accounts.map((a, i) => platformId(a.platform, seqs[i])),
      accounts.map((a) => a.name),
      accounts.map((a) => orgIds.get(orgKey(a))),
      accounts.map((a) =>
        a.platform === 'wechat'
          ? a.wechatType === undefined
            ? 'subscription'
            : a.wechatType
          : null,
      ),
    ],
  );
  const idOf = new Map(rows.map((r) => [r.platform_id, r.id]));
  return accounts.map((a, i) => idOf.get(platformId(a.platform, seqs[i]))!);
}

export interface FixtureRun {
  platform: Platform;
  period: Period;
  formulaVersion?: string;
  status?: 'running' | 'done' | 'failed';
  trigger?: 'schedule' | 'manual' | 'data_change';
  snapshotAge?: number;
}

export function weekStartOf(period: Period): WeekStart {
  return period.type === 'week' && new Date(`${period.start}T00:00:00Z`).getUTCDay() === 0
    ? 'sunday'
    : 'monday';
}

export function defaultFormula(platform: Platform): string {
  return platform === 'wechat' ? 'wci-v14.2' : 'bci-2021';
}

export async function insertScoreRun(db: DataSource, run: FixtureRun): Promise<number> {
  const [row] = await db.query<{ id: string }[]>(
    `INSERT INTO score_runs (platform, period_type, period_key, week_start, period_start, period_end,
                             formula_version, activity_version, snapshot_age, trigger, status,
                             accounts, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'activity-v1', $8, $9, $10, 0,
             CASE WHEN $10 = 'running' THEN NULL ELSE now() END)
     RETURNING id`,
    [
      run.platform,
      run.period.type,
      run.period.key,
      weekStartOf(run.period),
      run.period.start,
      run.period.end,
      run.formulaVersion ?? defaultFormula(run.platform),
      run.snapshotAge ?? (run.period.type === 'day' ? 1 : 7),
      run.trigger ?? 'manual',
      run.status ?? 'done',
    ],
  );
  return Number(row.id);
}

export interface ScoreRowInput {
  accountId: number;
  score?: number | null;
  posts?: number;
  headlinePosts?: number;
  activeDays?: number;
  totalReads?: number | null;
  headlineReads?: number | null;
  maxReads?: number | null;
  zaikan?: number | null;
  likes?: number | null;
  shares?: number | null;
  comments?: number | null;
  reposts?: number | null;
  followers?: number | null;
  followersChange?: number | null;
  activityScore?: number;
  daysSinceLastPost?: number | null;
  stale?: boolean;
  dormant?: boolean;
  partial?: boolean;
  dataAsOf?: string | null;
}

type FullRow = Required<ScoreRowInput>;

function withDefaults(r: ScoreRowInput, period: Period): FullRow {
  const posts = r.posts ?? 10;
  return {
    accountId: r.accountId,
    score: r.score === undefined ? (posts > 0 ? 500 : null) : r.score,
    posts,
    headlinePosts: r.headlinePosts ?? Math.min(posts, 5),
    activeDays: r.activeDays ?? Math.min(posts, 5),
    totalReads: r.totalReads === undefined ? posts * 1000 : r.totalReads,
    headlineReads: r.headlineReads === undefined ? posts * 500 : r.headlineReads,
    maxReads: r.maxReads === undefined ? (posts > 0 ? 2000 : null) : r.maxReads,
    zaikan: r.zaikan === undefined ? null : r.zaikan,
    likes: r.likes === undefined ? posts * 10 : r.likes,
    shares: r.shares === undefined ? posts * 5 : r.shares,
    comments: r.comments === undefined ? null : r.comments,
    reposts: r.reposts === undefined ? null : r.reposts,
    followers: r.followers === undefined ? 10_000 : r.followers,
    followersChange: r.followersChange === undefined ? 100 : r.followersChange,
    activityScore: r.activityScore ?? (posts > 0 ? 60 : 0),
    daysSinceLastPost:
      r.daysSinceLastPost === undefined ? (posts > 0 ? 1 : null) : r.daysSinceLastPost,
    stale: r.stale ?? posts === 0,
    dormant: r.dormant ?? false,
    partial: r.partial ?? false,
    dataAsOf: r.dataAsOf === undefined ? period.end : r.dataAsOf,
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** National competition ranks of `rows` by `key`, null where `has` is false. */
function ranksBy(
  rows: FullRow[],
  has: (r: FullRow) => boolean,
  key: (r: FullRow) => Omit<RankKey, 'id'>,
): Map<number, number> {
  const ranked = rankEntries(rows.filter(has), (r) => ({ id: r.accountId, ...key(r) }));
  return new Map(ranked.map((r) => [r.accountId, r.rank]));
}

/** The contract's national rank of a score board (what rank_score holds). */
export function nationalScoreRanks(
  rows: readonly ScoreRowInput[],
  period: Period,
): Map<number, number> {
  const full = rows.map((r) => withDefaults(r, period));
  return ranksBy(
    full,
    (r) => r.score !== null,
    (r) => ({
      score: round2(r.score ?? 0),
      totalReads: r.totalReads ?? -1,
      maxReads: r.maxReads ?? -1,
      posts: r.posts,
    }),
  );
}

/** Writes one board (run + rows) with national ranks; returns the run id. */
export async function insertScoreBoard(
  db: DataSource,
  run: FixtureRun,
  rows: readonly ScoreRowInput[],
): Promise<number> {
  const runId = await insertScoreRun(db, run);
  const period = run.period;
  const full = rows.map((r) => withDefaults(r, period));
  const rankScore = nationalScoreRanks(rows, period);
  const rankActivity = ranksBy(
    full,
    () => true,
    (r) => ({ score: round2(r.activityScore), totalReads: r.posts, maxReads: 0, posts: 0 }),
  );
  const rankFollowers = ranksBy(
    full,
    (r) => r.followers !== null,
    (r) => ({ score: r.followers ?? 0, totalReads: 0, maxReads: 0, posts: 0 }),
  );
  const rankReads = ranksBy(
    full,
    (r) => r.totalReads !== null,
    (r) => ({ score: r.totalReads ?? 0, totalReads: 0, maxReads: 0, posts: 0 }),
  );
  const col = <T>(pick: (r: FullRow) => T) => full.map(pick);
  await db.query(
    `INSERT INTO account_scores (
       account_id, period_type, period_start, formula_version, week_start, platform, period_end, run_id,
       posts, headline_posts, active_days, total_reads, headline_reads, max_reads, zaikan, likes, shares,
       comments, reposts, followers, followers_change, score, score_inputs_used, score_inputs_missing,
       activity_score, days_since_last_post, stale, dormant, partial, data_as_of,
       rank_score, rank_activity, rank_followers, rank_reads)
     SELECT u.account_id, $1, $2::date, $3, $4, $5, $6::date, $7,
            u.posts, u.headline_posts, u.active_days, u.total_reads, u.headline_reads, u.max_reads,
            u.zaikan, u.likes, u.shares, u.comments, u.reposts, u.followers, u.followers_change, u.score,
            CASE WHEN u.score IS NULL THEN '{}'::text[] ELSE '{R,Rt,Rmax,n,nt}'::text[] END,
            CASE WHEN $5 = 'wechat' THEN '{zaikan}'::text[] ELSE '{}'::text[] END,
            u.activity_score, u.days_since_last_post, u.stale, u.dormant, u.partial, u.data_as_of,
            u.rank_score, u.rank_activity, u.rank_followers, u.rank_reads
     FROM unnest($8::int[], $9::int[], $10::int[], $11::int[], $12::bigint[], $13::bigint[], $14::bigint[],
                 $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[],
                 $21::bigint[], $22::float8[], $23::float8[], $24::int[], $25::bool[], $26::bool[],
                 $27::bool[], $28::date[], $29::int[], $30::int[], $31::int[], $32::int[])
       AS u(account_id, posts, headline_posts, active_days, total_reads, headline_reads, max_reads,
            zaikan, likes, shares, comments, reposts, followers, followers_change, score,
            activity_score, days_since_last_post, stale, dormant, partial, data_as_of,
            rank_score, rank_activity, rank_followers, rank_reads)`,
    [
      period.type,
      period.start,
      run.formulaVersion ?? defaultFormula(run.platform),
      weekStartOf(period),
      run.platform,
      period.end,
      runId,
      col((r) => r.accountId),
      col((r) => r.posts),
      col((r) => r.headlinePosts),
      col((r) => r.activeDays),
      col((r) => r.totalReads),
      col((r) => r.headlineReads),
      col((r) => r.maxReads),
      col((r) => r.zaikan),
      col((r) => r.likes),
      col((r) => r.shares),
      col((r) => r.comments),
      col((r) => r.reposts),
      col((r) => r.followers),
      col((r) => r.followersChange),
      col((r) => r.score),
      col((r) => r.activityScore),
      col((r) => r.daysSinceLastPost),
      col((r) => r.stale),
      col((r) => r.dormant),
      col((r) => r.partial),
      col((r) => r.dataAsOf),
      col((r) => rankScore.get(r.accountId) ?? null),
      col((r) => rankActivity.get(r.accountId) ?? null),
      col((r) => rankFollowers.get(r.accountId) ?? null),
      col((r) => rankReads.get(r.accountId) ?? null),
    ],
  );
  await db.query('UPDATE score_runs SET accounts = $2 WHERE id = $1', [runId, rows.length]);
  return runId;
}

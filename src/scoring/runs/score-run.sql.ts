import type { Platform } from '../../accounts/account-taxonomy';
import type { BciVersion } from '../formulas/bci';
import type { WciVersion } from '../formulas/wci';
import { activitySql, bciSql, layered, wciSql } from './score-formulas.sql';

export type FormulaVersion = WciVersion | BciVersion;

/** The per-run work table statement 1 fills and statement 2 reads (dropped at commit). */
export const INPUTS_TABLE = 'score_run_inputs';

/*
 * A score run is two statements in one transaction:
 *
 * 1. SCORE_INPUTS — the heavy aggregation, ONE set-based statement: every account of the platform
 *    open in the period, its posts with each post's chosen snapshot (hash joins on the snapshot
 *    key), aggregated per account; its daily rows; its last post before the period; per account
 *    WCI or BCI and activity in SQL (the mirrors of src/scoring/formulas). A CREATE TEMP TABLE …
 *    AS, because PostgreSQL runs that in parallel (an INSERT … SELECT, or any statement with a
 *    data-modifying CTE, never is). The scores are computed there, not in statement 2, so the
 *    scored rows are written once (to the work table) and not again into a CTE's tuplestore.
 * 2. SCORE_UPSERT — competition ranks and prev_rank_score by window functions over the work
 *    table, the upsert into account_scores (ON CONFLICT … WHERE … IS DISTINCT FROM: unchanged
 *    inputs write nothing; a plain INSERT for a period without rows) and the removal of rows of
 *    accounts no longer in the period.
 */

export interface ScoreInputsParams {
  platform: Platform;
  periodStart: string;
  periodEnd: string;
  /** WCI d (wciDays). */
  d: number;
  /** Snapshot age used for each post (1 or 7). */
  age: number;
  /** Second choice (2 for days), or null. */
  fallbackAge: number | null;
  /** Calendar days in the period (activity, completeness). */
  days: number;
}

export function scoreInputsParameters(p: ScoreInputsParams): unknown[] {
  return [p.platform, p.periodStart, p.periodEnd, p.age, p.fallbackAge, p.days, p.d];
}

export interface ScoreUpsertParams {
  platform: Platform;
  periodStart: string;
  periodEnd: string;
  formulaVersion: FormulaVersion;
  weekStart: 'monday' | 'sunday';
  runId: string;
  /** WCI d (wciDays). */
  d: number;
  periodType: string;
  previousStart: string;
  days: number;
}

export function scoreUpsertParameters(p: ScoreUpsertParams): unknown[] {
  return [
    p.platform,
    p.periodStart,
    p.periodEnd,
    p.formulaVersion,
    p.weekStart,
    p.runId,
    p.d,
    p.periodType,
    p.previousStart,
    p.days,
  ];
}

/** The primary key of account_scores. */
const KEYS = ['account_id', 'period_type', 'period_start', 'formula_version', 'week_start'];

/** Stored columns compared on upsert (everything but run_id and computed_at). */
const COMPARED = [
  'platform',
  'period_end',
  'posts',
  'headline_posts',
  'active_days',
  'total_reads',
  'headline_reads',
  'max_reads',
  'zaikan',
  'likes',
  'shares',
  'comments',
  'reposts',
  'followers',
  'followers_change',
  'score',
  'score_inputs_used',
  'score_inputs_missing',
  'activity_score',
  'days_since_last_post',
  'stale',
  'dormant',
  'partial',
  'data_as_of',
  'rank_score',
  'rank_activity',
  'rank_followers',
  'rank_reads',
  'prev_rank_score',
] as const;

const COUNTERS = ['reads', 'zaikan', 'likes', 'shares', 'comments', 'reposts'] as const;
type Counter = (typeof COUNTERS)[number];
/** Counters WCI needs as sum, headline sum and maximum (comments and reposts: sums only). */
const WCI_COUNTERS = ['reads', 'zaikan', 'likes', 'shares'] as const;

/** The per-account columns of statement 1 the work table keeps (not the formulas' layers). */
const INPUT_COLUMNS = [
  ...['account_id', 'n', 'nt', 'active_days', 'r', 'rt', 'rmax', 'z', 'zt', 'zmax', 'l', 'lt'],
  ...['lmax', 're', 'ret', 'remax', 'comments', 'reposts', 'followers', 'followers_change'],
  ...['days_since_last_post', 'partial', 'data_as_of', 'off_age_posts', 'fallback_age'],
] as const;

/** Bits of the followers value in the packed (day, followers) maximum. */
const FOLLOWER_BITS = 43;

/** Days per int8 bitmask counting active days without a per-day aggregation level. */
const MASK_DAYS = 64;

/**
 * sum(column) as bigint, added up in float8: exact, since every partial sum is an integer below
 * 2^53 (a period's counters of one account are far below 9·10^15), and a float8 sum runs as a
 * partial aggregate in the parallel workers (a sum(int8) is numeric). NULL when every value is.
 */
function exactSum(column: string, filter?: string): string {
  return `sum(${column}::float8)${filter ? ` FILTER (WHERE ${filter})` : ''}::bigint`;
}

/**
 * Per-metric sums over the period's posts: NULL when no post of the period has the metric (the
 * source does not give it: a sum over only NULLs is NULL), 0 when the account published nothing.
 */
function metricColumns(source: Counter, sum: string, head: string, max: string): string {
  const when = (x: string) =>
    `CASE WHEN coalesce(g.n, 0) = 0 THEN 0 WHEN g.${source}_sum IS NOT NULL THEN ${x} END::bigint`;
  return `${when(`g.${source}_sum`)} AS ${sum}, ${when(`coalesce(g.${source}_head, 0)`)} AS ${head},
         ${when(`g.${source}_max`)} AS ${max}`;
}

/**
 * Statement 1 (params: $1 platform, $2 start, $3 end, $4 age, $5 fallback age, $6 days, $7 WCI d).
 *
 * Snapshot choice per post: the exact age ($4) and, for days, the fallback age ($5), both by hash
 * joins; for a post with neither, the latest younger snapshot, else the earliest older one (a
 * backfill stores the counters as of the backfill day), one index range scan each (`withNearest`;
 * per post, skipped for posts that have a choice, but it keeps the plan serial). Without
 * `withNearest` such posts count no values, only `off_age_posts`: the caller reruns with it when
 * any exists. Anything but the first two choices marks the account partial. Active days: bit_or of
 * one bit per day in ⌈days / 64⌉ int8 masks (no per-day GROUP BY level). The join's age_days
 * condition (stored; implied by the day conditions) filters the snapshots in the scan, so only
 * the snapshots of that age are hashed and probed, not those of every age in the window.
 */
export function scoreInputsSql(
  version: FormulaVersion,
  withFallbackAge: boolean,
  days: number,
  withNearest = true,
): string {
  const score = scoreFormula(version);
  const activity = activitySql('$6');
  const oldestPreferred = withFallbackAge ? 'greatest($4::int, $5::int)' : '$4::int';
  const noChoice = withFallbackAge
    ? 'e.account_id IS NULL AND f.account_id IS NULL'
    : 'e.account_id IS NULL';
  const snapshotJoin = (alias: string, age: string) =>
    `LEFT JOIN post_metric_snapshots ${alias}
      ON ${alias}.account_id = p.account_id AND ${alias}.platform_post_id = p.platform_post_id
     AND ${alias}.published_on = p.published_on AND ${alias}.observed_day = p.published_on + ${age}
     AND ${alias}.observed_day BETWEEN $2::date + ${age} AND $3::date + ${age}
     AND ${alias}.age_days = ${age}`;
  const chosen = (c: Counter) =>
    withNearest
      ? `CASE WHEN e.account_id IS NOT NULL THEN e.${c}${withFallbackAge ? ` WHEN f.account_id IS NOT NULL THEN f.${c}` : ''}
          WHEN y.account_id IS NOT NULL THEN y.${c} ELSE o.${c} END AS ${c}`
      : `CASE WHEN e.account_id IS NOT NULL THEN e.${c}${withFallbackAge ? ` WHEN f.account_id IS NOT NULL THEN f.${c}` : ''} END AS ${c}`;
  const nearest = (alias: string, range: string, order: 'ASC' | 'DESC', gate: string) =>
    `LEFT JOIN LATERAL (
      SELECT s.account_id, ${COUNTERS.map((c) => `s.${c}`).join(', ')}
        FROM post_metric_snapshots s
       WHERE ${gate} AND s.account_id = p.account_id AND s.platform_post_id = p.platform_post_id
         AND ${range}
       ORDER BY s.observed_day ${order} LIMIT 1
    ) ${alias} ON true`;
  const masks = Math.ceil(days / MASK_DAYS);
  const maskAggregates = Array.from(
    { length: masks },
    (_, k) =>
      `bit_or(CASE WHEN (published_on - $2::date) / ${MASK_DAYS} = ${k}
                   THEN 1::bigint << ((published_on - $2::date) % ${MASK_DAYS}) ELSE 0 END) AS mask${k}`,
  );
  const activeDays = Array.from({ length: masks }, (_, k) => `bit_count(g.mask${k}::bit(64))`).join(
    ' + ',
  );
  // Inlined where used, not a CTE: a CTE read twice is materialised, and a CTE scan keeps every
  // plan node above it out of the parallel workers. The post join and a partial GROUP BY run in
  // the parallel workers: the sums are float8 sums (see exactSum), whose partial states are plain
  // float8s, so each worker ships one row per account instead of one per post (a numeric sum(int8)
  // state is serialised as numeric, and finalising those cost more than the whole raw aggregate).
  const open = `a.platform = $1 AND (a.opened_on IS NULL OR a.opened_on <= $3::date)
     AND (a.closed_on IS NULL OR a.closed_on >= $2::date)`;
  const inRun = (column: string) => `${column} IN (SELECT a.id FROM accounts a WHERE ${open})`;
  return `
CREATE TEMP TABLE ${INPUTS_TABLE} ON COMMIT DROP AS
SELECT ${INPUT_COLUMNS.map((c) => `x.${c}`).join(', ')},
       ${score.score} AS score, ${score.inputsUsed} AS score_inputs_used,
       ${score.inputsMissing} AS score_inputs_missing,
       ${activity.score} AS activity_score, ${activity.stale} AS stale,
       ${activity.dormant} AS dormant
  FROM ${layered(
    `(
WITH pc AS (
  SELECT p.account_id, p.published_on, p.position,
         (${noChoice}) AS off_age,
         ${COUNTERS.map(chosen).join(',\n         ')}
    FROM posts p
    ${snapshotJoin('e', '$4::int')}
    ${withFallbackAge ? snapshotJoin('f', '$5::int') : ''}
    ${
      !withNearest
        ? ''
        : nearest(
            'y',
            's.observed_day >= $2::date AND s.observed_day BETWEEN p.published_on AND p.published_on + $4::int - 1',
            'DESC',
            noChoice,
          )
    }
    ${
      !withNearest
        ? ''
        : nearest(
            'o',
            `s.observed_day > $2::date AND s.observed_day > p.published_on + ${oldestPreferred}`,
            'ASC',
            `${noChoice} AND y.account_id IS NULL`,
          )
    }
   WHERE p.published_on BETWEEN $2::date AND $3::date AND ${inRun('p.account_id')}
),
g AS (
  SELECT account_id, count(*)::int AS n, count(*) FILTER (WHERE position = 1)::int AS nt,
         ${maskAggregates.join(',\n         ')},
         max(published_on) AS last_post, count(*) FILTER (WHERE off_age) AS off_age_posts,
         ${WCI_COUNTERS.map(
           (c) => `${exactSum(c)} AS ${c}_sum, ${exactSum(c, 'position = 1')} AS ${c}_head,
         max(${c}) AS ${c}_max`,
         ).join(',\n         ')},
         ${exactSum('comments')} AS comments_sum, ${exactSum('reposts')} AS reposts_sum
    FROM pc GROUP BY account_id
),
dm AS (
  SELECT m.account_id,
         count(*) FILTER (WHERE m.day >= $2::date)::int AS days_stored,
         coalesce(bool_or(m.partial) FILTER (WHERE m.day >= $2::date), false) AS any_partial,
         max(m.day) AS data_as_of,
         max(m.followers) FILTER (WHERE m.day < $2::date) AS followers_base,
         -- The followers of the last day that has them: (day offset << 43) | followers, max'ed
         -- (followers < 2^43, offsets < 2^9), then unpacked; no per-row array.
         max(((m.day - $2::date)::bigint << ${FOLLOWER_BITS}) | m.followers)
           FILTER (WHERE m.day >= $2::date AND m.followers IS NOT NULL) & ${2 ** FOLLOWER_BITS - 1} AS followers_end
    FROM account_daily_metrics m
   WHERE m.day BETWEEN $2::date - 1 AND $3::date AND ${inRun('m.account_id')}
   GROUP BY m.account_id
)
SELECT a.id AS account_id, coalesce(g.n, 0) AS n, coalesce(g.nt, 0) AS nt,
       coalesce(${activeDays}, 0)::int AS active_days,
       ${metricColumns('reads', 'r', 'rt', 'rmax')},
       ${metricColumns('zaikan', 'z', 'zt', 'zmax')},
       ${metricColumns('likes', 'l', 'lt', 'lmax')},
       ${metricColumns('shares', 're', 'ret', 'remax')},
       CASE WHEN coalesce(g.n, 0) = 0 THEN 0 ELSE g.comments_sum END::bigint AS comments,
       CASE WHEN coalesce(g.n, 0) = 0 THEN 0 ELSE g.reposts_sum END::bigint AS reposts,
       dm.followers_end AS followers,
       dm.followers_end - dm.followers_base AS followers_change,
       -- The last post before the period, only for accounts without one in it (coalesce evaluates
       -- the subquery only then).
       ($3::date - coalesce(g.last_post, (SELECT max(po.published_on) FROM posts po
                                           WHERE po.account_id = a.id AND po.published_on < $2::date)))::int
         AS days_since_last_post,
       (coalesce(dm.days_stored, 0) < $6::int OR coalesce(dm.any_partial, false)
         OR coalesce(g.off_age_posts, 0) > 0
         OR (h.state IS NOT NULL AND h.state <> 'ok'
             AND (h.data_as_of IS NULL OR h.data_as_of < $3::date))) AS partial,
       dm.data_as_of, coalesce(g.off_age_posts, 0)::int AS off_age_posts, $5::int AS fallback_age,
       $7::int AS wci_d -- (so that $7 has a type for BCI too)
  FROM accounts a
  LEFT JOIN g ON g.account_id = a.id
  LEFT JOIN dm ON dm.account_id = a.id
  LEFT JOIN account_collection_health h ON h.account_id = a.id
 WHERE ${open}
) b`,
    score.layers,
  )}`;
}

/** The score formula of a version as SQL (d: parameter $7 of statement 1). */
function scoreFormula(version: FormulaVersion) {
  return version.startsWith('wci')
    ? wciSql(version as WciVersion, '$7')
    : bciSql(version as BciVersion);
}

/**
 * round(x::numeric, 2) * 100 as a float8 (an integer), for the rank sort keys: float8 → numeric
 * goes through text and cost more than the four rank sorts together (bench:score). Away from a
 * half-hundredth x * 100 rounds the same in float8 as the 15-digit numeric does (their errors are
 * below 10⁻¹² · |x * 100|); within 10⁻⁹ of one it takes the numeric path. NULL stays NULL.
 */
function hundredths(x: string): string {
  const h = `(${x} * 100::float8)`;
  return `CASE WHEN abs(${h} - floor(${h}) - 0.5::float8) > 1e-9::float8 * (abs(${h}) + 1::float8)
    THEN round(${h}) ELSE (round(${x}::numeric, 2) * 100)::float8 END`;
}

/**
 * Statement 2 (params: $1 platform, $2 start, $3 end, $4 formula version, $5 week start, $6 run
 * id, $7 d, $8 period type, $9 previous period start, $10 days). Returns { written, scored,
 * deleted }.
 *
 * `fresh`: the period has no account_scores rows yet (checked under the run's advisory lock): a
 * plain INSERT, without the comparison join and the speculative insertion of ON CONFLICT.
 */
export function scoreUpsertSql(fresh = false): string {
  // The new value of each COMPARED column, in order.
  const values = [
    '$1::text',
    '$3::date',
    ...['n', 'nt', 'active_days', 'r', 'rt', 'rmax', 'z', 'l', 're', 'comments', 'reposts'],
    ...['followers', 'followers_change', 'score', 'score_inputs_used', 'score_inputs_missing'],
    ...['activity_score', 'days_since_last_post', 'stale', 'dormant', 'partial', 'data_as_of'],
    ...['rank_score', 'rank_activity', 'rank_followers', 'rank_reads'],
  ]
    .map((c) => (c.startsWith('$') ? c : `s.${c}`))
    .concat('prev.rank_score')
    .join(', ');
  return `
WITH scored AS NOT MATERIALIZED (SELECT * FROM ${INPUTS_TABLE}),
-- Ranks over narrow rows (the sort keys only), joined back: four sorts of 100,000 full rows cost
-- several times more (bench:score).
-- NULL keys sort last, so ranking every row and blanking the NULL ones gives the ranks among the
-- non-NULL rows without a PARTITION BY (one sort key fewer).
rank_keys AS (
  SELECT account_id, ${hundredths('score')} AS score_key, r, rmax, n,
         ${hundredths('activity_score')} AS activity_key, followers
    FROM scored
),
ranks AS (
  SELECT account_id,
         CASE WHEN score_key IS NOT NULL THEN rank() OVER (
           ORDER BY score_key DESC NULLS LAST, r DESC NULLS LAST, rmax DESC NULLS LAST, n DESC) END AS rank_score,
         rank() OVER (ORDER BY activity_key DESC, n DESC) AS rank_activity,
         CASE WHEN followers IS NOT NULL THEN rank() OVER (ORDER BY followers DESC NULLS LAST) END
           AS rank_followers,
         CASE WHEN r IS NOT NULL THEN rank() OVER (ORDER BY r DESC NULLS LAST) END AS rank_reads
    FROM rank_keys
),
ranked AS (
  SELECT s.*, k.rank_score, k.rank_activity, k.rank_followers, k.rank_reads
    FROM scored s JOIN ranks k ON k.account_id = s.account_id
),
ins AS (
  INSERT INTO account_scores AS t (${KEYS.join(', ')}, run_id, computed_at, ${COMPARED.join(', ')})
  SELECT s.account_id, $8, $2::date, $4, $5, $6::bigint, now(), ${values}
    FROM ranked s
    LEFT JOIN account_scores prev
      ON prev.account_id = s.account_id AND prev.period_type = $8 AND prev.period_start = $9::date
     AND prev.formula_version = $4 AND prev.week_start = $5
    ${fresh ? '' : upsertTail(values)}
  RETURNING 1
),
del AS (
  DELETE FROM account_scores t
   WHERE t.period_type = $8 AND t.period_start = $2::date AND t.formula_version = $4
     AND t.week_start = $5 AND t.platform = $1
     AND NOT EXISTS (SELECT 1 FROM ${INPUTS_TABLE} i WHERE i.account_id = t.account_id)
  RETURNING 1
)
SELECT (SELECT count(*) FROM ins)::int AS written, (SELECT count(*) FROM scored)::int AS scored,
       (SELECT count(*) FROM del)::int AS deleted, $7::int AS d, $10::int AS days,
       $3::date AS period_end`;
}

/** The upsert part of statement 2 for a period that already has rows. */
function upsertTail(values: string): string {
  return `-- Only new or changed rows reach the upsert: ON CONFLICT DO UPDATE locks (writes) every
    -- conflicting row even when its WHERE then skips the update.
    LEFT JOIN account_scores cur
      ON cur.account_id = s.account_id AND cur.period_type = $8 AND cur.period_start = $2::date
     AND cur.formula_version = $4 AND cur.week_start = $5
   WHERE cur.account_id IS NULL
      OR (${COMPARED.map((c) => `cur.${c}`).join(', ')}) IS DISTINCT FROM (${values})
  ON CONFLICT (${KEYS.join(', ')}) DO UPDATE SET
    ${['run_id', 'computed_at', ...COMPARED].map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
  WHERE (${COMPARED.map((c) => `t.${c}`).join(', ')})
        IS DISTINCT FROM (${COMPARED.map((c) => `EXCLUDED.${c}`).join(', ')})`;
}

/**
 * After period P is (re)scored, the next period's prev_rank_score follows P's new ranks
 * ($1 type, $2 P's start, $3 next start, $4 formula version, $5 week start).
 */
export const PROPAGATE_PREVIOUS_RANK_SQL = `
UPDATE account_scores n SET prev_rank_score = c.rank_score
  FROM account_scores n2
  LEFT JOIN account_scores c
    ON c.account_id = n2.account_id AND c.period_type = $1 AND c.period_start = $2::date
   AND c.formula_version = $4 AND c.week_start = $5
 WHERE n.account_id = n2.account_id AND n.period_type = n2.period_type
   AND n.period_start = n2.period_start AND n.formula_version = n2.formula_version
   AND n.week_start = n2.week_start
   AND n2.period_type = $1 AND n2.period_start = $3::date AND n2.formula_version = $4
   AND n2.week_start = $5
   AND n.prev_rank_score IS DISTINCT FROM c.rank_score`;

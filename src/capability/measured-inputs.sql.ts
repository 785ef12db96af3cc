/**
 * Raw measured inputs of the cohort's accounts, one statement ($1 account ids, $2/$3 period
 * start/end, $4 WCI formula version, $5 the account_scores period type matching the edition's
 * period exactly or NULL, $6 the last measured day or NULL before the period starts).
 *
 * - WCI: the account_scores row of exactly the period (a 'year' row for a calendar year, and so
 *   on); otherwise — a custom range, or no such row — the mean of the 'month' rows that lie
 *   wholly inside the period. A row without posts counts WCI 0; a row with posts but no
 *   computable WCI (reads missing) is left out.
 * - Activity, from the posts table up to $6, measured from the account's first stored day in the
 *   period (its first daily-metrics row or post; the period start for an account with posts but
 *   no daily rows): days with a post, the longest run of days without one (the edges included)
 *   and the Monday weeks with a post; has_daily tells an account without posts (0) from one
 *   without any stored data (unmeasured).
 */
export const MEASURED_INPUTS_SQL = `
WITH acc AS (SELECT DISTINCT unnest($1::int[]) AS account_id),
exact AS (
  SELECT s.account_id,
         CASE WHEN s.score IS NOT NULL THEN s.score WHEN s.posts = 0 THEN 0 END AS wci,
         s.computed_at
  FROM account_scores s
  WHERE $5::text IS NOT NULL AND s.account_id = ANY($1::int[]) AND s.platform = 'wechat'
    AND s.period_type = $5::text AND s.period_start = $2::date AND s.formula_version = $4
    AND s.week_start = 'monday'
),
monthly AS (
  SELECT s.account_id, avg(coalesce(s.score, 0)) AS wci, count(*)::int AS months
  FROM account_scores s
  WHERE s.account_id = ANY($1::int[]) AND s.platform = 'wechat' AND s.period_type = 'month'
    AND s.period_start >= $2::date AND s.period_end <= $3::date AND s.formula_version = $4
    AND s.week_start = 'monday' AND (s.score IS NOT NULL OR s.posts = 0)
  GROUP BY s.account_id
),
span AS (
  -- Days before the account's first stored day of the period were not collected: not measured.
  SELECT acc.account_id, d.day AS first_daily,
         CASE WHEN d.day IS NULL THEN $2::date ELSE least(d.day, coalesce(p.day, d.day)) END AS measured_from
  FROM acc
  LEFT JOIN LATERAL (
    SELECT m.day FROM account_daily_metrics m
    WHERE $6::date IS NOT NULL AND m.account_id = acc.account_id AND m.day BETWEEN $2::date AND $6::date
    ORDER BY m.day LIMIT 1
  ) d ON true
  LEFT JOIN LATERAL (
    SELECT po.published_on AS day FROM posts po
    WHERE $6::date IS NOT NULL AND po.account_id = acc.account_id
      AND po.published_on BETWEEN $2::date AND $6::date
    ORDER BY po.published_on LIMIT 1
  ) p ON true
),
post_days AS (
  SELECT DISTINCT p.account_id, p.published_on AS day
  FROM posts p
  WHERE $6::date IS NOT NULL AND p.account_id = ANY($1::int[])
    AND p.published_on BETWEEN $2::date AND $6::date
),
gaps AS (
  SELECT account_id, day,
         day - lag(day) OVER (PARTITION BY account_id ORDER BY day) - 1 AS gap
  FROM post_days
),
activity AS (
  SELECT g.account_id, count(*)::int AS active_days,
         greatest(coalesce(max(g.gap), 0), min(g.day) - min(s.measured_from), $6::date - max(g.day))::int AS longest_gap,
         count(DISTINCT date_trunc('week', g.day))::int AS weeks_with_post
  FROM gaps g JOIN span s ON s.account_id = g.account_id
  GROUP BY g.account_id
)
SELECT acc.account_id, e.wci AS exact_wci, m.wci AS monthly_wci, m.months,
       a.active_days, a.longest_gap, a.weeks_with_post,
       s.first_daily IS NOT NULL AS has_daily, s.measured_from::text AS measured_from
FROM acc
JOIN span s ON s.account_id = acc.account_id
LEFT JOIN exact e ON e.account_id = acc.account_id
LEFT JOIN monthly m ON m.account_id = acc.account_id
LEFT JOIN activity a ON a.account_id = acc.account_id`;

export interface MeasuredInputRow {
  account_id: number;
  exact_wci: number | null;
  monthly_wci: number | string | null;
  months: number | null;
  active_days: number | null;
  longest_gap: number | null;
  weeks_with_post: number | null;
  has_daily: boolean;
  measured_from: string;
}

/**
 * When the period's WCI rows of the cohort were last written ($1 edition, $2 formula version,
 * $3/$4 period): a score run after the results makes them outdated.
 */
export const LATEST_SCORES_SQL = `
SELECT max(s.computed_at) AS latest
FROM capability_cohort c
JOIN account_scores s ON s.account_id = c.account_id
WHERE c.edition_id = $1 AND s.platform = 'wechat' AND s.formula_version = $2
  AND s.week_start = 'monday' AND s.period_type IN ('year', 'quarter', 'month')
  AND s.period_start >= $3::date AND s.period_end <= $4::date`;

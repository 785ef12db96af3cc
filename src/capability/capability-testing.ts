/** Test fixtures for the capability index: WCI rows in account_scores, as a score run writes them. */
export interface ScoreFixture {
  accountId: number;
  periodType: 'year' | 'quarter' | 'month';
  periodStart: string;
  periodEnd: string;
  /** null: not computable (posts but no reads), or no posts when posts = 0. */
  wci: number | null;
  posts?: number;
  formulaVersion?: string;
}

interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/** One done score run and its account_scores rows (upserted, so a fixture can be rewritten). */
export async function insertScoreFixtures(
  db: Queryable,
  rows: readonly ScoreFixture[],
): Promise<void> {
  const [run] = await db.query<{ id: string }[]>(
    `INSERT INTO score_runs (platform, period_type, period_key, period_start, period_end, formula_version,
       activity_version, snapshot_age, trigger, status, finished_at)
     VALUES ('wechat', 'year', 'fixture', '2000-01-01', '2000-12-31', 'wci-v14.2', 'activity-v1', 7,
             'manual', 'done', now()) RETURNING id`,
  );
  await db.query(
    `INSERT INTO account_scores (account_id, period_type, period_start, formula_version, week_start,
       platform, period_end, run_id, posts, headline_posts, active_days, score, activity_score, stale,
       dormant, partial, computed_at)
     SELECT x.account_id, x.period_type, x.period_start, x.formula_version, 'monday', 'wechat',
            x.period_end, $1, x.posts, 0, 0, x.score, 0, false, false, false, clock_timestamp()
     FROM unnest($2::int[], $3::text[], $4::date[], $5::date[], $6::float8[], $7::int[], $8::text[])
       AS x(account_id, period_type, period_start, period_end, score, posts, formula_version)
     ON CONFLICT (account_id, period_type, period_start, formula_version, week_start) DO UPDATE
       SET score = EXCLUDED.score, posts = EXCLUDED.posts, run_id = EXCLUDED.run_id,
           computed_at = EXCLUDED.computed_at`,
    [
      run.id,
      rows.map((r) => r.accountId),
      rows.map((r) => r.periodType),
      rows.map((r) => r.periodStart),
      rows.map((r) => r.periodEnd),
      rows.map((r) => r.wci),
      rows.map((r) => r.posts ?? (r.wci === null ? 0 : 10)),
      rows.map((r) => r.formulaVersion ?? 'wci-v14.2'),
    ],
  );
}

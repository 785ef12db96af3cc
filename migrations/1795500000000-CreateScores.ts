import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables the raw-value change triggers watch (R24). */
const WATCHED = ['account_daily_metrics', 'posts', 'post_metric_snapshots'] as const;

/**
 * Scores (src/scoring, issue 5), raw SQL only (no entities, so the drift check ignores them):
 *
 * - `score_runs`: one row per score run (platform, period, formula version, snapshot age, trigger).
 * - `account_scores`: one row per account, period and formula version: the precomputed leaderboard,
 *   written by one set-based upsert per run (src/scoring/runs). Inputs are NULL when the source does
 *   not give them, never 0. `run_id` (the run that last changed the row) has no FK: the run row is
 *   committed before any score row names it and runs are never deleted, and a per-row RI check
 *   costs a fresh 100,000-account run about a quarter of a second (bench:score). Nor has
 *   `account_id` one, for the same reason (≈0.4 s of a fresh 100,000-account run): score rows are
 *   derived data, written only from a run's SELECT over `accounts`, and accounts are never deleted
 *   (they are closed; the fact tables' FKs keep an account with data in any case).
 * - `score_invalidations` (R24): raw-value changes that touch an already scored period, filled
 *   set-based by statement-level triggers (transition tables) on the three fact tables, consumed
 *   by the score scheduler (each affected period is recomputed once, with one audit row). A trigger
 *   keeps the metric writers unchanged and catches every writer (collection, import, manual fixes).
 *   Cause: the session setting `gmm.score_change_cause` when a writer sets it, else derived from
 *   the table, the operation and the row's source.
 */
export class CreateScores1795500000000 implements MigrationInterface {
  name = 'CreateScores1795500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "score_runs" ("id" bigserial NOT NULL, "platform" text NOT NULL, "period_type" text NOT NULL, "period_key" text NOT NULL, "week_start" text NOT NULL DEFAULT 'monday', "period_start" date NOT NULL, "period_end" date NOT NULL, "formula_version" text NOT NULL, "activity_version" text NOT NULL, "snapshot_age" smallint NOT NULL, "trigger" text NOT NULL, "status" text NOT NULL, "accounts" integer, "accounts_scored" integer, "requested_by" text, "cause" text, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "error" text, CONSTRAINT "ck_score_runs_platform" CHECK (platform IN ('wechat', 'weibo')), CONSTRAINT "ck_score_runs_period_type" CHECK (period_type IN ('day', 'week', 'month', 'quarter', 'year')), CONSTRAINT "ck_score_runs_week_start" CHECK (week_start IN ('monday', 'sunday')), CONSTRAINT "ck_score_runs_trigger" CHECK (trigger IN ('schedule', 'manual', 'data_change')), CONSTRAINT "ck_score_runs_status" CHECK (status IN ('running', 'done', 'failed')), CONSTRAINT "ck_score_runs_range" CHECK (period_start <= period_end), CONSTRAINT "pk_score_runs" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_score_runs_period" ON "score_runs" ("platform", "period_type", "period_start", "formula_version", "id" DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_score_runs_end" ON "score_runs" ("period_end") WHERE status <> 'failed'`,
    );
    await queryRunner.query(
      `CREATE TABLE "account_scores" ("account_id" integer NOT NULL, "period_type" text NOT NULL, "period_start" date NOT NULL, "formula_version" text NOT NULL, "week_start" text NOT NULL DEFAULT 'monday', "platform" text NOT NULL, "period_end" date NOT NULL, "run_id" bigint NOT NULL, "posts" integer NOT NULL, "headline_posts" integer NOT NULL, "active_days" integer NOT NULL, "total_reads" bigint, "headline_reads" bigint, "max_reads" bigint, "zaikan" bigint, "likes" bigint, "shares" bigint, "comments" bigint, "reposts" bigint, "followers" bigint, "followers_change" bigint, "score" double precision, "score_inputs_used" text[] NOT NULL DEFAULT '{}', "score_inputs_missing" text[] NOT NULL DEFAULT '{}', "activity_score" double precision NOT NULL, "days_since_last_post" integer, "stale" boolean NOT NULL, "dormant" boolean NOT NULL, "partial" boolean NOT NULL, "data_as_of" date, "rank_score" integer, "rank_activity" integer, "rank_followers" integer, "rank_reads" integer, "prev_rank_score" integer, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_account_scores" PRIMARY KEY ("account_id", "period_type", "period_start", "formula_version", "week_start"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_account_scores_board" ON "account_scores" ("platform", "period_type", "period_start", "formula_version", "week_start", "rank_score")`,
    );
    await queryRunner.query(
      `CREATE TABLE "score_invalidations" ("id" bigserial NOT NULL, "account_id" integer NOT NULL, "day" date NOT NULL, "source_table" text NOT NULL, "operation" text NOT NULL, "item_key" text, "old_values" jsonb, "new_values" jsonb, "cause" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "consumed_at" TIMESTAMP WITH TIME ZONE, "run_ids" bigint[], CONSTRAINT "ck_score_invalidations_operation" CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')), CONSTRAINT "pk_score_invalidations" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_score_invalidations_pending" ON "score_invalidations" ("id") WHERE consumed_at IS NULL`,
    );
    // One trigger function for the three tables. A change counts when the row's business day
    // (daily row: day; post and snapshot: published_on) is on or before the end of the latest
    // scored (or being scored) closed period (the consumer works out exactly which periods), and
    // for snapshots only ages a score reads (<= 7). Updates that change only collected_at are
    // ignored. Until the first score run exists the triggers only pay for the transition tables.
    await queryRunner.query(
      `CREATE FUNCTION "score_capture_changes"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  horizon date;
  day_col text := CASE TG_TABLE_NAME WHEN 'account_daily_metrics' THEN 'day' ELSE 'published_on' END;
  key_expr text := CASE TG_TABLE_NAME WHEN 'account_daily_metrics' THEN 'NULL::text'
                     WHEN 'posts' THEN 'x.platform_post_id'
                     ELSE 'x.platform_post_id || ''@'' || x.observed_day' END;
  age_filter text := CASE TG_TABLE_NAME WHEN 'post_metric_snapshots' THEN 'AND x.age_days <= 7' ELSE '' END;
  cause_setting text := nullif(current_setting('gmm.score_change_cause', true), '');
BEGIN
  -- Closed periods only: open (current) periods are rescored by every schedule tick anyway.
  SELECT max(period_end) INTO horizon FROM score_runs
   WHERE status <> 'failed' AND period_end < (now() AT TIME ZONE 'Asia/Shanghai')::date;
  IF horizon IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    EXECUTE format(
      'INSERT INTO score_invalidations (account_id, day, source_table, operation, item_key, old_values, new_values, cause)
       SELECT x.account_id, x.%1$I, %2$L, ''INSERT'', %3$s, NULL, to_jsonb(x) - ''collected_at'',
              coalesce($1, %2$L || '' row added (source '' || x.source || '')'')
         FROM new_rows x WHERE x.%1$I <= $2 %4$s',
      day_col, TG_TABLE_NAME, key_expr, age_filter) USING cause_setting, horizon;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format(
      'INSERT INTO score_invalidations (account_id, day, source_table, operation, item_key, old_values, new_values, cause)
       SELECT x.account_id, x.%1$I, %2$L, ''DELETE'', %3$s, to_jsonb(x) - ''collected_at'', NULL,
              coalesce($1, %2$L || '' row deleted'')
         FROM old_rows x WHERE x.%1$I <= $2 %4$s',
      day_col, TG_TABLE_NAME, key_expr, age_filter) USING cause_setting, horizon;
  ELSE
    -- Pair old and new rows by primary key (a hash join; writers never change the key).
    EXECUTE format(
      'INSERT INTO score_invalidations (account_id, day, source_table, operation, item_key, old_values, new_values, cause)
       SELECT x.account_id, x.%1$I, %2$L, ''UPDATE'', %3$s, o.v, n.v,
              coalesce($1, %2$L || '' value changed (source '' || x.source || '')'')
         FROM new_rows x
         JOIN old_rows y ON y.account_id = x.account_id AND %5$s
         CROSS JOIN LATERAL (SELECT to_jsonb(x) - ''collected_at'' AS v) n
         CROSS JOIN LATERAL (SELECT to_jsonb(y) - ''collected_at'' AS v) o
        WHERE x.%1$I <= $2 %4$s AND o.v IS DISTINCT FROM n.v',
      day_col, TG_TABLE_NAME, key_expr, age_filter,
      CASE TG_TABLE_NAME
        WHEN 'account_daily_metrics' THEN 'y.day = x.day'
        WHEN 'posts' THEN 'y.published_on = x.published_on AND y.platform_post_id = x.platform_post_id'
        ELSE 'y.observed_day = x.observed_day AND y.platform_post_id = x.platform_post_id' END)
      USING cause_setting, horizon;
  END IF;
  RETURN NULL;
END
$$`,
    );
    for (const table of WATCHED) {
      await queryRunner.query(
        `CREATE TRIGGER "tr_${table}_score_insert" AFTER INSERT ON "${table}" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION score_capture_changes()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "tr_${table}_score_update" AFTER UPDATE ON "${table}" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION score_capture_changes()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "tr_${table}_score_delete" AFTER DELETE ON "${table}" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION score_capture_changes()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of WATCHED) {
      for (const op of ['insert', 'update', 'delete']) {
        await queryRunner.query(`DROP TRIGGER "tr_${table}_score_${op}" ON "${table}"`);
      }
    }
    await queryRunner.query(`DROP FUNCTION "score_capture_changes"()`);
    await queryRunner.query(`DROP TABLE "score_invalidations"`);
    await queryRunner.query(`DROP TABLE "account_scores"`);
    await queryRunner.query(`DROP TABLE "score_runs"`);
  }
}

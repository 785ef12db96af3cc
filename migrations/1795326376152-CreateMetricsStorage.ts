import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored facts (src/metrics): account daily metrics, posts, post metric snapshots by article age.
 *
 * - Range-partitioned by month on a DATE column (Asia/Shanghai business date): posts carry
 *   `published_on` beside `published_at` so bounds do not depend on the session time zone and all
 *   three tables share one partition routine. No DEFAULT partition: a row for a month without a
 *   partition fails (SQLSTATE 23514), which is the alarm. Partitions are made by
 *   metrics_ensure_month_partition() (PartitionMaintenanceService, and each writer for its months).
 * - Every PK starts with account_id and contains the partition column (Citus: distribute all three
 *   by account_id, colocated). Uniqueness of (account_id, platform_post_id) across months cannot be
 *   enforced on a partitioned table; the writer derives published_on from published_at, which a
 *   platform never changes.
 * - FKs to accounts(id) only: valid on Citus when accounts is a reference table (or distributed by
 *   id and colocated). Snapshots have no FK to posts: a vendor feed may give counters without the
 *   post, and per-row RI checks would slow bulk upserts.
 * - Counters are NULL when the source does not give them (datacube has no likes or 在看), never 0.
 * - No TypeORM entities: raw SQL only, so the schema builder (drift check) ignores these tables.
 */
export class CreateMetricsStorage1795326376152 implements MigrationInterface {
  name = 'CreateMetricsStorage1795326376152';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "account_daily_metrics" ("account_id" integer NOT NULL, "day" date NOT NULL, "followers" bigint, "new_followers" bigint, "cancelled_followers" bigint, "posts" bigint, "reads" bigint, "shares" bigint, "likes" bigint, "zaikan" bigint, "comments" bigint, "reposts" bigint, "favourites" bigint, "source" text NOT NULL, "is_delay" boolean NOT NULL DEFAULT false, "partial" boolean NOT NULL DEFAULT false, "collected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_account_daily_metrics_counts" CHECK (followers >= 0 AND new_followers >= 0 AND cancelled_followers >= 0 AND posts >= 0 AND reads >= 0 AND shares >= 0 AND likes >= 0 AND zaikan >= 0 AND comments >= 0 AND reposts >= 0 AND favourites >= 0), CONSTRAINT "ck_account_daily_metrics_source" CHECK (source IN ('official_api', 'vendor', 'manual', 'simulated')), CONSTRAINT "pk_account_daily_metrics" PRIMARY KEY ("account_id", "day")) PARTITION BY RANGE ("day")`,
    );
    await queryRunner.query(
      `CREATE TABLE "posts" ("account_id" integer NOT NULL, "published_on" date NOT NULL, "platform_post_id" text NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE NOT NULL, "position" smallint, "is_repost" boolean, "title" text, "url" text, "source" text NOT NULL, "collected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_posts_published_on" CHECK (published_on = (published_at AT TIME ZONE 'Asia/Shanghai')::date), CONSTRAINT "ck_posts_position" CHECK (position >= 1), CONSTRAINT "ck_posts_platform_post_id" CHECK (platform_post_id <> ''), CONSTRAINT "ck_posts_source" CHECK (source IN ('official_api', 'vendor', 'manual', 'simulated')), CONSTRAINT "pk_posts" PRIMARY KEY ("account_id", "published_on", "platform_post_id")) PARTITION BY RANGE ("published_on")`,
    );
    await queryRunner.query(
      `CREATE TABLE "post_metric_snapshots" ("account_id" integer NOT NULL, "observed_day" date NOT NULL, "platform_post_id" text NOT NULL, "published_on" date NOT NULL, "age_days" smallint GENERATED ALWAYS AS ((observed_day - published_on)::smallint) STORED, "reads" bigint, "shares" bigint, "likes" bigint, "zaikan" bigint, "comments" bigint, "reposts" bigint, "favourites" bigint, "source" text NOT NULL, "collected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_post_metric_snapshots_age" CHECK (observed_day >= published_on), CONSTRAINT "ck_post_metric_snapshots_counts" CHECK (reads >= 0 AND shares >= 0 AND likes >= 0 AND zaikan >= 0 AND comments >= 0 AND reposts >= 0 AND favourites >= 0), CONSTRAINT "ck_post_metric_snapshots_source" CHECK (source IN ('official_api', 'vendor', 'manual', 'simulated')), CONSTRAINT "pk_post_metric_snapshots" PRIMARY KEY ("account_id", "observed_day", "platform_post_id")) PARTITION BY RANGE ("observed_day")`,
    );
    for (const table of ['account_daily_metrics', 'posts', 'post_metric_snapshots']) {
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "fk_${table}_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
      );
    }
    // One statement per partition, safe to race: an advisory lock serialises creators, lock_timeout
    // bounds the wait for the parent's ACCESS EXCLUSIVE lock (a writer may hold it open).
    await queryRunner.query(
      `CREATE FUNCTION "metrics_ensure_month_partition"(parent text, month_start date) RETURNS boolean LANGUAGE plpgsql SET lock_timeout = '10s' AS $$
DECLARE
  child text := parent || to_char(month_start, '"_"YYYY"_"MM');
BEGIN
  IF parent NOT IN ('account_daily_metrics', 'posts', 'post_metric_snapshots') THEN
    RAISE EXCEPTION 'not a metrics fact table: %', parent USING ERRCODE = '22023';
  END IF;
  IF month_start IS NULL OR extract(day FROM month_start) <> 1 THEN
    RAISE EXCEPTION 'not the first day of a month: %', month_start USING ERRCODE = '22023';
  END IF;
  IF to_regclass(format('public.%I', child)) IS NOT NULL THEN
    RETURN false;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('metrics_ensure_month_partition'));
  IF to_regclass(format('public.%I', child)) IS NOT NULL THEN
    RETURN false;
  END IF;
  BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   child, parent, month_start, (month_start + interval '1 month')::date);
  EXCEPTION WHEN duplicate_table OR unique_violation THEN
    RETURN false;
  END;
  RETURN true;
END
$$`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "metrics_ensure_month_partition"(text, date)`);
    // Dropping a partitioned table drops its partitions.
    await queryRunner.query(`DROP TABLE "post_metric_snapshots"`);
    await queryRunner.query(`DROP TABLE "posts"`);
    await queryRunner.query(`DROP TABLE "account_daily_metrics"`);
  }
}

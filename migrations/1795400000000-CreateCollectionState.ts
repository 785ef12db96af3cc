import PgBoss from 'pg-boss';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema pg-boss keeps its queues in; the app starts pg-boss with `migrate: false`. */
export const JOB_QUEUE_SCHEMA = 'pgboss';

/**
 * pg-boss's own DDL for its schema, without its BEGIN/COMMIT: it runs inside the migration's
 * transaction (a COMMIT there would end that transaction halfway).
 */
export function jobQueueConstruction(): string {
  const plans = PgBoss.getConstructionPlans(JOB_QUEUE_SCHEMA);
  const stripped = plans.replace(/^\s*BEGIN;\s*$/m, '').replace(/^\s*COMMIT;\s*$/m, '');
  if (/^\s*(BEGIN|COMMIT);\s*$/m.test(stripped)) {
    throw new Error('unexpected pg-boss construction plan: more than one transaction');
  }
  return stripped;
}

/**
 * Collection state (src/collection), all raw SQL (no entities):
 *
 * - `collection_bookmarks`: per (account, task) how far collection got. `covered_through` is the
 *   last business day whose rows are stored (every day from `covered_from` on); `cursor` is a
 *   task-specific position (e.g. the newest Weibo post time seen). Written in the same transaction
 *   as the rows it covers (R1, R13), so a bookmark never runs ahead of its data.
 * - `account_collection_health`: `up`, `data_as_of`, the last error, consecutive failures, and the
 *   state (`ok`, `failing`, `quota_exhausted`, `dead` = dead-lettered). `alerted_at` makes the
 *   healthy→failing alert fire once (R17).
 * - `collection_budgets`: per-credential request budgets shared by every process (R6): a fixed
 *   one-minute window counter plus a block (Retry-After, 45011, 45009 until the next quota day).
 * - `backfill_runs`: one row per backfill request with progress counters (days done of total).
 * - pg-boss's own schema, installed here so that every database (and the test template) has it
 *   before any process starts; the app starts pg-boss with `migrate: false`.
 */
export class CreateCollectionState1795400000000 implements MigrationInterface {
  name = 'CreateCollectionState1795400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "collection_bookmarks" ("account_id" integer NOT NULL, "task" text NOT NULL, "covered_from" date, "covered_through" date, "cursor" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_collection_bookmarks_range" CHECK (covered_from IS NULL OR covered_through IS NULL OR covered_from <= covered_through + 1), CONSTRAINT "pk_collection_bookmarks" PRIMARY KEY ("account_id", "task"), CONSTRAINT "fk_collection_bookmarks_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `CREATE TABLE "account_collection_health" ("account_id" integer NOT NULL, "state" text NOT NULL DEFAULT 'ok', "up" boolean NOT NULL DEFAULT true, "data_as_of" date, "last_success_at" TIMESTAMP WITH TIME ZONE, "last_error_class" text, "last_error_code" text, "last_error_message" text, "last_error_at" TIMESTAMP WITH TIME ZONE, "consecutive_failures" integer NOT NULL DEFAULT 0, "alerted_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_account_collection_health_state" CHECK (state IN ('ok', 'failing', 'quota_exhausted', 'dead')), CONSTRAINT "ck_account_collection_health_failures" CHECK (consecutive_failures >= 0), CONSTRAINT "pk_account_collection_health" PRIMARY KEY ("account_id"), CONSTRAINT "fk_account_collection_health_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_account_collection_health_failing" ON "account_collection_health" ("state") WHERE state <> 'ok'`,
    );
    await queryRunner.query(
      `CREATE TABLE "collection_budgets" ("budget_key" text NOT NULL, "window_start" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "used" integer NOT NULL DEFAULT 0, "blocked_until" TIMESTAMP WITH TIME ZONE, "blocked_reason" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_collection_budgets_used" CHECK (used >= 0), CONSTRAINT "pk_collection_budgets" PRIMARY KEY ("budget_key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "backfill_runs" ("id" SERIAL NOT NULL, "requested_by" text NOT NULL, "from_day" date NOT NULL, "to_day" date NOT NULL, "accounts" integer NOT NULL, "total_days" bigint NOT NULL, "done_days" bigint NOT NULL DEFAULT 0, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_backfill_runs_days" CHECK (from_day <= to_day AND done_days >= 0 AND total_days >= 0), CONSTRAINT "pk_backfill_runs" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(jobQueueConstruction());
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA IF EXISTS "${JOB_QUEUE_SCHEMA}" CASCADE`);
    await queryRunner.query(`DROP TABLE "backfill_runs"`);
    await queryRunner.query(`DROP TABLE "collection_budgets"`);
    await queryRunner.query(`DROP TABLE "account_collection_health"`);
    await queryRunner.query(`DROP TABLE "collection_bookmarks"`);
  }
}

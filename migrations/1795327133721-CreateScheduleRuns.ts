import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The scheduler-of-record ledger (src/collection): one row per (schedule, fire time). Every replica
 * fires the same cron; the replica whose `INSERT … ON CONFLICT DO NOTHING` inserts the row runs the
 * slot (RELIABILITY "One scheduler of record", R3–R5).
 *
 * - `slot` is the fire time the run is for, not when it ran; `claimed_at` is the database's time.
 * - `backfilled` marks a slot claimed late, after a downtime (R5).
 * - `outcome` and `finished_at` are NULL while the run is in progress (or its replica died).
 * - "Latest slot per schedule" (`max(slot) WHERE schedule = $1`) is a backward scan of the primary
 *   key's btree on (schedule, slot): no second index, which would only duplicate it.
 * - No TypeORM entity: raw SQL only, so the schema builder (drift check) ignores this table.
 */
export class CreateScheduleRuns1795327133721 implements MigrationInterface {
  name = 'CreateScheduleRuns1795327133721';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "schedule_runs" ("schedule" text NOT NULL, "slot" TIMESTAMP WITH TIME ZONE NOT NULL, "claimed_by" text NOT NULL, "claimed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "backfilled" boolean NOT NULL DEFAULT false, "finished_at" TIMESTAMP WITH TIME ZONE, "outcome" text, "error" text, CONSTRAINT "ck_schedule_runs_schedule" CHECK (schedule <> ''), CONSTRAINT "ck_schedule_runs_claimed_by" CHECK (claimed_by <> ''), CONSTRAINT "ck_schedule_runs_outcome" CHECK (outcome IN ('ok', 'failed')), CONSTRAINT "ck_schedule_runs_finished" CHECK ((outcome IS NULL) = (finished_at IS NULL)), CONSTRAINT "pk_schedule_runs" PRIMARY KEY ("schedule", "slot"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "schedule_runs"`);
  }
}

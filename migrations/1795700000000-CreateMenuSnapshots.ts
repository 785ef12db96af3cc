import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom-menu snapshots from WeChat `get_current_selfmenu_info` (src/capability, the
 * `menu_presence` leaf of the service-capability index), raw SQL only (no entity, so the drift
 * check ignores the table).
 *
 * - One row per account and Asia/Shanghai day observed (key starts with account_id, contains the
 *   day: distributable by account like the other fact tables).
 * - A failed read is a row too (`is_menu_open` NULL, `error_class`/`error_code`/`error_message`
 *   set): the index reports why the leaf is missing, and a permanent failure is not retried on the
 *   same day. A successful read of the same day replaces a failure, never the other way round.
 * - `buttons` top-level buttons, `sub_buttons` their sub-buttons, `entries` what a reader can
 *   tap (a button without sub-buttons counts 1, one with sub-buttons counts them).
 */
export class CreateMenuSnapshots1795700000000 implements MigrationInterface {
  name = 'CreateMenuSnapshots1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "account_menu_snapshots" ("account_id" integer NOT NULL, "observed_day" date NOT NULL, "is_menu_open" boolean, "buttons" integer, "sub_buttons" integer, "entries" integer, "menu" jsonb, "source" text NOT NULL, "error_class" text, "error_code" text, "error_message" text, "collected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_account_menu_snapshots_source" CHECK (source IN ('official_api', 'simulated')), CONSTRAINT "ck_account_menu_snapshots_outcome" CHECK ((is_menu_open IS NOT NULL AND buttons >= 0 AND sub_buttons >= 0 AND entries >= 0 AND menu IS NOT NULL AND error_class IS NULL AND error_code IS NULL AND error_message IS NULL)
   OR (is_menu_open IS NULL AND buttons IS NULL AND sub_buttons IS NULL AND entries IS NULL AND menu IS NULL AND error_class IS NOT NULL)), CONSTRAINT "pk_account_menu_snapshots" PRIMARY KEY ("account_id", "observed_day"), CONSTRAINT "fk_account_menu_snapshots_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "account_menu_snapshots"`);
  }
}

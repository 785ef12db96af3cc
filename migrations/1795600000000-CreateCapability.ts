import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The WeChat service-capability index (src/capability, issue 6), raw SQL only (no entities, so the
 * drift check ignores these tables):
 *
 * - `capability_editions`: one evaluation (e.g. "2019"): period, WCI formula, normalisation, bands,
 *   grade letters, the current indicator-tree version and whether its results are outdated.
 * - `capability_trees`: every version of an edition's indicator tree (JSON); results name theirs.
 * - `capability_cohort`: which WeChat account represents which region (NULL: 未开通, still counted).
 * - `capability_assessments`: evaluator scores of assessed leaves, per region, with assessor,
 *   evidence and time.
 * - `capability_runs` / `capability_results`: each recompute, and the current result per region
 *   (total, sub-indices, rank, band), each with the tree version and normalisation it used.
 */
export class CreateCapability1795600000000 implements MigrationInterface {
  name = 'CreateCapability1795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "capability_editions" ("id" SERIAL NOT NULL, "code" text NOT NULL, "name" text NOT NULL, "period_key" text, "period_start" date NOT NULL, "period_end" date NOT NULL, "formula_version" text NOT NULL, "normalisation" text NOT NULL DEFAULT 'min-max', "bands" jsonb NOT NULL, "grade_letters" text[] NOT NULL DEFAULT '{A,B,C,D}', "preset" text, "tree_version" integer NOT NULL DEFAULT 1, "results_run_id" integer, "results_outdated" boolean NOT NULL DEFAULT false, "outdated_reason" text, "outdated_at" TIMESTAMP WITH TIME ZONE, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_capability_editions_code" CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'), CONSTRAINT "ck_capability_editions_period" CHECK (period_start <= period_end), CONSTRAINT "ck_capability_editions_normalisation" CHECK (normalisation IN ('min-max', 'log', 'percentile')), CONSTRAINT "ck_capability_editions_tree_version" CHECK (tree_version >= 1), CONSTRAINT "uq_capability_editions_code" UNIQUE ("code"), CONSTRAINT "pk_capability_editions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "capability_trees" ("edition_id" integer NOT NULL, "version" integer NOT NULL, "tree" jsonb NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_capability_trees_version" CHECK (version >= 1), CONSTRAINT "pk_capability_trees" PRIMARY KEY ("edition_id", "version"), CONSTRAINT "fk_capability_trees_edition" FOREIGN KEY ("edition_id") REFERENCES "capability_editions"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `CREATE TABLE "capability_cohort" ("edition_id" integer NOT NULL, "region_code" character varying(6) NOT NULL, "account_id" integer, "source" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_capability_cohort_source" CHECK (source IN ('auto', 'explicit')), CONSTRAINT "pk_capability_cohort" PRIMARY KEY ("edition_id", "region_code"), CONSTRAINT "fk_capability_cohort_edition" FOREIGN KEY ("edition_id") REFERENCES "capability_editions"("id") ON DELETE CASCADE, CONSTRAINT "fk_capability_cohort_region" FOREIGN KEY ("region_code") REFERENCES "regions"("code") ON DELETE RESTRICT, CONSTRAINT "fk_capability_cohort_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_capability_cohort_account" ON "capability_cohort" ("account_id") WHERE account_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "capability_assessments" ("edition_id" integer NOT NULL, "region_code" character varying(6) NOT NULL, "indicator_code" text NOT NULL, "score" double precision NOT NULL, "assessor" text NOT NULL, "evidence" text, "evidence_url" text, "assessed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "entered_by" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_capability_assessments_score" CHECK (score >= 0 AND score <= 100), CONSTRAINT "ck_capability_assessments_assessor" CHECK (assessor <> ''), CONSTRAINT "pk_capability_assessments" PRIMARY KEY ("edition_id", "region_code", "indicator_code"), CONSTRAINT "fk_capability_assessments_edition" FOREIGN KEY ("edition_id") REFERENCES "capability_editions"("id") ON DELETE CASCADE, CONSTRAINT "fk_capability_assessments_region" FOREIGN KEY ("region_code") REFERENCES "regions"("code") ON DELETE RESTRICT)`,
    );
    await queryRunner.query(
      `CREATE TABLE "capability_runs" ("id" SERIAL NOT NULL, "edition_id" integer NOT NULL, "tree_version" integer NOT NULL, "normalisation" text NOT NULL, "formula_version" text NOT NULL, "trigger" text NOT NULL, "requested_by" text NOT NULL, "regions" integer NOT NULL, "scored" integer NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_capability_runs_trigger" CHECK (trigger IN ('manual', 'input_change')), CONSTRAINT "pk_capability_runs" PRIMARY KEY ("id"), CONSTRAINT "fk_capability_runs_edition" FOREIGN KEY ("edition_id") REFERENCES "capability_editions"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_capability_runs_edition" ON "capability_runs" ("edition_id", "id" DESC)`,
    );
    await queryRunner.query(
      `ALTER TABLE "capability_editions" ADD CONSTRAINT "fk_capability_editions_results_run" FOREIGN KEY ("results_run_id") REFERENCES "capability_runs"("id") ON DELETE SET NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "capability_results" ("edition_id" integer NOT NULL, "region_code" character varying(6) NOT NULL, "tier" text NOT NULL, "province_code" character varying(6) NOT NULL, "account_id" integer, "opened" boolean NOT NULL, "total" double precision, "rank" integer, "band" text, "sub_indices" jsonb NOT NULL, "nodes" jsonb NOT NULL, "leaf_scores" jsonb NOT NULL, "missing" text[] NOT NULL DEFAULT '{}', "measures" jsonb, "run_id" integer NOT NULL, "tree_version" integer NOT NULL, "normalisation" text NOT NULL, "formula_version" text NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_capability_results_tier" CHECK (tier IN ('municipality', 'province', 'prefecture')), CONSTRAINT "ck_capability_results_opened" CHECK (opened = (account_id IS NOT NULL)), CONSTRAINT "ck_capability_results_scored" CHECK ((total IS NULL) = (rank IS NULL) AND (total IS NULL) = (band IS NULL)), CONSTRAINT "pk_capability_results" PRIMARY KEY ("edition_id", "region_code"), CONSTRAINT "fk_capability_results_edition" FOREIGN KEY ("edition_id") REFERENCES "capability_editions"("id") ON DELETE CASCADE, CONSTRAINT "fk_capability_results_run" FOREIGN KEY ("run_id") REFERENCES "capability_runs"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_capability_results_tier" ON "capability_results" ("edition_id", "tier", "rank")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "capability_results"`);
    await queryRunner.query(
      `ALTER TABLE "capability_editions" DROP CONSTRAINT "fk_capability_editions_results_run"`,
    );
    await queryRunner.query(`DROP TABLE "capability_runs"`);
    await queryRunner.query(`DROP TABLE "capability_assessments"`);
    await queryRunner.query(`DROP TABLE "capability_cohort"`);
    await queryRunner.query(`DROP TABLE "capability_trees"`);
    await queryRunner.query(`DROP TABLE "capability_editions"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRegistry1795321222213 implements MigrationInterface {
  name = 'CreateRegistry1795321222213';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "regions" ("code" character varying(6) NOT NULL, "name" text NOT NULL, "level" text NOT NULL, "parent_code" character varying(6), "tier" text NOT NULL, "macro_region" text NOT NULL, CONSTRAINT "ck_regions_code" CHECK (code ~ '^[0-9]{6}$'), CONSTRAINT "ck_regions_macro_region" CHECK (macro_region IN ('east', 'central', 'west', 'northeast')), CONSTRAINT "ck_regions_tier" CHECK (tier IN ('municipality', 'province', 'autonomous_region', 'sub_provincial_or_capital_city', 'prefecture_city', 'autonomous_prefecture', 'prefecture', 'league')), CONSTRAINT "ck_regions_level" CHECK (level IN ('province', 'prefecture')), CONSTRAINT "PK_4f6dc5a464961e7c65a395ea4c6" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_regions_parent_code" ON "regions" ("parent_code")`);
    await queryRunner.query(
      `CREATE TABLE "organizations" ("id" SERIAL NOT NULL, "name" text NOT NULL, "region_code" character varying(6), "level" text NOT NULL, "sector" text NOT NULL, "parent_id" integer, "closed_on" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_organizations_region" CHECK (region_code IS NOT NULL OR level = 'central'), CONSTRAINT "ck_organizations_sector" CHECK (sector IN ('public_security', 'health', 'transport', 'party_government_office', 'tourism', 'culture_media', 'education', 'housing_fund', 'food_drug', 'taxation', 'youth_league', 'human_resources', 'publicity', 'court', 'procuratorate', 'justice', 'fire_rescue', 'emergency', 'civil_affairs', 'commerce', 'statistics', 'environment', 'market_regulation', 'agriculture', 'other')), CONSTRAINT "ck_organizations_level" CHECK (level IN ('central', 'provincial', 'municipal', 'county', 'township')), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_organizations_region_code" ON "organizations" ("region_code")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_organizations_parent_id" ON "organizations" ("parent_id")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_organizations_name_central" ON "organizations" ("name") WHERE region_code IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_organizations_name_region" ON "organizations" ("name", "region_code") WHERE region_code IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "accounts" ("id" SERIAL NOT NULL, "platform" text NOT NULL, "wechat_original_id" text, "wechat_app_id" text, "weibo_uid" text, "display_name" text NOT NULL, "organization_id" integer NOT NULL, "wechat_type" text, "verified" boolean NOT NULL DEFAULT false, "status" text NOT NULL DEFAULT 'active', "opened_on" date, "status_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_on" date, "data_source" text NOT NULL DEFAULT 'official_api', "tags" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_accounts_closed_on" CHECK ((status = 'closed') = (closed_on IS NOT NULL)), CONSTRAINT "ck_accounts_platform_ids" CHECK ((platform = 'wechat' AND weibo_uid IS NULL AND (wechat_original_id IS NOT NULL OR wechat_app_id IS NOT NULL))
 OR (platform = 'weibo' AND weibo_uid IS NOT NULL AND wechat_original_id IS NULL AND wechat_app_id IS NULL AND wechat_type IS NULL)), CONSTRAINT "ck_accounts_wechat_type" CHECK (wechat_type IS NULL OR wechat_type IN ('subscription', 'service')), CONSTRAINT "ck_accounts_data_source" CHECK (data_source IN ('official_api', 'vendor', 'manual', 'simulated')), CONSTRAINT "ck_accounts_status" CHECK (status IN ('active', 'paused', 'closed')), CONSTRAINT "ck_accounts_platform" CHECK (platform IN ('wechat', 'weibo')), CONSTRAINT "PK_5a7a02c20412299d198e097a8fe" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_accounts_organization_id" ON "accounts" ("organization_id")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_accounts_weibo_uid" ON "accounts" ("weibo_uid") WHERE weibo_uid IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_accounts_wechat_app_id" ON "accounts" ("wechat_app_id") WHERE wechat_app_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_accounts_wechat_original_id" ON "accounts" ("wechat_original_id") WHERE wechat_original_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_key_id" integer, "actor_name" text NOT NULL, "action" text NOT NULL, "entity_type" text NOT NULL, "entity_id" text NOT NULL, "before" jsonb, "after" jsonb, "correlation_id" text, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_log_entity" ON "audit_log" ("entity_type", "entity_id", "at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" SERIAL NOT NULL, "key_id" character varying(8) NOT NULL, "secret_hash" bytea NOT NULL, "name" text NOT NULL, "role" text NOT NULL, "region_code" character varying(6), "created_by" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_api_keys_role" CHECK (role IN ('admin', 'analyst', 'viewer')), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_api_keys_key_id" ON "api_keys" ("key_id")`);
    await queryRunner.query(
      `ALTER TABLE "regions" ADD CONSTRAINT "fk_regions_parent" FOREIGN KEY ("parent_code") REFERENCES "regions"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD CONSTRAINT "fk_organizations_region" FOREIGN KEY ("region_code") REFERENCES "regions"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD CONSTRAINT "fk_organizations_parent" FOREIGN KEY ("parent_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "accounts" ADD CONSTRAINT "fk_accounts_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "fk_api_keys_region" FOREIGN KEY ("region_code") REFERENCES "regions"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE INDEX "ix_accounts_display_name_trgm" ON "accounts" USING gin ("display_name" gin_trgm_ops)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_accounts_tags" ON "accounts" USING gin ("tags")`);
    await queryRunner.query(
      `CREATE INDEX "ix_organizations_name_trgm" ON "organizations" USING gin ("name" gin_trgm_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_organizations_name_trgm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_accounts_tags"`);
    await queryRunner.query(`DROP INDEX "public"."ix_accounts_display_name_trgm"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "fk_api_keys_region"`);
    await queryRunner.query(`ALTER TABLE "accounts" DROP CONSTRAINT "fk_accounts_organization"`);
    await queryRunner.query(
      `ALTER TABLE "organizations" DROP CONSTRAINT "fk_organizations_parent"`,
    );
    await queryRunner.query(
      `ALTER TABLE "organizations" DROP CONSTRAINT "fk_organizations_region"`,
    );
    await queryRunner.query(`ALTER TABLE "regions" DROP CONSTRAINT "fk_regions_parent"`);
    await queryRunner.query(`DROP INDEX "public"."ux_api_keys_key_id"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_entity"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP INDEX "public"."ux_accounts_wechat_original_id"`);
    await queryRunner.query(`DROP INDEX "public"."ux_accounts_wechat_app_id"`);
    await queryRunner.query(`DROP INDEX "public"."ux_accounts_weibo_uid"`);
    await queryRunner.query(`DROP INDEX "public"."ix_accounts_organization_id"`);
    await queryRunner.query(`DROP TABLE "accounts"`);
    await queryRunner.query(`DROP INDEX "public"."ux_organizations_name_region"`);
    await queryRunner.query(`DROP INDEX "public"."ux_organizations_name_central"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organizations_parent_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organizations_region_code"`);
    await queryRunner.query(`DROP TABLE "organizations"`);
    await queryRunner.query(`DROP INDEX "public"."ix_regions_parent_code"`);
    await queryRunner.query(`DROP TABLE "regions"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Encrypted platform credentials and the WeChat access-token cache (src/credentials). Kinds are a
 * CHECK list: 'wechat_authorizer' (third-party platform) is expected later and will replace
 * ck_platform_credentials_kind and ck_platform_credentials_app_id.
 */
export class CreateCredentials1795323751236 implements MigrationInterface {
  name = 'CreateCredentials1795323751236';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "platform_credentials" ("id" SERIAL NOT NULL, "account_id" integer NOT NULL, "kind" text NOT NULL, "app_id" text, "key_version" text, "iv" bytea, "ciphertext" bytea, "tag" bytea, "state" text NOT NULL DEFAULT 'valid', "expires_at" TIMESTAMP WITH TIME ZONE, "last_error_class" text, "last_checked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "rotated_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_platform_credentials_envelope" CHECK ((state = 'revoked' AND key_version IS NULL AND iv IS NULL AND ciphertext IS NULL AND tag IS NULL)
   OR (state <> 'revoked' AND key_version IS NOT NULL AND octet_length(iv) = 12 AND ciphertext IS NOT NULL AND octet_length(tag) = 16)), CONSTRAINT "ck_platform_credentials_revoked" CHECK ((state = 'revoked') = (revoked_at IS NOT NULL)), CONSTRAINT "ck_platform_credentials_app_id" CHECK ((kind = 'wechat_app' AND app_id IS NOT NULL) OR (kind = 'weibo_token' AND app_id IS NULL)), CONSTRAINT "ck_platform_credentials_state" CHECK (state IN ('valid', 'expired', 'revoked')), CONSTRAINT "ck_platform_credentials_kind" CHECK (kind IN ('wechat_app', 'weibo_token')), CONSTRAINT "PK_c6c244b04efb06d56dea2ed3800" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_platform_credentials_account_id" ON "platform_credentials" ("account_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_platform_credentials_key_version" ON "platform_credentials" ("key_version")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_platform_credentials_app_id" ON "platform_credentials" ("app_id") WHERE state <> 'revoked' AND app_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_platform_credentials_account_kind" ON "platform_credentials" ("account_id", "kind") WHERE state <> 'revoked'`,
    );
    await queryRunner.query(
      `CREATE TABLE "wechat_access_tokens" ("app_id" text NOT NULL, "key_version" text, "iv" bytea, "ciphertext" bytea, "tag" bytea, "expires_at" TIMESTAMP WITH TIME ZONE, "fetched_at" TIMESTAMP WITH TIME ZONE, "fetch_count" integer NOT NULL DEFAULT '0', CONSTRAINT "ck_wechat_access_tokens_envelope" CHECK ((key_version IS NULL AND iv IS NULL AND ciphertext IS NULL AND tag IS NULL AND expires_at IS NULL)
   OR (key_version IS NOT NULL AND octet_length(iv) = 12 AND ciphertext IS NOT NULL AND octet_length(tag) = 16 AND expires_at IS NOT NULL)), CONSTRAINT "pk_wechat_access_tokens" PRIMARY KEY ("app_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "platform_credentials" ADD CONSTRAINT "fk_platform_credentials_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "platform_credentials" DROP CONSTRAINT "fk_platform_credentials_account"`,
    );
    await queryRunner.query(`DROP TABLE "wechat_access_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."ux_platform_credentials_account_kind"`);
    await queryRunner.query(`DROP INDEX "public"."ux_platform_credentials_app_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_platform_credentials_key_version"`);
    await queryRunner.query(`DROP INDEX "public"."ix_platform_credentials_account_id"`);
    await queryRunner.query(`DROP TABLE "platform_credentials"`);
  }
}

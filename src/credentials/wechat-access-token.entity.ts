import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The cached WeChat access token of one app id, encrypted with AAD `token:<app_id>`. The row is
 * also the cross-process lock for refreshing it (`SELECT … FOR UPDATE`), so it exists before the
 * first token does.
 */
@Entity({ name: 'wechat_access_tokens' })
@Check(
  'ck_wechat_access_tokens_envelope',
  `(key_version IS NULL AND iv IS NULL AND ciphertext IS NULL AND tag IS NULL AND expires_at IS NULL)
   OR (key_version IS NOT NULL AND octet_length(iv) = 12 AND ciphertext IS NOT NULL AND octet_length(tag) = 16 AND expires_at IS NOT NULL)`,
)
export class WechatAccessToken {
  @PrimaryColumn({
    name: 'app_id',
    type: 'text',
    primaryKeyConstraintName: 'pk_wechat_access_tokens',
  })
  appId!: string;

  @Column({ name: 'key_version', type: 'text', nullable: true })
  keyVersion!: string | null;

  @Column({ type: 'bytea', nullable: true })
  iv!: Buffer | null;

  @Column({ type: 'bytea', nullable: true })
  ciphertext!: Buffer | null;

  @Column({ type: 'bytea', nullable: true })
  tag!: Buffer | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'fetched_at', type: 'timestamptz', nullable: true })
  fetchedAt!: Date | null;

  @Column({ name: 'fetch_count', type: 'integer', default: 0 })
  fetchCount!: number;
}

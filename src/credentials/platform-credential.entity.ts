import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Account } from '../accounts/account.entity';
import { sqlList } from '../accounts/account-taxonomy';
import { CREDENTIAL_KINDS, CREDENTIAL_STATES } from './credential-kinds';
import type { CredentialKind, CredentialState } from './credential-kinds';

/**
 * A platform secret of one account (WeChat AppSecret, Weibo access token), AES-256-GCM encrypted
 * with AAD `credential:<id>:<kind>` (credential-cipher.ts). Revoking wipes the envelope; the row
 * stays for its history.
 */
@Entity({ name: 'platform_credentials' })
@Check('ck_platform_credentials_kind', `kind IN (${sqlList(CREDENTIAL_KINDS)})`)
@Check('ck_platform_credentials_state', `state IN (${sqlList(CREDENTIAL_STATES)})`)
@Check(
  'ck_platform_credentials_app_id',
  `(kind = 'wechat_app' AND app_id IS NOT NULL) OR (kind = 'weibo_token' AND app_id IS NULL)`,
)
@Check('ck_platform_credentials_revoked', `(state = 'revoked') = (revoked_at IS NOT NULL)`)
@Check(
  'ck_platform_credentials_envelope',
  `(state = 'revoked' AND key_version IS NULL AND iv IS NULL AND ciphertext IS NULL AND tag IS NULL)
   OR (state <> 'revoked' AND key_version IS NOT NULL AND octet_length(iv) = 12 AND ciphertext IS NOT NULL AND octet_length(tag) = 16)`,
)
@Index('ux_platform_credentials_account_kind', ['accountId', 'kind'], {
  unique: true,
  where: `state <> 'revoked'`,
})
@Index('ux_platform_credentials_app_id', ['appId'], {
  unique: true,
  where: `state <> 'revoked' AND app_id IS NOT NULL`,
})
@Index('ix_platform_credentials_key_version', ['keyVersion'])
export class PlatformCredential {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('ix_platform_credentials_account_id')
  @Column({ name: 'account_id', type: 'integer' })
  accountId!: number;

  @ManyToOne(() => Account, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_platform_credentials_account' })
  account?: Account;

  @Column({ type: 'text' })
  kind!: CredentialKind;

  /** WeChat AppID: public, kept in plaintext so tokens can be looked up by it. */
  @Column({ name: 'app_id', type: 'text', nullable: true })
  appId!: string | null;

  @Column({ name: 'key_version', type: 'text', nullable: true })
  keyVersion!: string | null;

  @Column({ type: 'bytea', nullable: true })
  iv!: Buffer | null;

  @Column({ type: 'bytea', nullable: true })
  ciphertext!: Buffer | null;

  @Column({ type: 'bytea', nullable: true })
  tag!: Buffer | null;

  @Column({ type: 'text', default: 'valid' })
  state!: CredentialState;

  /** Expiry the platform stated (Weibo OAuth tokens); null when unknown or not applicable. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** PlatformErrorClass of the last failure with this credential. */
  @Column({ name: 'last_error_class', type: 'text', nullable: true })
  lastErrorClass!: string | null;

  @Column({ name: 'last_checked_at', type: 'timestamptz', nullable: true })
  lastCheckedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}

import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Organization } from './organization.entity';
import {
  ACCOUNT_STATUSES,
  DATA_SOURCES,
  PLATFORMS,
  WECHAT_TYPES,
  sqlList,
} from './account-taxonomy';
import type { AccountStatus, DataSource, Platform, WechatType } from './account-taxonomy';

/**
 * A WeChat official account (公众号) or Weibo account (政务微博). A platform id identifies it
 * uniquely: WeChat original id (原始ID, gh_…) and/or AppID; Weibo uid. Platform credentials live
 * in their own table (credentials issue) keyed by account id.
 */
@Entity({ name: 'accounts' })
@Check('ck_accounts_platform', `platform IN (${sqlList(PLATFORMS)})`)
@Check('ck_accounts_status', `status IN (${sqlList(ACCOUNT_STATUSES)})`)
@Check('ck_accounts_data_source', `data_source IN (${sqlList(DATA_SOURCES)})`)
@Check(
  'ck_accounts_wechat_type',
  `wechat_type IS NULL OR wechat_type IN (${sqlList(WECHAT_TYPES)})`,
)
@Check(
  'ck_accounts_platform_ids',
  `(platform = 'wechat' AND weibo_uid IS NULL AND (wechat_original_id IS NOT NULL OR wechat_app_id IS NOT NULL))
   OR (platform = 'weibo' AND weibo_uid IS NOT NULL AND wechat_original_id IS NULL AND wechat_app_id IS NULL AND wechat_type IS NULL)`,
)
@Check('ck_accounts_closed_on', `(status = 'closed') = (closed_on IS NOT NULL)`)
@Index('ux_accounts_wechat_original_id', ['wechatOriginalId'], {
  unique: true,
  where: 'wechat_original_id IS NOT NULL',
})
@Index('ux_accounts_wechat_app_id', ['wechatAppId'], {
  unique: true,
  where: 'wechat_app_id IS NOT NULL',
})
// Trigram and GIN indexes are created in SQL; TypeORM must leave them alone.
@Index('ix_accounts_display_name_trgm', { synchronize: false })
@Index('ix_accounts_tags', { synchronize: false })
@Index('ux_accounts_weibo_uid', ['weiboUid'], { unique: true, where: 'weibo_uid IS NOT NULL' })
export class Account {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'text' })
  platform!: Platform;

  @Column({ name: 'wechat_original_id', type: 'text', nullable: true })
  wechatOriginalId!: string | null;

  @Column({ name: 'wechat_app_id', type: 'text', nullable: true })
  wechatAppId!: string | null;

  @Column({ name: 'weibo_uid', type: 'text', nullable: true })
  weiboUid!: string | null;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Index('ix_accounts_organization_id')
  @Column({ name: 'organization_id', type: 'integer' })
  organizationId!: number;

  @ManyToOne(() => Organization, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_accounts_organization' })
  organization?: Organization;

  @Column({ name: 'wechat_type', type: 'text', nullable: true })
  wechatType!: WechatType | null;

  @Column({ type: 'boolean', default: false })
  verified!: boolean;

  @Column({ type: 'text', default: 'active' })
  status!: AccountStatus;

  @Column({ name: 'opened_on', type: 'date', nullable: true })
  openedOn!: string | null;

  @Column({ name: 'status_changed_at', type: 'timestamptz', default: () => 'now()' })
  statusChangedAt!: Date;

  @Column({ name: 'closed_on', type: 'date', nullable: true })
  closedOn!: string | null;

  @Column({ name: 'data_source', type: 'text', default: 'official_api' })
  dataSource!: DataSource;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

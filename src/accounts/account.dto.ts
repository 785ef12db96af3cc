import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
} from 'class-validator';
import { IsCalendarDate } from '../common/calendar-date';
import { PageMeta } from '../common/pagination';
import { RegistryFilterQuery } from './organization.dto';
import {
  ACCOUNT_STATUSES,
  ADMIN_LEVELS,
  DATA_SOURCES,
  PLATFORMS,
  SECTORS,
  WECHAT_TYPES,
} from './account-taxonomy';
import type {
  AccountStatus,
  AdminLevel,
  DataSource,
  Platform,
  Sector,
  WechatType,
} from './account-taxonomy';
import {
  MAX_NAME_LENGTH,
  MAX_TAGS,
  MAX_TAG_LENGTH,
  WECHAT_APP_ID_PATTERN,
  WECHAT_ORIGINAL_ID_PATTERN,
  WEIBO_UID_PATTERN,
} from './account-rules';

export class CreateAccountDto {
  @ApiProperty({ enum: PLATFORMS })
  @IsIn(PLATFORMS)
  platform!: Platform;

  @ApiPropertyOptional({ description: 'WeChat original id (原始ID)', example: 'gh_1a2b3c4d5e6f' })
  @IsOptional()
  @Matches(WECHAT_ORIGINAL_ID_PATTERN, {
    message: 'wechatOriginalId must look like gh_1a2b3c4d5e6f',
  })
  wechatOriginalId?: string;

  @ApiPropertyOptional({ description: 'WeChat AppID', example: 'wx1234567890abcdef' })
  @IsOptional()
  @Matches(WECHAT_APP_ID_PATTERN, { message: 'wechatAppId must be wx followed by 16 hex digits' })
  wechatAppId?: string;

  @ApiPropertyOptional({ description: 'Weibo uid', example: '1234567890' })
  @IsOptional()
  @Matches(WEIBO_UID_PATTERN, { message: 'weiboUid must be the numeric Weibo uid' })
  weiboUid?: string;

  @ApiProperty({ example: '四川公安', maxLength: MAX_NAME_LENGTH })
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  displayName!: string;

  @ApiProperty({ description: 'Owning organization id' })
  @IsInt()
  @Min(1)
  organizationId!: number;

  @ApiPropertyOptional({ enum: WECHAT_TYPES, description: '订阅号 subscription / 服务号 service' })
  @IsOptional()
  @IsIn(WECHAT_TYPES)
  wechatType?: WechatType;

  @ApiPropertyOptional({ default: false, description: 'Verified (认证)' })
  @IsOptional()
  @IsBoolean()
  verified?: boolean;

  @ApiPropertyOptional({ enum: ['active', 'paused'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'paused'])
  status?: Exclude<AccountStatus, 'closed'>;

  @ApiPropertyOptional({ description: 'Date the account was opened (开通), YYYY-MM-DD' })
  @IsOptional()
  @IsCalendarDate()
  openedOn?: string;

  @ApiPropertyOptional({ enum: DATA_SOURCES, default: 'official_api' })
  @IsOptional()
  @IsIn(DATA_SOURCES)
  dataSource?: DataSource;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_TAGS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Length(1, MAX_TAG_LENGTH, { each: true })
  tags?: string[];
}

/** Platform is fixed once registered; ids may be completed or corrected. */
export class UpdateAccountDto extends PartialType(
  OmitType(CreateAccountDto, ['platform'] as const),
) {}

export class CloseAccountDto {
  @ApiPropertyOptional({ description: 'Date closed (YYYY-MM-DD, Asia/Shanghai); default today.' })
  @IsOptional()
  @IsCalendarDate()
  closedOn?: string;
}

export const ACCOUNT_SORTS = ['id', 'displayName', 'createdAt', 'updatedAt'] as const;

const toStringArray = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : value;

export class ListAccountsQuery extends RegistryFilterQuery {
  @ApiPropertyOptional({ enum: PLATFORMS })
  @IsOptional()
  @IsIn(PLATFORMS)
  platform?: Platform;

  @ApiPropertyOptional({ enum: ACCOUNT_STATUSES })
  @IsOptional()
  @IsIn(ACCOUNT_STATUSES)
  status?: AccountStatus;

  @ApiPropertyOptional({ enum: WECHAT_TYPES })
  @IsOptional()
  @IsIn(WECHAT_TYPES)
  wechatType?: WechatType;

  @ApiPropertyOptional({ enum: DATA_SOURCES })
  @IsOptional()
  @IsIn(DATA_SOURCES)
  dataSource?: DataSource;

  @ApiPropertyOptional({ description: 'Accounts carrying all these tags (comma-separated)' })
  @IsOptional()
  @Transform(toStringArray)
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  tags?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  organizationId?: number;

  @ApiPropertyOptional({ description: 'Substring of the display name, or an exact platform id' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional({ enum: ACCOUNT_SORTS, default: 'id' })
  @IsOptional()
  @IsIn(ACCOUNT_SORTS)
  sort: (typeof ACCOUNT_SORTS)[number] = 'id';
}

export class AccountOrganizationSummary {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) regionCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) regionName!: string | null;
  @ApiProperty({ enum: ADMIN_LEVELS }) level!: AdminLevel;
  @ApiProperty({ enum: SECTORS }) sector!: Sector;
}

export class AccountResponse {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty({ nullable: true, type: String }) wechatOriginalId!: string | null;
  @ApiProperty({ nullable: true, type: String }) wechatAppId!: string | null;
  @ApiProperty({ nullable: true, type: String }) weiboUid!: string | null;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: AccountOrganizationSummary }) organization!: AccountOrganizationSummary;
  @ApiProperty({ enum: WECHAT_TYPES, nullable: true }) wechatType!: WechatType | null;
  @ApiProperty() verified!: boolean;
  @ApiProperty({ enum: ACCOUNT_STATUSES }) status!: AccountStatus;
  @ApiProperty() statusChangedAt!: string;
  @ApiProperty({ nullable: true, type: String }) openedOn!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedOn!: string | null;
  @ApiProperty({
    enum: DATA_SOURCES,
    description: 'simulated = demo data from the built-in simulator',
  })
  dataSource!: DataSource;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class AccountPage extends PageMeta {
  @ApiProperty({ type: [AccountResponse] }) items!: AccountResponse[];
}

export interface AccountRow {
  id: number;
  platform: Platform;
  wechat_original_id: string | null;
  wechat_app_id: string | null;
  weibo_uid: string | null;
  display_name: string;
  organization_id: number;
  wechat_type: WechatType | null;
  verified: boolean;
  status: AccountStatus;
  status_changed_at: Date;
  opened_on: string | null;
  closed_on: string | null;
  data_source: DataSource;
  tags: string[];
  created_at: Date;
  updated_at: Date;
  org_name: string;
  org_region_code: string | null;
  org_region_name: string | null;
  org_level: AdminLevel;
  org_sector: Sector;
}

export function toAccountResponse(row: AccountRow): AccountResponse {
  return {
    id: row.id,
    platform: row.platform,
    wechatOriginalId: row.wechat_original_id,
    wechatAppId: row.wechat_app_id,
    weiboUid: row.weibo_uid,
    displayName: row.display_name,
    organization: {
      id: row.organization_id,
      name: row.org_name,
      regionCode: row.org_region_code,
      regionName: row.org_region_name,
      level: row.org_level,
      sector: row.org_sector,
    },
    wechatType: row.wechat_type,
    verified: row.verified,
    status: row.status,
    statusChangedAt: row.status_changed_at.toISOString(),
    openedOn: row.opened_on,
    closedOn: row.closed_on,
    dataSource: row.data_source,
    tags: row.tags,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

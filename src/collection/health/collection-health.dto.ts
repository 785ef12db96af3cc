import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { PLATFORMS, type Platform } from '../../accounts/account-taxonomy';
import { REGION_CODE_PATTERN } from '../../accounts/account-rules';
import { IsCalendarDate } from '../../common/calendar-date';
import { CursorPageQuery, PageMeta, PageQuery } from '../../common/pagination';
import { PLATFORM_ERROR_CLASSES } from '../../platforms/platform-error';
import { COLLECTION_TASKS, type CollectionTask } from '../collection-contracts';
import { HEALTH_STATES } from './collection-health';

export const HEALTH_FILTER_STATES = [...HEALTH_STATES, 'never'] as const;
export type HealthFilterState = (typeof HEALTH_FILTER_STATES)[number];
export const CREDENTIAL_STATES = ['valid', 'expired', 'revoked', 'never'] as const;
export const RUN_OUTCOMES = ['ok', 'failed', 'running'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
export const MAX_TRIGGER_ACCOUNTS = 10_000;

// ---------------------------------------------------------------- GET /health

export class CollectionHealthQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PLATFORMS })
  @IsOptional()
  @IsIn(PLATFORMS)
  platform?: Platform;

  @ApiPropertyOptional({
    enum: HEALTH_FILTER_STATES,
    description: 'Per-account list only; never = not collected yet (no health row).',
  })
  @IsOptional()
  @IsIn(HEALTH_FILTER_STATES)
  state?: HealthFilterState;

  @ApiPropertyOptional({
    description: 'Region code; matches its whole subtree.',
    example: '510000',
  })
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-digit GB/T 2260 code' })
  region?: string;
}

export class HealthCounts {
  @ApiProperty() total!: number;
  @ApiProperty() ok!: number;
  @ApiProperty() failing!: number;
  @ApiProperty() quotaExhausted!: number;
  @ApiProperty() dead!: number;
  @ApiProperty({ description: 'Not collected yet (no health row).' }) never!: number;
  @ApiProperty() up!: number;
  @ApiProperty({ description: 'Health row with up = false.' }) down!: number;
  @ApiProperty({ description: 'data_as_of before staleBefore, or no data yet.' }) stale!: number;
  @ApiProperty({ nullable: true, type: String, example: '2026-11-20' })
  oldestDataAsOf!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026-11-21' })
  newestDataAsOf!: string | null;
}

export class PlatformHealthSummary extends HealthCounts {
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
}

export class ProvinceHealthSummary extends HealthCounts {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Province-level code (xx0000) of the organization; null for central bodies.',
  })
  regionCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) regionName!: string | null;
}

export class AccountHealthItem {
  @ApiProperty() accountId!: number;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty({ nullable: true, type: String }) regionCode!: string | null;
  @ApiProperty({ enum: HEALTH_FILTER_STATES }) state!: HealthFilterState;
  @ApiProperty({ nullable: true, type: Boolean, description: 'null when never collected.' })
  up!: boolean | null;
  @ApiProperty({ nullable: true, type: String, description: 'Newest business day stored.' })
  dataAsOf!: string | null;
  @ApiProperty({ description: 'dataAsOf before staleBefore, or no data yet.' }) stale!: boolean;
  @ApiProperty({ nullable: true, type: String }) lastSuccessAt!: string | null;
  @ApiProperty({ nullable: true, enum: PLATFORM_ERROR_CLASSES, type: String })
  lastErrorClass!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastErrorCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastErrorMessage!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastErrorAt!: string | null;
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty({ enum: CREDENTIAL_STATES }) credentialState!: (typeof CREDENTIAL_STATES)[number];
}

export class AccountHealthPage extends PageMeta {
  @ApiProperty({ type: [AccountHealthItem] }) items!: AccountHealthItem[];
}

export class CollectionHealthResponse {
  @ApiProperty({ description: 'When the summary was computed (database time).' })
  generatedAt!: string;
  @ApiProperty({
    example: '2026-11-21',
    description: 'Daily data older than this business day (yesterday, Asia/Shanghai) is stale.',
  })
  staleBefore!: string;
  @ApiProperty({ type: [PlatformHealthSummary] }) byPlatform!: PlatformHealthSummary[];
  @ApiProperty({ type: [ProvinceHealthSummary] }) byProvince!: ProvinceHealthSummary[];
  @ApiProperty({ type: AccountHealthPage }) accounts!: AccountHealthPage;
}

// ---------------------------------------------------------------- GET /runs

export class ScheduleRunsQuery extends CursorPageQuery {
  @ApiPropertyOptional({ description: 'Schedule name, e.g. wechat.daily' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  schedule?: string;

  @ApiPropertyOptional({ enum: RUN_OUTCOMES, description: 'running = not finished yet' })
  @IsOptional()
  @IsIn(RUN_OUTCOMES)
  outcome?: RunOutcome;
}

export class ScheduleRunItem {
  @ApiProperty() schedule!: string;
  @ApiProperty({ description: 'The fire time the run is for.' }) slot!: string;
  @ApiProperty() claimedBy!: string;
  @ApiProperty() claimedAt!: string;
  @ApiProperty({ description: 'Claimed late, after a downtime.' }) backfilled!: boolean;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ enum: RUN_OUTCOMES }) outcome!: RunOutcome;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'finishedAt − claimedAt.' })
  durationSeconds!: number | null;
}

export class ScheduleRunPage extends PageMeta {
  @ApiProperty({ type: [ScheduleRunItem] }) items!: ScheduleRunItem[];
}

// ---------------------------------------------------------------- backfills

export class BackfillRunsQuery extends CursorPageQuery {}

export class BackfillRunItem {
  @ApiProperty() id!: number;
  @ApiProperty() requestedBy!: string;
  @ApiProperty({ example: '2026-08-23' }) fromDay!: string;
  @ApiProperty({ example: '2026-11-21' }) toDay!: string;
  @ApiProperty() accounts!: number;
  @ApiProperty({ description: 'Account-days to collect.' }) totalDays!: number;
  @ApiProperty() doneDays!: number;
  @ApiProperty({ description: 'doneDays / totalDays × 100 (100 when there is nothing to do).' })
  percent!: number;
  @ApiProperty({ description: 'Account-days per second since createdAt (until finishedAt).' })
  daysPerSecond!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Seconds to completion at the current rate; 0 when finished, null while the rate is 0.',
  })
  etaSeconds!: number | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}

export class BackfillRunPage extends PageMeta {
  @ApiProperty({ type: [BackfillRunItem] }) items!: BackfillRunItem[];
}

// ---------------------------------------------------------------- POST trigger / backfill

export class TriggerCollectionDto {
  @ApiPropertyOptional({ enum: COLLECTION_TASKS, description: 'Default: every task.' })
  @IsOptional()
  @IsIn(COLLECTION_TASKS)
  task?: CollectionTask;

  @ApiPropertyOptional({
    type: [Number],
    maxItems: MAX_TRIGGER_ACCOUNTS,
    description: 'Default: every active account of the task’s platform (in the key’s scope).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TRIGGER_ACCOUNTS)
  @IsInt({ each: true })
  @Min(1, { each: true })
  accountIds?: number[];

  @ApiPropertyOptional({
    example: '2026-11-21',
    description:
      'Last business day to collect (YYYY-MM-DD, not in the future). Default: the task’s usual day.',
  })
  @IsOptional()
  @IsCalendarDate()
  day?: string;

  @ApiPropertyOptional({ description: 'Re-arm dead-lettered accounts first.', default: false })
  @IsOptional()
  @IsBoolean()
  reset?: boolean;
}

export class BackfillDto {
  @ApiPropertyOptional({
    type: [Number],
    maxItems: MAX_TRIGGER_ACCOUNTS,
    description: 'Default: every active account (in the key’s scope).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TRIGGER_ACCOUNTS)
  @IsInt({ each: true })
  @Min(1, { each: true })
  accountIds?: number[];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 365,
    description: 'Days back from yesterday. Default: BACKFILL_DAYS.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  days?: number;
}

export class TriggerResponse {
  @ApiProperty() jobs!: number;
  @ApiProperty() accounts!: number;
  @ApiProperty({ enum: COLLECTION_TASKS, isArray: true }) tasks!: CollectionTask[];
}

export class BackfillResponse {
  @ApiProperty() runId!: number;
  @ApiProperty() accounts!: number;
  @ApiProperty() fromDay!: string;
  @ApiProperty() toDay!: string;
  @ApiProperty() jobs!: number;
}

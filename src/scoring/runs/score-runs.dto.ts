import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PLATFORMS, type Platform } from '../../accounts/account-taxonomy';
import { IsCalendarDate } from '../../common/calendar-date';
import { CursorPageQuery, PageMeta } from '../../common/pagination';
import { BCI_VERSIONS } from '../formulas/bci';
import { WCI_VERSIONS } from '../formulas/wci';
import { PERIOD_TYPES, type PeriodType, type WeekStart } from '../periods';
import type { FormulaVersion } from './score-run.sql';
import type { ScoreRunRecord, ScoreRunStatus, ScoreRunTrigger } from './score-run.service';

export const FORMULA_VERSIONS: readonly FormulaVersion[] = [...WCI_VERSIONS, ...BCI_VERSIONS];
export const WEEK_STARTS: readonly WeekStart[] = ['monday', 'sunday'];
export const RUN_STATUSES: readonly ScoreRunStatus[] = ['running', 'done', 'failed'];
export const RUN_TRIGGERS: readonly ScoreRunTrigger[] = ['schedule', 'manual', 'data_change'];
const PERIOD_KEY_PATTERN = /^\d{4}(-(Q[1-4]|W\d{2}|\d{2}(-\d{2}(~\d{4}-\d{2}-\d{2})?)?))?$/;
const PERIOD_KEY_MESSAGE =
  "periodKey must look like '2026-12-01', '2026-W48', '2026-11-29~2026-12-05', '2026-11', '2026-Q4' or '2026'";

// ---------------------------------------------------------------- POST /recompute

export class RecomputeScoresDto {
  @ApiPropertyOptional({ enum: PLATFORMS, description: 'Default: both (each with its formula).' })
  @IsOptional()
  @IsIn(PLATFORMS)
  platform?: Platform;

  @ApiProperty({ enum: PERIOD_TYPES })
  @IsIn(PERIOD_TYPES)
  periodType!: PeriodType;

  @ApiPropertyOptional({
    example: '2026-11-20',
    description: 'Any business day (Asia/Shanghai) in the period. Give date or periodKey.',
  })
  @IsOptional()
  @IsCalendarDate()
  date?: string;

  @ApiPropertyOptional({
    example: '2026-W47',
    description:
      "The period's canonical key: '2026-12-01', '2026-W48' (Monday week), '2026-11-29~2026-12-05' (Sunday week), '2026-11', '2026-Q4', '2026'.",
  })
  @IsOptional()
  @IsString()
  @Matches(PERIOD_KEY_PATTERN, { message: PERIOD_KEY_MESSAGE })
  periodKey?: string;

  @ApiPropertyOptional({
    enum: WEEK_STARTS,
    description:
      'Weeks given by date: Monday–Sunday or Sunday–Saturday (default SCORING_WEEK_START).',
  })
  @IsOptional()
  @IsIn(WEEK_STARTS)
  weekStart?: WeekStart;

  @ApiPropertyOptional({
    enum: FORMULA_VERSIONS,
    description:
      'Default: SCORING_WCI_VERSION for WeChat, bci-2021 for Weibo. A WCI version without platform means WeChat only.',
  })
  @IsOptional()
  @IsIn(FORMULA_VERSIONS)
  formulaVersion?: FormulaVersion;
}

// ---------------------------------------------------------------- GET /runs

export class ScoreRunsQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: PLATFORMS })
  @IsOptional()
  @IsIn(PLATFORMS)
  platform?: Platform;

  @ApiPropertyOptional({ enum: PERIOD_TYPES })
  @IsOptional()
  @IsIn(PERIOD_TYPES)
  periodType?: PeriodType;

  @ApiPropertyOptional({ example: '2026-W47' })
  @IsOptional()
  @IsString()
  @Length(4, 21)
  @Matches(PERIOD_KEY_PATTERN, { message: PERIOD_KEY_MESSAGE })
  periodKey?: string;

  @ApiPropertyOptional({ enum: FORMULA_VERSIONS })
  @IsOptional()
  @IsIn(FORMULA_VERSIONS)
  formulaVersion?: FormulaVersion;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: ScoreRunStatus;

  @ApiPropertyOptional({ enum: RUN_TRIGGERS })
  @IsOptional()
  @IsIn(RUN_TRIGGERS)
  trigger?: ScoreRunTrigger;

  @ApiPropertyOptional({
    example: '2026-11-01',
    description: 'Runs of periods ending on or after.',
  })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({
    example: '2026-11-30',
    description: 'Runs of periods starting on or before.',
  })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class ScoreRunItem implements ScoreRunRecord {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty({ enum: PERIOD_TYPES }) periodType!: PeriodType;
  @ApiProperty({ example: '2026-W47' }) periodKey!: string;
  @ApiProperty({ enum: WEEK_STARTS, description: "'monday' for all but Sunday weeks." })
  weekStart!: WeekStart;
  @ApiProperty({ example: '2026-11-16' }) periodStart!: string;
  @ApiProperty({ example: '2026-11-22' }) periodEnd!: string;
  @ApiProperty({ enum: FORMULA_VERSIONS }) formulaVersion!: string;
  @ApiProperty({ example: 'activity-v1' }) activityVersion!: string;
  @ApiProperty({ description: 'Post snapshot age used: 1 (day; T+2 fallback) or 7.' })
  snapshotAge!: number;
  @ApiProperty({ enum: RUN_TRIGGERS }) trigger!: ScoreRunTrigger;
  @ApiProperty({ enum: RUN_STATUSES }) status!: ScoreRunStatus;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Score rows inserted, changed or removed (0: a recompute over unchanged inputs).',
  })
  accounts!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Accounts in the period’s ranking.' })
  accountsScored!: number | null;
  @ApiProperty({ nullable: true, type: String }) requestedBy!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why a data_change run ran.' })
  cause!: string | null;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export class ScoreRunPage extends PageMeta {
  @ApiProperty({ type: [ScoreRunItem] }) items!: ScoreRunItem[];
}

export class RecomputeResponse {
  @ApiProperty({ type: [ScoreRunItem], description: 'One run per platform recomputed.' })
  runs!: ScoreRunItem[];
}

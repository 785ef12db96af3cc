import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { REGION_CODE_PATTERN } from '../../accounts/account-rules';
import {
  ADMIN_LEVELS,
  type AdminLevel,
  PLATFORMS,
  type Platform,
  SECTORS,
  type Sector,
} from '../../accounts/account-taxonomy';
import { EXPORT_FORMATS, type ExportFormat } from '../../exports/export-format';
import { REGION_TIERS, type RegionTier } from '../../regions/region-catalog';
import { PERIOD_TYPES, type PeriodType, type WeekStart } from '../periods';
import { FORMULA_VERSIONS, type FormulaVersion } from './score-period';

/** Which period: its type and a day in it (or its key); default the latest closed period with a run. */
export class PeriodQuery {
  @ApiPropertyOptional({
    enum: PERIOD_TYPES,
    default: 'week',
    description: 'Period type; weeks Monday–Sunday unless weekStart=sunday, calendar months.',
  })
  @IsOptional()
  @IsIn(PERIOD_TYPES)
  period: PeriodType = 'week';

  @ApiPropertyOptional({
    description:
      'A day inside the period (YYYY-MM-DD, Asia/Shanghai) or the period key (2026-W48, 2026-11-29~2026-12-05, 2026-11, 2026-Q4, 2026). ' +
      'Default: the latest closed period (its end plus the snapshot age, T+1 or T+7, has passed) that has a finished score run; the latest open one when none is closed.',
    example: '2026-11-23',
  })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  date?: string;

  @ApiPropertyOptional({
    enum: ['monday', 'sunday'],
    description:
      'First day of a week (Sunday–Saturday is 清博’s week); default SCORING_WEEK_START (monday). A week key names its own.',
  })
  @IsOptional()
  @IsIn(['monday', 'sunday'])
  weekStart?: WeekStart;
}

/** Registry filters; the API key's region scope applies on top of them. */
export class FilteredPeriodQuery extends PeriodQuery {
  @ApiPropertyOptional({
    description: 'Region code of the organization; matches its whole subtree.',
    example: '510000',
  })
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-digit GB/T 2260 code' })
  region?: string;

  @ApiPropertyOptional({
    enum: REGION_TIERS,
    description:
      'Tier of the organization’s region (直辖市, 省, 自治区, 副省级/省会, 地级市, 自治州, 地区, 盟).',
  })
  @IsOptional()
  @IsIn(REGION_TIERS)
  tier?: RegionTier;

  @ApiPropertyOptional({
    enum: ADMIN_LEVELS,
    description: 'Administrative level of the organization',
  })
  @IsOptional()
  @IsIn(ADMIN_LEVELS)
  level?: AdminLevel;

  @ApiPropertyOptional({ enum: SECTORS, description: 'Sector of the organization' })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: Sector;
}

/** One platform's board. */
export class ScoreQuery extends FilteredPeriodQuery {
  @ApiProperty({ enum: PLATFORMS })
  @IsIn(PLATFORMS)
  platform!: Platform;

  @ApiPropertyOptional({
    enum: FORMULA_VERSIONS,
    description:
      'Formula version of the run; default SCORING_WCI_VERSION (wci-v14.2) for WeChat, bci-2021 for Weibo.',
  })
  @IsOptional()
  @IsIn(FORMULA_VERSIONS)
  formulaVersion?: FormulaVersion;
}

export class ExportFormatQuery {
  @ApiPropertyOptional({
    enum: EXPORT_FORMATS,
    description:
      'json (default), csv (UTF-8 with BOM) or xlsx; an Accept header of text/csv or ' +
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet does the same.',
  })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}

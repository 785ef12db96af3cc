import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PLATFORMS, type Platform } from '../../accounts/account-taxonomy';
import { PageMeta } from '../../common/pagination';
import { WCI_VERSIONS, type WciVersion } from '../formulas/wci';
import { NORMALIZATIONS, type Normalization } from './composite';
import {
  BoardOrganizationResponse,
  BoardPageQuery,
  BoardPeriodResponse,
  ScoreRunResponse,
} from './leaderboard.dto';
import { FilteredPeriodQuery } from './score-query.dto';

export class OrganizationLeaderboardQuery extends IntersectionType(
  FilteredPeriodQuery,
  BoardPageQuery,
) {
  @ApiPropertyOptional({
    description:
      'Platform weights, e.g. wechat:50,weibo:50 (the default); a platform left out weighs 0.',
    example: 'wechat:50,weibo:50',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  weights?: string;

  @ApiPropertyOptional({
    enum: NORMALIZATIONS,
    default: 'percentile',
    description:
      'How WCI and BCI are made comparable before weighting, within the period and the filtered accounts of each platform: ' +
      'percentile = 100 × share of the other scored accounts with a lower score (best 100, worst 0); ' +
      'minmax = 100 × (score − min) / (max − min).',
  })
  @IsOptional()
  @IsIn(NORMALIZATIONS)
  normalize: Normalization = 'percentile';

  @ApiPropertyOptional({
    enum: WCI_VERSIONS,
    description: 'WCI version of the WeChat run (default wci-v14.2); Weibo uses bci-2021.',
  })
  @IsOptional()
  @IsIn(WCI_VERSIONS)
  formulaVersion?: WciVersion;
}

export class OrganizationPlatformScore {
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty() weight!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Normalized score (0–100) of the organization’s best account; null: no scored account (counts 0)',
  })
  normalized!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'That account’s WCI or BCI' })
  score!: number | null;
  @ApiProperty({ nullable: true, type: Number }) accountId!: number | null;
  @ApiProperty({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty({ description: 'Scored accounts of the organization on the platform' })
  accounts!: number;
}

export class OrganizationBoardEntry {
  @ApiProperty({
    description: 'Competition rank on the composite (2 decimals), then reads, max reads, posts',
  })
  rank!: number;
  @ApiProperty({ nullable: true, type: Number }) previousRank!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Places moved up (negative: down)' })
  rankChange!: number | null;
  @ApiProperty({ type: BoardOrganizationResponse }) organization!: BoardOrganizationResponse;
  @ApiProperty({ description: 'Σ weight × normalized ÷ Σ weight, 0–100, 2 decimals' })
  composite!: number;
  @ApiProperty({ type: [OrganizationPlatformScore] }) platforms!: OrganizationPlatformScore[];
  @ApiProperty({ type: [String], description: 'Weighted platforms without a scored account' })
  missingPlatforms!: Platform[];
  @ApiProperty({ description: 'A counted account has partly collected data' }) partial!: boolean;
  @ApiProperty({ description: 'A counted account is stale (no post for 14 days)' }) stale!: boolean;
}

export class OrganizationRunsResponse {
  @ApiProperty({ type: ScoreRunResponse, nullable: true }) wechat!: ScoreRunResponse | null;
  @ApiProperty({ type: ScoreRunResponse, nullable: true }) weibo!: ScoreRunResponse | null;
}

export class OrganizationLeaderboardResponse extends PageMeta {
  @ApiProperty({ type: BoardPeriodResponse }) period!: BoardPeriodResponse;
  @ApiProperty({ type: BoardPeriodResponse }) previousPeriod!: BoardPeriodResponse;
  @ApiProperty({
    description: 'Every weighted platform has a finished run for the previous period',
  })
  previousAvailable!: boolean;
  @ApiProperty({ example: { wechat: 50, weibo: 50 } }) weights!: Record<Platform, number>;
  @ApiProperty({ enum: NORMALIZATIONS }) normalize!: Normalization;
  @ApiProperty({
    type: OrganizationRunsResponse,
    description: 'Runs served, per weighted platform',
  })
  runs!: OrganizationRunsResponse;
  @ApiProperty({ description: 'Organizations on the board (after filters and region scope)' })
  organizations!: number;
  @ApiProperty({ type: [OrganizationBoardEntry] }) items!: OrganizationBoardEntry[];
}

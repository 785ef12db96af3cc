import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PLATFORMS, type Platform } from '../accounts/account-taxonomy';
import { BoardPeriodResponse, ScoreRunResponse } from '../scoring/leaderboards/leaderboard.dto';
import { ExportFormatQuery, ScoreQuery } from '../scoring/leaderboards/score-query.dto';

export const DISTRIBUTION_GROUPINGS = ['province', 'level', 'sector', 'accountType'] as const;
export type DistributionGrouping = (typeof DISTRIBUTION_GROUPINGS)[number];

export class DistributionQuery extends IntersectionType(ScoreQuery, ExportFormatQuery) {
  @ApiPropertyOptional({
    enum: DISTRIBUTION_GROUPINGS,
    default: 'province',
    description:
      'province (central bodies as "central" 中央), level, sector, or accountType (订阅号/服务号, WeChat only).',
  })
  @IsOptional()
  @IsIn(DISTRIBUTION_GROUPINGS)
  by: DistributionGrouping = 'province';
}

export class GrowthResponse {
  @ApiProperty({ nullable: true, type: Number, description: 'Value a year earlier' })
  previous!: number | null;
  @ApiProperty({ nullable: true, type: Number }) change!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'null when previous is 0 or unknown' })
  changePct!: number | null;
}

export class DistributionGrowthResponse {
  @ApiProperty({ type: GrowthResponse }) accounts!: GrowthResponse;
  @ApiProperty({ type: GrowthResponse }) followers!: GrowthResponse;
  @ApiProperty({ type: GrowthResponse }) reads!: GrowthResponse;
  @ApiProperty({ type: GrowthResponse }) millionFollowerAccounts!: GrowthResponse;
  @ApiProperty({ type: GrowthResponse }) tenWanPlusArticles!: GrowthResponse;
}

export class DistributionGroupResponse {
  @ApiProperty({
    description: 'Province code, level, sector or account type; "total" for the total',
  })
  key!: string;
  @ApiProperty({ example: '四川省' }) label!: string;
  @ApiProperty({ description: 'Accounts in the run' }) accounts!: number;
  @ApiProperty({ description: 'accounts ÷ all accounts × 100' }) sharePct!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Sum of followers at the period end' })
  followers!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Over accounts with a follower count' })
  meanFollowers!: number | null;
  @ApiProperty({ description: 'Accounts with ≥ 1,000,000 followers (百万粉丝+)' })
  millionFollowerAccounts!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Sum of R (10万+ counted as 100001)' })
  reads!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Posts of the period with ≥ 100001 reads at the run’s snapshot age; null when no post reads are stored',
  })
  tenWanPlusArticles!: number | null;
  @ApiProperty({ description: 'Accounts whose most-read post is 10万+ (Rmax ≥ 100001)' })
  tenWanPlusAccounts!: number;
  @ApiProperty({
    type: DistributionGrowthResponse,
    nullable: true,
    description: 'Against the same period a year earlier; null without a run for it',
  })
  growth!: DistributionGrowthResponse | null;
}

export class DistributionResponse {
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty({ enum: DISTRIBUTION_GROUPINGS }) by!: DistributionGrouping;
  @ApiProperty({ type: BoardPeriodResponse }) period!: BoardPeriodResponse;
  @ApiProperty({ type: ScoreRunResponse }) run!: ScoreRunResponse;
  @ApiProperty({ type: BoardPeriodResponse, description: 'periods.ts samePeriodLastYear' })
  lastYearPeriod!: BoardPeriodResponse;
  @ApiProperty({ type: ScoreRunResponse, nullable: true }) lastYearRun!: ScoreRunResponse | null;
  @ApiProperty({ type: DistributionGroupResponse }) total!: DistributionGroupResponse;
  @ApiProperty({ type: [DistributionGroupResponse] }) groups!: DistributionGroupResponse[];
}

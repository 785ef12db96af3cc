import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PLATFORMS, type Platform } from '../accounts/account-taxonomy';
import { BoardPeriodResponse, ScoreRunResponse } from '../scoring/leaderboards/leaderboard.dto';
import { ExportFormatQuery, ScoreQuery } from '../scoring/leaderboards/score-query.dto';
import {
  ACTIVITY_MEASURES,
  type ActivityMeasure,
  MATURITY_GROUPINGS,
  type MaturityGrouping,
} from './maturity-request';
import { QUADRANTS, type Movement, type Quadrant } from './quadrant';

export const MOVEMENTS = ['new', 'same', 'up', 'down', 'sideways'] as const;

export class MaturityMatrixQuery extends IntersectionType(ScoreQuery, ExportFormatQuery) {
  @ApiPropertyOptional({
    enum: MATURITY_GROUPINGS,
    default: 'sector',
    description:
      'Groups: sector (the white paper’s), level, or region — provinces, or, when region (or the key’s scope) narrows the board, the organizations’ own regions.',
  })
  @IsOptional()
  @IsIn(MATURITY_GROUPINGS)
  groupBy: MaturityGrouping = 'sector';

  @ApiPropertyOptional({
    description:
      'How the axes are split: median (default) or mean of the groups, or fixed "<accounts>,<activity>" such as 1000,2.5. A value equal to its threshold counts as high.',
    example: 'median',
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  threshold?: string;

  @ApiPropertyOptional({
    enum: ACTIVITY_MEASURES,
    default: 'reads_per_post_per_1k_followers',
    description:
      'y axis: reads_per_post_per_1k_followers (median R ÷ n ÷ followers × 1000, default), activity_score (median), mean_score (mean WCI/BCI), reads_per_follower (median R ÷ followers).',
  })
  @IsOptional()
  @IsIn(ACTIVITY_MEASURES)
  activity: ActivityMeasure = 'reads_per_post_per_1k_followers';
}

export class ThresholdsResponse {
  @ApiProperty({ description: 'Accounts: a group with at least this many is "many"' }) x!: number;
  @ApiProperty({ description: 'Activity: a group with at least this is "high"' }) y!: number;
}

export class MaturityPreviousResponse {
  @ApiProperty() accounts!: number;
  @ApiProperty({ nullable: true, type: Number }) activity!: number | null;
  @ApiProperty({ enum: QUADRANTS, nullable: true, type: String }) quadrant!: Quadrant | null;
  @ApiProperty({ nullable: true, type: String }) quadrantLabel!: string | null;
}

export class MaturityGroupResponse {
  @ApiProperty({ description: 'Sector or level code, region code, or "central" (中央)' })
  key!: string;
  @ApiProperty({ example: '公安' }) label!: string;
  @ApiProperty({ description: 'x: accounts of the group in the run' }) accounts!: number;
  @ApiProperty({ description: 'Accounts the activity measure could use' })
  measuredAccounts!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'y: null when no account has the data',
  })
  activity!: number | null;
  @ApiProperty({
    enum: QUADRANTS,
    nullable: true,
    type: String,
    description:
      'active 活跃, potential 潜力, dormant 待激活, to_promote 待推广; null without activity',
  })
  quadrant!: Quadrant | null;
  @ApiProperty({ nullable: true, type: String }) quadrantLabel!: string | null;
  @ApiProperty({
    type: MaturityPreviousResponse,
    nullable: true,
    description: 'In the previous period',
  })
  previous!: MaturityPreviousResponse | null;
  @ApiProperty({
    enum: MOVEMENTS,
    nullable: true,
    type: String,
    description:
      'Since the previous period: new, same, up, down, sideways (潜力 ↔ 待推广); null without a quadrant now',
  })
  movement!: Movement | null;
}

export class ActivityMeasureResponse {
  @ApiProperty({ enum: ACTIVITY_MEASURES }) code!: ActivityMeasure;
  @ApiProperty() label!: string;
  @ApiProperty() description!: string;
}

export class MaturityMatrixResponse {
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty({ type: BoardPeriodResponse }) period!: BoardPeriodResponse;
  @ApiProperty({ type: BoardPeriodResponse }) previousPeriod!: BoardPeriodResponse;
  @ApiProperty() previousAvailable!: boolean;
  @ApiProperty({ type: ScoreRunResponse }) run!: ScoreRunResponse;
  @ApiProperty({ enum: MATURITY_GROUPINGS }) groupBy!: MaturityGrouping;
  @ApiProperty({ type: ActivityMeasureResponse }) activity!: ActivityMeasureResponse;
  @ApiProperty({ enum: ['median', 'mean', 'fixed'] }) thresholdRule!: 'median' | 'mean' | 'fixed';
  @ApiProperty({
    type: ThresholdsResponse,
    nullable: true,
    description: 'null: no group has activity',
  })
  thresholds!: ThresholdsResponse | null;
  @ApiProperty({ type: ThresholdsResponse, nullable: true })
  previousThresholds!: ThresholdsResponse | null;
  @ApiProperty({ type: [MaturityGroupResponse] }) groups!: MaturityGroupResponse[];
}

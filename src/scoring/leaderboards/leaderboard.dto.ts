import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import {
  type AdminLevel,
  PLATFORMS,
  type Platform,
  SECTOR_LABELS,
  type Sector,
  WECHAT_TYPES,
  type WechatType,
} from '../../accounts/account-taxonomy';
import { dayNumber } from '../../common/calendar-date';
import { PageMeta } from '../../common/pagination';
import { PERIOD_TYPES, type Period, type WeekStart } from '../periods';
import { rankChange } from '../ranking';
import { regionLabel } from './labels';
import type { ScoreRun } from './score-run.reader';
import { ExportFormatQuery, ScoreQuery } from './score-query.dto';

export const LEADERBOARD_METRICS = ['wci', 'bci', 'activity', 'followers', 'reads'] as const;
export type LeaderboardMetric = (typeof LEADERBOARD_METRICS)[number];

export const MAX_LEADERBOARD_PAGE = 500;
/** A CSV/XLSX download holds the whole board up to this many rows. */
export const MAX_LEADERBOARD_EXPORT = 50_000;
export const DEFAULT_LEADERBOARD_PAGE = 50;

/** Page size and cursor shared by the account and organization boards. */
export class BoardPageQuery extends ExportFormatQuery {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_LEADERBOARD_EXPORT,
    description: `Rows per page: default ${DEFAULT_LEADERBOARD_PAGE}, at most ${MAX_LEADERBOARD_PAGE} as JSON; a csv/xlsx download defaults to the whole board (at most ${MAX_LEADERBOARD_EXPORT}).`,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LEADERBOARD_EXPORT, {
    message: `limit must not be greater than ${MAX_LEADERBOARD_EXPORT} (${MAX_LEADERBOARD_PAGE} for JSON pages)`,
  })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class LeaderboardQuery extends IntersectionType(ScoreQuery, BoardPageQuery) {
  @ApiPropertyOptional({
    enum: LEADERBOARD_METRICS,
    description:
      'What the board ranks: wci (WeChat) / bci (Weibo) — the default, activity (activity_score), followers, reads (total reads R).',
  })
  @IsOptional()
  @IsIn(LEADERBOARD_METRICS)
  metric?: LeaderboardMetric;

  @ApiPropertyOptional({
    enum: WECHAT_TYPES,
    description: 'WeChat account type: subscription 订阅号 / service 服务号 (WeChat only).',
  })
  @IsOptional()
  @IsIn(WECHAT_TYPES)
  accountType?: WechatType;
}

export class BoardPeriodResponse {
  @ApiProperty({ enum: PERIOD_TYPES }) type!: string;
  @ApiProperty({ example: '2026-W48' }) key!: string;
  @ApiProperty() start!: string;
  @ApiProperty() end!: string;
  @ApiProperty({ enum: ['monday', 'sunday'] }) weekStart!: string;
}

export class ScoreRunResponse {
  @ApiProperty({ description: 'score_runs.id the board was served from' }) id!: number;
  @ApiProperty({ example: 'wci-v14.2' }) formulaVersion!: string;
  @ApiProperty({ example: 'activity-v1' }) activityVersion!: string;
  @ApiProperty({ description: 'Article age (T+n) of the post values used' }) snapshotAge!: number;
  @ApiProperty({ enum: ['schedule', 'manual', 'data_change'] }) trigger!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Rows the run wrote' })
  accounts!: number | null;
  @ApiProperty({ format: 'date-time', description: 'When the run finished' }) computedAt!: string;
}

export function toScoreRunResponse(run: ScoreRun): ScoreRunResponse {
  return {
    id: run.id,
    formulaVersion: run.formulaVersion,
    activityVersion: run.activityVersion,
    snapshotAge: run.snapshotAge,
    trigger: run.trigger,
    accounts: run.accounts,
    computedAt: run.computedAt,
  };
}

export class BoardRegionResponse {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Province of a prefecture' })
  provinceName!: string | null;
  @ApiProperty({ description: 'As printed: "四川省 成都市"' }) label!: string;
}

export class BoardOrganizationResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() level!: AdminLevel;
  @ApiProperty() sector!: Sector;
  @ApiProperty() sectorLabel!: string;
  @ApiProperty({ type: BoardRegionResponse, nullable: true, description: 'null: a central body' })
  region!: BoardRegionResponse | null;
}

export class BoardAccountResponse {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: WECHAT_TYPES, nullable: true, type: String })
  accountType!: WechatType | null;
  @ApiProperty({ type: BoardOrganizationResponse }) organization!: BoardOrganizationResponse;
}

/** The score's inputs as stored; null means the source does not give it (never 0 for missing). */
export class ScoreInputsResponse {
  @ApiProperty({ description: 'n: posts in the period' }) posts!: number;
  @ApiProperty({ description: 'nt: headline posts (position 1)' }) headlinePosts!: number;
  @ApiProperty() activeDays!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'R: total reads (10万+ = 100001)' })
  totalReads!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Rt: headline reads' })
  headlineReads!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Rmax: most-read post' })
  maxReads!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'R / n' })
  avgReads!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: '在看' }) zaikan!: number | null;
  @ApiProperty({ nullable: true, type: Number }) likes!: number | null;
  @ApiProperty({ nullable: true, type: Number }) shares!: number | null;
  @ApiProperty({ nullable: true, type: Number }) comments!: number | null;
  @ApiProperty({ nullable: true, type: Number }) reposts!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'At the period end' })
  followers!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Since the day before the period' })
  followersChange!: number | null;
}

export class BoardQualityResponse {
  @ApiProperty({ description: 'Some day of the period is missing or partly collected' })
  partial!: boolean;
  @ApiProperty({ description: 'No post for 14 days or more at the period end (停更)' })
  stale!: boolean;
  @ApiProperty({ description: 'No post for 90 days or more' }) dormant!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Last day with stored data' })
  dataAsOf!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Days the data stops short of the period end (0 = complete); null with no data',
  })
  lagDays!: number | null;
}

export class LeaderboardEntry {
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Competition rank ("1224"); null when the metric is not computable (e.g. no post: no WCI)',
  })
  rank!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Rank in the previous period, same filters',
  })
  previousRank!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Places moved up since the previous period (negative: down); null for a newcomer',
  })
  rankChange!: number | null;
  @ApiProperty({ type: BoardAccountResponse }) account!: BoardAccountResponse;
  @ApiProperty({ nullable: true, type: Number, description: 'The ranked metric’s value' })
  value!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'WCI (WeChat) or BCI (Weibo)' })
  score!: number | null;
  @ApiProperty({ type: [String], description: 'Inputs the score used' })
  scoreInputsUsed!: string[];
  @ApiProperty({ type: [String], description: 'Inputs the source does not give' })
  scoreInputsMissing!: string[];
  @ApiProperty({ description: 'activity-v1 score, 0–100' }) activityScore!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'null: never posted' })
  daysSinceLastPost!: number | null;
  @ApiProperty({ type: ScoreInputsResponse }) inputs!: ScoreInputsResponse;
  @ApiProperty({ type: BoardQualityResponse }) quality!: BoardQualityResponse;
}

export class BoardSummaryResponse {
  @ApiProperty({ description: 'Accounts on the board (after filters and region scope)' })
  accounts!: number;
  @ApiProperty({ description: 'Of them, with a rank' }) ranked!: number;
  @ApiProperty({ description: 'Of them, without a computable metric (listed last, rank null)' })
  unranked!: number;
  @ApiProperty({ description: 'Of them, with partly collected data (quality.partial)' })
  partial!: number;
  @ApiProperty({ description: 'Of them, stale (no post for 14 days)' }) stale!: number;
}

export class LeaderboardFiltersResponse {
  @ApiProperty({ nullable: true, type: String }) region!: string | null;
  @ApiProperty({ nullable: true, type: String }) tier!: string | null;
  @ApiProperty({ nullable: true, type: String }) level!: string | null;
  @ApiProperty({ nullable: true, type: String }) sector!: string | null;
  @ApiProperty({ nullable: true, type: String }) accountType!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The API key’s region scope' })
  scope!: string | null;
}

export class LeaderboardResponse extends PageMeta {
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty({ enum: LEADERBOARD_METRICS }) metric!: LeaderboardMetric;
  @ApiProperty({ type: BoardPeriodResponse }) period!: BoardPeriodResponse;
  @ApiProperty({ type: BoardPeriodResponse, description: 'The period previousRank refers to' })
  previousPeriod!: BoardPeriodResponse;
  @ApiProperty({
    description: 'A finished run exists for the previous period (else every previousRank is null)',
  })
  previousAvailable!: boolean;
  @ApiProperty({ type: ScoreRunResponse }) run!: ScoreRunResponse;
  @ApiProperty({
    description:
      'true: ranks are re-computed within the filtered rows (window function); false: the stored national ranks',
  })
  reRanked!: boolean;
  @ApiProperty({ type: LeaderboardFiltersResponse }) filters!: LeaderboardFiltersResponse;
  @ApiProperty({ type: BoardSummaryResponse }) summary!: BoardSummaryResponse;
  @ApiProperty({ type: [LeaderboardEntry] }) items!: LeaderboardEntry[];
}

export function sectorLabel(sector: Sector): string {
  return SECTOR_LABELS[sector];
}

/** The stored inputs, scores and quality flags of an account_scores row, as pg returns them. */
export interface StoredScoreColumns {
  posts: number;
  headline_posts: number;
  active_days: number;
  total_reads: string | null;
  headline_reads: string | null;
  max_reads: string | null;
  zaikan: string | null;
  likes: string | null;
  shares: string | null;
  comments: string | null;
  reposts: string | null;
  followers: string | null;
  followers_change: string | null;
  score: number | null;
  score_inputs_used: string[];
  score_inputs_missing: string[];
  activity_score: number;
  days_since_last_post: number | null;
  stale: boolean;
  dormant: boolean;
  partial: boolean;
  data_as_of: string | null;
}

/** One account_scores row with its registry names and its ranks, as the board query returns it. */
export interface BoardRow extends StoredScoreColumns {
  id: number;
  display_name: string;
  platform: Platform;
  wechat_type: WechatType | null;
  org_id: number;
  org_name: string;
  level: AdminLevel;
  sector: Sector;
  region_code: string | null;
  region_name: string | null;
  province_name: string | null;
  value: string | number | null;
  rank: number | null;
  prev_rank: number | null;
}

/** int8 arrives from pg as text; counters stay far below 2^53. */
const toNumber = (value: string | number | null): number | null =>
  value === null ? null : Number(value);

export function toBoardOrganization(
  r: Pick<
    BoardRow,
    'org_id' | 'org_name' | 'level' | 'sector' | 'region_code' | 'region_name' | 'province_name'
  >,
): BoardOrganizationResponse {
  return {
    id: r.org_id,
    name: r.org_name,
    level: r.level,
    sector: r.sector,
    sectorLabel: sectorLabel(r.sector),
    region:
      r.region_code === null
        ? null
        : {
            code: r.region_code,
            name: r.region_name ?? r.region_code,
            provinceName: r.province_name,
            label: regionLabel(r.region_name ?? r.region_code, r.province_name) ?? r.region_code,
          },
  };
}

export function toLeaderboardEntry(r: BoardRow, periodEnd: string): LeaderboardEntry {
  const totalReads = toNumber(r.total_reads);
  return {
    rank: r.rank,
    previousRank: r.prev_rank,
    rankChange: r.rank === null ? null : rankChange(r.rank, r.prev_rank),
    account: {
      id: r.id,
      platform: r.platform,
      displayName: r.display_name,
      accountType: r.wechat_type,
      organization: toBoardOrganization(r),
    },
    value: toNumber(r.value),
    score: r.score,
    scoreInputsUsed: r.score_inputs_used,
    scoreInputsMissing: r.score_inputs_missing,
    activityScore: r.activity_score,
    daysSinceLastPost: r.days_since_last_post,
    inputs: {
      posts: r.posts,
      headlinePosts: r.headline_posts,
      activeDays: r.active_days,
      totalReads,
      headlineReads: toNumber(r.headline_reads),
      maxReads: toNumber(r.max_reads),
      avgReads: totalReads === null || r.posts === 0 ? null : round2(totalReads / r.posts),
      zaikan: toNumber(r.zaikan),
      likes: toNumber(r.likes),
      shares: toNumber(r.shares),
      comments: toNumber(r.comments),
      reposts: toNumber(r.reposts),
      followers: toNumber(r.followers),
      followersChange: toNumber(r.followers_change),
    },
    quality: {
      partial: r.partial,
      stale: r.stale,
      dormant: r.dormant,
      dataAsOf: r.data_as_of,
      lagDays:
        r.data_as_of === null ? null : Math.max(0, dayNumber(periodEnd) - dayNumber(r.data_as_of)),
    },
  };
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function toBoardPeriod(period: Period, weekStart: WeekStart): BoardPeriodResponse {
  return {
    type: period.type,
    key: period.key,
    start: period.start,
    end: period.end,
    weekStart,
  };
}

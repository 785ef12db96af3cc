import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsCalendarDate } from '../../common/calendar-date';
import { PageMeta, PageQuery } from '../../common/pagination';
import { METRIC_SOURCES } from '../metric-rows';
import { DEFAULT_SPAN_DAYS, GRANULARITIES, type Granularity, MAX_SPAN_DAYS } from './metrics-range';

/** int8 and numeric arrive from pg as text; counters stay far below 2^53. */
const toCount = (value: string | number | null): number | null =>
  value === null ? null : Number(value);

export class AccountMetricsQuery {
  @ApiPropertyOptional({
    description: `First day (Asia/Shanghai, YYYY-MM-DD). Default: to − ${DEFAULT_SPAN_DAYS - 1} days.`,
    example: '2026-10-01',
  })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({
    description: 'Last day, inclusive (Asia/Shanghai, YYYY-MM-DD). Default: yesterday.',
    example: '2026-10-31',
  })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({
    enum: GRANULARITIES,
    default: 'day',
    description: `Weeks run Monday–Sunday, months are calendar months. At most ${MAX_SPAN_DAYS.day} days for day, ${MAX_SPAN_DAYS.week} for week and month.`,
  })
  @IsOptional()
  @IsIn(GRANULARITIES)
  granularity: Granularity = 'day';
}

export class AccountPostsQuery extends OmitType(PageQuery, ['order'] as const) {
  @ApiPropertyOptional({ description: 'Published on or after this day (Asia/Shanghai)' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ description: 'Published on or before this day (Asia/Shanghai)' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class MetricsAccountResponse {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: ['wechat', 'weibo'] }) platform!: string;
  @ApiProperty() displayName!: string;
}

export class CollectionHealthResponse {
  @ApiProperty({ enum: ['ok', 'failing', 'quota_exhausted', 'dead'] }) state!: string;
  @ApiProperty({ description: 'Collection for the account currently works' }) up!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Last day collection covered' })
  dataAsOf!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastErrorClass!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastErrorAt!: string | null;
  @ApiProperty() consecutiveFailures!: number;
}

/** Engagement counters shared by account days and post snapshots; null when not given, never 0. */
export class EngagementCountersResponse {
  @ApiProperty({ nullable: true, type: Number }) reads!: number | null;
  @ApiProperty({ nullable: true, type: Number }) shares!: number | null;
  @ApiProperty({ nullable: true, type: Number }) likes!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: '在看' }) zaikan!: number | null;
  @ApiProperty({ nullable: true, type: Number }) comments!: number | null;
  @ApiProperty({ nullable: true, type: Number }) reposts!: number | null;
  @ApiProperty({ nullable: true, type: Number }) favourites!: number | null;
}

export class MetricsPeriodResponse extends EngagementCountersResponse {
  @ApiProperty({ description: 'First day of the period within the requested range' })
  start!: string;
  @ApiProperty({ description: 'Last day of the period within the requested range' }) end!: string;
  @ApiProperty({ description: 'Calendar days from start to end' }) days!: number;
  @ApiProperty({ description: 'Days with a stored row; 0 is a gap' }) daysWithData!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Followers on the last day with a value (累计关注)',
  })
  followers!: number | null;
  @ApiProperty({ nullable: true, type: Number }) newFollowers!: number | null;
  @ApiProperty({ nullable: true, type: Number }) cancelledFollowers!: number | null;
  @ApiProperty({ nullable: true, type: Number }) posts!: number | null;
  @ApiProperty({ description: 'Some day of the period was only partly collected' })
  partial!: boolean;
  @ApiProperty({ description: 'Some day of the period is provisional (is_delay)' })
  isDelay!: boolean;
  @ApiProperty({ enum: METRIC_SOURCES, isArray: true }) sources!: string[];
}

export class AccountMetricsResponse {
  @ApiProperty({ type: MetricsAccountResponse }) account!: MetricsAccountResponse;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ enum: GRANULARITIES }) granularity!: Granularity;
  @ApiProperty({ nullable: true, type: String, description: 'Latest day stored for the account' })
  dataAsOf!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Days between dataAsOf and yesterday (0 = current); null when nothing is stored',
  })
  lagDays!: number | null;
  @ApiProperty({
    type: CollectionHealthResponse,
    nullable: true,
    description: 'Collection health; null when collection never ran for the account',
  })
  health!: CollectionHealthResponse | null;
  @ApiProperty({
    type: [MetricsPeriodResponse],
    description:
      'Every period of the range in order, gaps included; sums are null when no day has the metric',
  })
  periods!: MetricsPeriodResponse[];
}

export class PostSnapshotResponse extends EngagementCountersResponse {
  @ApiProperty() observedDay!: string;
  @ApiProperty({ description: 'observedDay − publication day (T+n)' }) ageDays!: number;
  @ApiProperty({ enum: METRIC_SOURCES }) source!: string;
}

export class PostResponse {
  @ApiProperty() platformPostId!: string;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiProperty({ description: 'Asia/Shanghai day of publishedAt' }) publishedOn!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Position in its push; 1 = headline (头条)',
  })
  position!: number | null;
  @ApiProperty({ nullable: true, type: Boolean, description: 'Repost / reprint (转载)' })
  isRepost!: boolean | null;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty({ nullable: true, type: String }) url!: string | null;
  @ApiProperty({ enum: METRIC_SOURCES }) source!: string;
  @ApiProperty({
    type: PostSnapshotResponse,
    nullable: true,
    description: 'The latest observation of its counters; null when none is stored',
  })
  latestSnapshot!: PostSnapshotResponse | null;
}

export class PostPage extends PageMeta {
  @ApiProperty({ type: [PostResponse] }) items!: PostResponse[];
}

export interface MetricsPeriodRow {
  start: string;
  end: string;
  days: number;
  days_with_data: number;
  followers: string | null;
  new_followers: string | null;
  cancelled_followers: string | null;
  posts: string | null;
  reads: string | null;
  shares: string | null;
  likes: string | null;
  zaikan: string | null;
  comments: string | null;
  reposts: string | null;
  favourites: string | null;
  partial: boolean;
  is_delay: boolean;
  sources: string[];
}

export function toMetricsPeriodResponse(r: MetricsPeriodRow): MetricsPeriodResponse {
  return {
    start: r.start,
    end: r.end,
    days: r.days,
    daysWithData: r.days_with_data,
    followers: toCount(r.followers),
    newFollowers: toCount(r.new_followers),
    cancelledFollowers: toCount(r.cancelled_followers),
    posts: toCount(r.posts),
    reads: toCount(r.reads),
    shares: toCount(r.shares),
    likes: toCount(r.likes),
    zaikan: toCount(r.zaikan),
    comments: toCount(r.comments),
    reposts: toCount(r.reposts),
    favourites: toCount(r.favourites),
    partial: r.partial,
    isDelay: r.is_delay,
    sources: r.sources,
  };
}

export interface PostListRow {
  platform_post_id: string;
  published_at: Date;
  published_on: string;
  position: number | null;
  is_repost: boolean | null;
  title: string | null;
  url: string | null;
  source: string;
  cursor_at: string;
  observed_day: string | null;
  age_days: number | null;
  s_reads: string | null;
  s_shares: string | null;
  s_likes: string | null;
  s_zaikan: string | null;
  s_comments: string | null;
  s_reposts: string | null;
  s_favourites: string | null;
  s_source: string | null;
}

export function toPostResponse(r: PostListRow): PostResponse {
  return {
    platformPostId: r.platform_post_id,
    publishedAt: r.published_at.toISOString(),
    publishedOn: r.published_on,
    position: r.position,
    isRepost: r.is_repost,
    title: r.title,
    url: r.url,
    source: r.source,
    latestSnapshot:
      r.observed_day === null
        ? null
        : {
            observedDay: r.observed_day,
            ageDays: r.age_days ?? 0,
            reads: toCount(r.s_reads),
            shares: toCount(r.s_shares),
            likes: toCount(r.s_likes),
            zaikan: toCount(r.s_zaikan),
            comments: toCount(r.s_comments),
            reposts: toCount(r.s_reposts),
            favourites: toCount(r.s_favourites),
            source: r.s_source ?? r.source,
          },
  };
}

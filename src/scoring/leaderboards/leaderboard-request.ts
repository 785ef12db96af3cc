import type { Platform } from '../../accounts/account-taxonomy';
import { decodeCursor } from '../../common/cursor';
import { type FieldError, ValidationFailedException } from '../../common/domain.exception';
import type { ExportFormat } from '../../exports/export-format';
import {
  DEFAULT_LEADERBOARD_PAGE,
  type LeaderboardMetric,
  type LeaderboardQuery,
  MAX_LEADERBOARD_EXPORT,
  MAX_LEADERBOARD_PAGE,
} from './leaderboard.dto';
import type { RegistryFilters } from './score-filters';
import { type ResolvedScorePeriod, type ScoringDefaults, collectScorePeriod } from './score-period';

/** account_scores columns a metric ranks by (precomputed national rank) and shows. */
export interface MetricColumns {
  rank: 'rank_score' | 'rank_activity' | 'rank_followers' | 'rank_reads';
  value: 'score' | 'activity_score' | 'followers' | 'total_reads';
}

export const METRIC_COLUMNS: Record<LeaderboardMetric, MetricColumns> = {
  wci: { rank: 'rank_score', value: 'score' },
  bci: { rank: 'rank_score', value: 'score' },
  activity: { rank: 'rank_activity', value: 'activity_score' },
  followers: { rank: 'rank_followers', value: 'followers' },
  reads: { rank: 'rank_reads', value: 'total_reads' },
};

/** Keyset position: the last row's rank (null past the ranked rows) and account id. */
export interface BoardCursor {
  rank: number | null;
  id: number;
}

export interface LeaderboardRequest extends ResolvedScorePeriod {
  metric: LeaderboardMetric;
  filters: RegistryFilters;
  limit: number;
  cursor: BoardCursor | null;
}

export function defaultMetric(platform: Platform): LeaderboardMetric {
  return platform === 'wechat' ? 'wci' : 'bci';
}

/** Cross-field rules of a leaderboard query, all reported at once (400 with per-field errors). */
export function resolveLeaderboardRequest(
  query: LeaderboardQuery,
  format: ExportFormat,
  today: string,
  defaults: ScoringDefaults,
): LeaderboardRequest {
  const errors: FieldError[] = [];
  const metric = query.metric ?? defaultMetric(query.platform);
  if (metric === 'wci' && query.platform !== 'wechat') {
    errors.push({
      field: 'metric',
      message: 'wci is the WeChat index; a weibo board ranks by bci, activity, followers or reads',
    });
  }
  if (metric === 'bci' && query.platform !== 'weibo') {
    errors.push({
      field: 'metric',
      message: 'bci is the Weibo index; a wechat board ranks by wci, activity, followers or reads',
    });
  }
  if (query.accountType !== undefined && query.platform !== 'wechat') {
    errors.push({
      field: 'accountType',
      message: 'accountType (订阅号/服务号) applies to WeChat accounts only',
    });
  }
  const period = collectScorePeriod(query, today, defaults, errors);
  const limit = resolveBoardLimit(query.limit, format, errors);
  const cursor = query.cursor === undefined ? null : decodeBoardCursor(query.cursor);
  if (errors.length > 0) throw new ValidationFailedException(errors);
  return {
    ...period,
    metric,
    filters: {
      region: query.region,
      tier: query.tier,
      level: query.level,
      sector: query.sector,
      accountType: query.accountType,
    },
    limit,
    cursor,
  };
}

/** JSON pages default to 50 and stop at 500; a file download defaults to the whole board. */
export function resolveBoardLimit(
  limit: number | undefined,
  format: ExportFormat,
  errors: FieldError[],
): number {
  if (format !== 'json') return limit ?? MAX_LEADERBOARD_EXPORT;
  if (limit !== undefined && limit > MAX_LEADERBOARD_PAGE) {
    errors.push({
      field: 'limit',
      message: `limit must not be greater than ${MAX_LEADERBOARD_PAGE} for a JSON page; a csv or xlsx download takes up to ${MAX_LEADERBOARD_EXPORT}`,
    });
  }
  return limit ?? DEFAULT_LEADERBOARD_PAGE;
}

/** 400 for anything but a cursor this API issued ([rank or null, id]). */
export function decodeBoardCursor(cursor: string): BoardCursor {
  const position = decodeCursor(cursor);
  if (position.value !== null && !Number.isInteger(position.value)) {
    throw new ValidationFailedException([
      {
        field: 'cursor',
        message: 'cursor is not one this API issued; use nextCursor from a previous page',
      },
    ]);
  }
  return { rank: position.value as number | null, id: position.id };
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountsErrorCode, AccountsException } from '../../accounts/accounts.exception';
import type { Principal } from '../../auth/principal';
import { inRegionScope } from '../../auth/region-scope';
import { BUSINESS_TIME_ZONE, businessDate } from '../../common/business-date';
import { ValidationFailedException } from '../../common/domain.exception';
import { type Page, toKeysetPage } from '../../common/pagination';
import { SqlConditions } from '../../common/sql-builder';
import {
  type AccountMetricsQuery,
  type AccountMetricsResponse,
  type AccountPostsQuery,
  type MetricsPeriodRow,
  type PostListRow,
  type PostResponse,
  toMetricsPeriodResponse,
  toPostResponse,
} from './account-metrics.dto';
import { lagDays, resolveMetricsRange } from './metrics-range';
import { decodePostCursor, encodePostCursor } from './post-cursor';

interface AccountHeaderRow {
  id: number;
  platform: string;
  display_name: string;
  region_code: string | null;
  data_as_of: string | null;
  h_state: string | null;
  h_up: boolean | null;
  h_data_as_of: string | null;
  h_last_error_class: string | null;
  h_last_error_at: Date | null;
  h_consecutive_failures: number | null;
}

const SUM_COLUMNS = [
  'new_followers',
  'cancelled_followers',
  'posts',
  'reads',
  'shares',
  'likes',
  'zaikan',
  'comments',
  'reposts',
  'favourites',
];

/*
 * One statement per period series: generate_series lists every period of the range (so a period
 * without rows shows as a gap), the account's rows in the range are bucketed by date_trunc on the
 * business date (a DATE, so no time zone is involved; ISO weeks start on Monday), and each period
 * is clipped to the range. sum() over only NULLs is NULL, so a metric never given stays null.
 */
const PERIODS_SQL = `
  WITH periods AS (
    SELECT g::date AS bucket
    FROM generate_series(date_trunc($4::text, $2::date::timestamp), $3::date::timestamp, ('1 ' || $4::text)::interval) AS g
  ), m AS (
    SELECT date_trunc($4::text, d.day::timestamp)::date AS bucket, d.*
    FROM account_daily_metrics d
    WHERE d.account_id = $1 AND d.day BETWEEN $2::date AND $3::date
  ), bounds AS (
    SELECT bucket, greatest(bucket, $2::date) AS start,
           least((bucket + ('1 ' || $4::text)::interval)::date - 1, $3::date) AS "end"
    FROM periods
  )
  SELECT b.start, b."end", (b."end" - b.start + 1) AS days, count(m.day)::int AS days_with_data,
         (array_agg(m.followers ORDER BY m.day DESC) FILTER (WHERE m.followers IS NOT NULL))[1] AS followers,
         ${SUM_COLUMNS.map((c) => `sum(m.${c}) AS ${c}`).join(', ')},
         coalesce(bool_or(m.partial), false) AS partial,
         coalesce(bool_or(m.is_delay), false) AS is_delay,
         coalesce(array_agg(DISTINCT m.source) FILTER (WHERE m.source IS NOT NULL), '{}') AS sources
  FROM bounds b LEFT JOIN m ON m.bucket = b.bucket
  GROUP BY b.bucket, b.start, b."end"
  ORDER BY b.bucket`;

/** Reads stored metrics and posts of one account, through the caller's region scope. */
@Injectable()
export class AccountMetricsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async getMetrics(
    accountId: number,
    query: AccountMetricsQuery,
    principal: Principal,
  ): Promise<AccountMetricsResponse> {
    const today = businessDate();
    const range = resolveMetricsRange(query, today);
    const account = await this.visibleAccount(accountId, principal);
    const periods = await this.dataSource.query<MetricsPeriodRow[]>(PERIODS_SQL, [
      accountId,
      range.from,
      range.to,
      range.granularity,
    ]);
    return {
      account: { id: account.id, platform: account.platform, displayName: account.display_name },
      ...range,
      dataAsOf: account.data_as_of,
      lagDays: lagDays(account.data_as_of, today),
      health:
        account.h_state === null
          ? null
          : {
              state: account.h_state,
              up: account.h_up ?? false,
              dataAsOf: account.h_data_as_of,
              lastErrorClass: account.h_last_error_class,
              lastErrorAt: account.h_last_error_at?.toISOString() ?? null,
              consecutiveFailures: account.h_consecutive_failures ?? 0,
            },
      periods: periods.map(toMetricsPeriodResponse),
    };
  }

  async listPosts(
    accountId: number,
    query: AccountPostsQuery,
    principal: Principal,
  ): Promise<Page<PostResponse>> {
    if (query.from && query.to && query.from > query.to) {
      throw new ValidationFailedException([
        { field: 'from', message: `from (${query.from}) must not be after to (${query.to})` },
      ]);
    }
    await this.visibleAccount(accountId, principal);
    const c = new SqlConditions();
    c.where((id) => `p.account_id = ${id}`, accountId);
    if (query.from) c.where((d) => `p.published_on >= ${d}::date`, query.from);
    if (query.to) c.where((d) => `p.published_on <= ${d}::date`, query.to);
    if (query.cursor) {
      const position = decodePostCursor(query.cursor);
      // The published_on bound repeats the keyset condition on the partition key, for pruning.
      c.where(
        (at, id, zone) =>
          `(p.published_at, p.platform_post_id) < (${at}::timestamptz, ${id}::text)
           AND p.published_on <= (${at}::timestamptz AT TIME ZONE ${zone})::date`,
        position.publishedAt,
        position.platformPostId,
        BUSINESS_TIME_ZONE,
      );
    }
    const rows = await this.dataSource.query<PostListRow[]>(
      `SELECT p.platform_post_id, p.published_at, p.published_on, p.position, p.is_repost, p.title,
              p.url, p.source, p.published_at::text AS cursor_at,
              s.observed_day, s.age_days, s.reads AS s_reads, s.shares AS s_shares, s.likes AS s_likes,
              s.zaikan AS s_zaikan, s.comments AS s_comments, s.reposts AS s_reposts,
              s.favourites AS s_favourites, s.source AS s_source
       FROM posts p
       LEFT JOIN LATERAL (
         SELECT * FROM post_metric_snapshots s
         WHERE s.account_id = p.account_id AND s.platform_post_id = p.platform_post_id
           AND s.observed_day >= p.published_on
         ORDER BY s.observed_day DESC LIMIT 1
       ) s ON true
       ${c.toSql()}
       ORDER BY p.published_at DESC, p.platform_post_id DESC
       LIMIT ${query.limit + 1}`,
      c.params,
    );
    return toKeysetPage(rows, query.limit, toPostResponse, (last) =>
      encodePostCursor({ publishedAt: last.cursor_at, platformPostId: last.platform_post_id }),
    );
  }

  /** The account with its stored-data horizon and collection health; 404 outside the key's scope. */
  private async visibleAccount(id: number, principal: Principal): Promise<AccountHeaderRow> {
    const [row] = await this.dataSource.query<AccountHeaderRow[]>(
      `SELECT a.id, a.platform, a.display_name, o.region_code,
              (SELECT max(d.day) FROM account_daily_metrics d WHERE d.account_id = a.id) AS data_as_of,
              h.state AS h_state, h.up AS h_up, h.data_as_of AS h_data_as_of,
              h.last_error_class AS h_last_error_class, h.last_error_at AS h_last_error_at,
              h.consecutive_failures AS h_consecutive_failures
       FROM accounts a
       JOIN organizations o ON o.id = a.organization_id
       LEFT JOIN account_collection_health h ON h.account_id = a.id
       WHERE a.id = $1`,
      [id],
    );
    if (!row || !inRegionScope(principal, row.region_code)) {
      throw new AccountsException(
        AccountsErrorCode.AccountNotFound,
        `Account ${id} does not exist.`,
      );
    }
    return row;
  }
}

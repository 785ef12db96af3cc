import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Platform } from '../../accounts/account-taxonomy';
import type { Principal } from '../../auth/principal';
import { addRegionConditions } from '../../auth/region-scope';
import { businessDate } from '../../common/business-date';
import { addDays } from '../../common/calendar-date';
import { DomainException, ValidationFailedException } from '../../common/domain.exception';
import { keyset, type PageQuery, toPage } from '../../common/pagination';
import { SqlConditions } from '../../common/sql-builder';
import type {
  AccountHealthItem,
  BackfillRunItem,
  BackfillRunPage,
  BackfillRunsQuery,
  CollectionHealthQuery,
  CollectionHealthResponse,
  HealthCounts,
  HealthFilterState,
  PlatformHealthSummary,
  ProvinceHealthSummary,
  RunOutcome,
  ScheduleRunItem,
  ScheduleRunPage,
  ScheduleRunsQuery,
} from './collection-health.dto';

export enum CollectionHealthErrorCode {
  BackfillNotFound = 'BACKFILL_NOT_FOUND',
  DispatchUnavailable = 'COLLECTION_DISPATCH_UNAVAILABLE',
}

export class CollectionHealthException extends DomainException {}

interface CountsRow {
  total: number;
  ok: number;
  failing: number;
  quota_exhausted: number;
  dead: number;
  never: number;
  up: number;
  down: number;
  stale: number;
  oldest: string | null;
  newest: string | null;
}

interface SummaryRow extends CountsRow {
  by_platform: boolean;
  platform: Platform | null;
  province: string | null;
  province_name: string | null;
  generated_at: Date;
}

interface AccountHealthRow {
  id: number;
  cursor_value: string;
  display_name: string;
  platform: Platform;
  region_code: string | null;
  state: HealthFilterState;
  up: boolean | null;
  data_as_of: string | null;
  stale: boolean;
  last_success_at: Date | null;
  last_error_class: string | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: Date | null;
  consecutive_failures: number;
  credential_state: AccountHealthItem['credentialState'];
}

interface RunRow {
  schedule: string;
  slot: Date;
  slot_text: string;
  claimed_by: string;
  claimed_at: Date;
  backfilled: boolean;
  finished_at: Date | null;
  outcome: 'ok' | 'failed' | null;
  error: string | null;
}

export interface BackfillRow {
  id: number;
  requested_by: string;
  from_day: string;
  to_day: string;
  accounts: number;
  total_days: string | number;
  done_days: string | number;
  created_at: Date;
  finished_at: Date | null;
  elapsed_seconds: number;
}

/** Accounts covered by the health views: active ones (paused and closed accounts are not collected). */
const HEALTH_FROM = `
  FROM accounts a
  JOIN organizations o ON o.id = a.organization_id
  LEFT JOIN account_collection_health h ON h.account_id = a.id`;

@Injectable()
export class CollectionHealthService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The business day before which daily data is stale: yesterday, Asia/Shanghai. */
  staleBefore(now: Date = new Date()): string {
    return addDays(businessDate(now), -1);
  }

  async health(
    query: CollectionHealthQuery,
    principal: Principal,
  ): Promise<CollectionHealthResponse> {
    const staleBefore = this.staleBefore();
    const [summary, accounts] = await Promise.all([
      this.summary(query, principal, staleBefore),
      this.accounts(query, principal, staleBefore),
    ]);
    return { ...summary, staleBefore, accounts };
  }

  private scope(query: CollectionHealthQuery, principal: Principal): SqlConditions {
    const c = new SqlConditions();
    c.where(() => `a.status = 'active'`);
    addRegionConditions(c, 'o.region_code', principal, query.region);
    if (query.platform) c.where((p) => `a.platform = ${p}`, query.platform);
    return c;
  }

  private async summary(
    query: CollectionHealthQuery,
    principal: Principal,
    staleBefore: string,
  ): Promise<Pick<CollectionHealthResponse, 'generatedAt' | 'byPlatform' | 'byProvince'>> {
    const c = this.scope(query, principal);
    const stale = c.param(staleBefore);
    const rows = await this.dataSource.query<SummaryRow[]>(
      `WITH x AS (
         SELECT a.platform,
                CASE WHEN o.region_code IS NULL THEN NULL ELSE left(o.region_code, 2) || '0000' END
                  AS province,
                h.account_id IS NULL AS never, h.state, h.up, h.data_as_of,
                (h.data_as_of IS NULL OR h.data_as_of < ${stale}::date) AS stale
         ${HEALTH_FROM} ${c.toSql()}
       ), s AS (
         SELECT GROUPING(x.platform) = 0 AS by_platform, x.platform, x.province,
                count(*)::integer AS total,
                count(*) FILTER (WHERE x.state = 'ok')::integer AS ok,
                count(*) FILTER (WHERE x.state = 'failing')::integer AS failing,
                count(*) FILTER (WHERE x.state = 'quota_exhausted')::integer AS quota_exhausted,
                count(*) FILTER (WHERE x.state = 'dead')::integer AS dead,
                count(*) FILTER (WHERE x.never)::integer AS never,
                count(*) FILTER (WHERE x.up)::integer AS up,
                count(*) FILTER (WHERE NOT x.up)::integer AS down,
                count(*) FILTER (WHERE x.stale)::integer AS stale,
                min(x.data_as_of)::text AS oldest, max(x.data_as_of)::text AS newest
           FROM x
          GROUP BY GROUPING SETS ((x.platform), (x.province))
       )
       SELECT s.*, r.name AS province_name, now() AS generated_at
         FROM s LEFT JOIN regions r ON r.code = s.province
        ORDER BY s.by_platform DESC, s.platform, s.province NULLS FIRST`,
      c.params,
    );
    const byPlatform: PlatformHealthSummary[] = [];
    const byProvince: ProvinceHealthSummary[] = [];
    for (const row of rows) {
      if (row.by_platform) {
        byPlatform.push({ platform: row.platform as Platform, ...toCounts(row) });
      } else {
        byProvince.push({
          regionCode: row.province,
          regionName: row.province_name,
          ...toCounts(row),
        });
      }
    }
    const generatedAt = rows[0]?.generated_at ?? new Date();
    return { generatedAt: new Date(generatedAt).toISOString(), byPlatform, byProvince };
  }

  private async accounts(
    query: CollectionHealthQuery,
    principal: Principal,
    staleBefore: string,
  ): Promise<CollectionHealthResponse['accounts']> {
    const c = this.scope(query, principal);
    if (query.state === 'never') c.where(() => 'h.account_id IS NULL');
    else if (query.state) c.where((p) => `h.state = ${p}`, query.state);
    const stale = c.param(staleBefore);
    const { orderBy, cursorSelect } = keyset(
      c,
      { expression: 'a.id', type: 'integer' },
      'a.id',
      query,
    );
    const rows = await this.dataSource.query<AccountHealthRow[]>(
      `SELECT a.id, ${cursorSelect}, a.display_name, a.platform, o.region_code,
              coalesce(h.state, 'never') AS state, h.up, h.data_as_of::text AS data_as_of,
              (h.data_as_of IS NULL OR h.data_as_of < ${stale}::date) AS stale,
              h.last_success_at, h.last_error_class, h.last_error_code, h.last_error_message,
              h.last_error_at, coalesce(h.consecutive_failures, 0) AS consecutive_failures,
              coalesce((SELECT pc.state FROM platform_credentials pc WHERE pc.account_id = a.id
                         ORDER BY (pc.state <> 'revoked') DESC, pc.id DESC LIMIT 1), 'never')
                AS credential_state
       ${HEALTH_FROM} ${c.toSql()} ${orderBy}`,
      c.params,
    );
    return toPage(rows, query.limit, (row) => ({
      accountId: row.id,
      displayName: row.display_name,
      platform: row.platform,
      regionCode: row.region_code,
      state: row.state,
      up: row.up,
      dataAsOf: row.data_as_of,
      stale: row.stale,
      lastSuccessAt: iso(row.last_success_at),
      lastErrorClass: row.last_error_class,
      lastErrorCode: row.last_error_code,
      lastErrorMessage: row.last_error_message,
      lastErrorAt: iso(row.last_error_at),
      consecutiveFailures: row.consecutive_failures,
      credentialState: row.credential_state,
    }));
  }

  /** The schedule_runs ledger, newest slot first; keyset on (slot, schedule). */
  async runs(query: ScheduleRunsQuery): Promise<ScheduleRunPage> {
    const c = new SqlConditions();
    if (query.schedule) c.where((p) => `schedule = ${p}`, query.schedule);
    if (query.outcome === 'running') c.where(() => 'finished_at IS NULL');
    else if (query.outcome) c.where((p) => `outcome = ${p}`, query.outcome);
    if (query.cursor) {
      const position = decodeRunCursor(query.cursor);
      c.where(
        (slot, schedule) => `(slot, schedule) < (${slot}::timestamptz, ${schedule}::text)`,
        position.slot,
        position.schedule,
      );
    }
    const rows = await this.dataSource.query<RunRow[]>(
      `SELECT schedule, slot, slot::text AS slot_text, claimed_by, claimed_at, backfilled,
              finished_at, outcome, error
         FROM schedule_runs ${c.toSql()}
        ORDER BY slot DESC, schedule DESC LIMIT ${query.limit + 1}`,
      c.params,
    );
    const hasMore = rows.length > query.limit;
    const page = hasMore ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map(toRunItem),
      nextCursor: hasMore && last ? encodeRunCursor(last.slot_text, last.schedule) : null,
    };
  }

  async backfills(query: BackfillRunsQuery): Promise<BackfillRunPage> {
    const c = new SqlConditions();
    const page: PageQuery = { limit: query.limit, cursor: query.cursor, order: 'desc' };
    const { orderBy, cursorSelect } = keyset(
      c,
      { expression: 'b.id', type: 'integer' },
      'b.id',
      page,
    );
    const rows = await this.dataSource.query<(BackfillRow & { cursor_value: string })[]>(
      `${SELECT_BACKFILL}, ${cursorSelect} FROM backfill_runs b ${c.toSql()} ${orderBy}`,
      c.params,
    );
    return toPage(rows, query.limit, toBackfillItem);
  }

  async backfill(id: number): Promise<BackfillRunItem> {
    const [row] = await this.dataSource.query<BackfillRow[]>(
      `${SELECT_BACKFILL} FROM backfill_runs b WHERE b.id = $1`,
      [id],
    );
    if (!row) {
      throw new CollectionHealthException(
        CollectionHealthErrorCode.BackfillNotFound,
        HttpStatus.NOT_FOUND,
        `Backfill run ${id} does not exist.`,
      );
    }
    return toBackfillItem(row);
  }
}

const SELECT_BACKFILL = `
  SELECT b.id, b.requested_by, b.from_day::text AS from_day, b.to_day::text AS to_day, b.accounts,
         b.total_days, b.done_days, b.created_at, b.finished_at,
         greatest(extract(epoch FROM coalesce(b.finished_at, now()) - b.created_at), 0)::float8
           AS elapsed_seconds`;

function toCounts(row: CountsRow): HealthCounts {
  return {
    total: row.total,
    ok: row.ok,
    failing: row.failing,
    quotaExhausted: row.quota_exhausted,
    dead: row.dead,
    never: row.never,
    up: row.up,
    down: row.down,
    stale: row.stale,
    oldestDataAsOf: row.oldest,
    newestDataAsOf: row.newest,
  };
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

function toRunItem(row: RunRow): ScheduleRunItem {
  const outcome: RunOutcome = row.outcome ?? 'running';
  return {
    schedule: row.schedule,
    slot: new Date(row.slot).toISOString(),
    claimedBy: row.claimed_by,
    claimedAt: new Date(row.claimed_at).toISOString(),
    backfilled: row.backfilled,
    finishedAt: iso(row.finished_at),
    outcome,
    error: row.error,
    durationSeconds:
      row.finished_at === null
        ? null
        : (new Date(row.finished_at).getTime() - new Date(row.claimed_at).getTime()) / 1000,
  };
}

/** Progress math of a backfill run (exported for tests). */
export function backfillProgress(row: {
  totalDays: number;
  doneDays: number;
  elapsedSeconds: number;
  finished: boolean;
}): { percent: number; daysPerSecond: number; etaSeconds: number | null } {
  const { totalDays, doneDays, elapsedSeconds, finished } = row;
  const percent = totalDays > 0 ? Math.round((doneDays / totalDays) * 10_000) / 100 : 100;
  const daysPerSecond = elapsedSeconds > 0 ? doneDays / elapsedSeconds : 0;
  const remaining = Math.max(totalDays - doneDays, 0);
  let etaSeconds: number | null;
  if (finished || remaining === 0) etaSeconds = 0;
  else if (daysPerSecond === 0) etaSeconds = null;
  else etaSeconds = Math.ceil(remaining / daysPerSecond);
  return { percent, daysPerSecond: Math.round(daysPerSecond * 1000) / 1000, etaSeconds };
}

export function toBackfillItem(row: BackfillRow): BackfillRunItem {
  const totalDays = Number(row.total_days);
  const doneDays = Number(row.done_days);
  return {
    id: row.id,
    requestedBy: row.requested_by,
    fromDay: row.from_day,
    toDay: row.to_day,
    accounts: row.accounts,
    totalDays,
    doneDays,
    ...backfillProgress({
      totalDays,
      doneDays,
      elapsedSeconds: Number(row.elapsed_seconds),
      finished: row.finished_at !== null,
    }),
    createdAt: new Date(row.created_at).toISOString(),
    finishedAt: iso(row.finished_at),
  };
}

function encodeRunCursor(slot: string, schedule: string): string {
  return Buffer.from(JSON.stringify([slot, schedule]), 'utf8').toString('base64url');
}

const SLOT_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/;

function decodeRunCursor(cursor: string): { slot: string; schedule: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      SLOT_TEXT.test(parsed[0])
    ) {
      return { slot: parsed[0], schedule: parsed[1] };
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationFailedException([
    {
      field: 'cursor',
      message: 'cursor is not one this API issued; use nextCursor from a previous page',
    },
  ]);
}

import { Inject, Injectable, type StreamableFile } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { businessDate } from '../../common/business-date';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { encodeCursor } from '../../common/cursor';
import { exportFile, negotiateExportFormat, serializedJson } from '../../exports/export-format';
import { previousPeriod } from '../periods';
import { leaderboardFileName, leaderboardTable } from './leaderboard-export';
import {
  METRIC_COLUMNS,
  type LeaderboardRequest,
  resolveLeaderboardRequest,
} from './leaderboard-request';
import { boardPageSql, boardSummarySql, queryBoardPage } from './leaderboard-sql';
import {
  type BoardRow,
  type BoardSummaryResponse,
  type LeaderboardQuery,
  type LeaderboardResponse,
  toBoardPeriod,
  toLeaderboardEntry,
  toScoreRunResponse,
} from './leaderboard.dto';
import { ResponseCache } from './response-cache';
import { isFiltered } from './score-filters';
import { type ScoreRun, requireScoreRun } from './score-run.reader';

/** Boards are versioned by their run ids; the TTL only bounds how long registry edits take to show. */
export const BOARD_CACHE_TTL_MS = 60_000;
const BOARD_CACHE_ENTRIES = 500;
/** How long the latest-run lookup is reused: a newly finished run is served within this time. */
export const RUN_LOOKUP_TTL_MS = 1_000;

/**
 * Account leaderboards, read from account_scores only: the latest run of the period (an indexed
 * lookup, reused for a second), then the page from memory or from the precomputed rows.
 */
@Injectable()
export class LeaderboardService {
  private readonly runs = new ResponseCache<ScoreRun>(RUN_LOOKUP_TTL_MS, BOARD_CACHE_ENTRIES);
  private readonly summaries = new ResponseCache<BoardSummaryResponse>(
    BOARD_CACHE_TTL_MS,
    BOARD_CACHE_ENTRIES,
  );
  /** JSON pages, serialized once. */
  private readonly cache = new ResponseCache<Buffer>(BOARD_CACHE_TTL_MS, BOARD_CACHE_ENTRIES);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async board(
    query: LeaderboardQuery,
    principal: Principal,
    accept: string | undefined,
  ): Promise<LeaderboardResponse | StreamableFile> {
    // JSON pages come back pre-serialized (a StreamableFile of application/json).
    const format = negotiateExportFormat(query.format, accept);
    const request = resolveLeaderboardRequest(query, format, businessDate(), this.config.scoring);
    // A missing run (404) is not kept: it is looked up again on the next request.
    const run = await this.runs.get(JSON.stringify([request.key, request.period?.start]), () =>
      requireScoreRun(this.db, request.key, request.period),
    );
    const cacheKey = JSON.stringify([
      run.id,
      run.previousRunId,
      principal.regionCode,
      request.key,
      request.metric,
      request.filters,
      request.limit,
      request.cursor,
    ]);
    // Downloads (whole boards) are not kept: only pages are worth the memory.
    if (format !== 'json') {
      const board = await this.compute(request, run, principal);
      return exportFile(format, leaderboardFileName(board), [leaderboardTable(board)]);
    }
    const json = await this.cache.get(cacheKey, async () =>
      Buffer.from(JSON.stringify(await this.compute(request, run, principal))),
    );
    return serializedJson(json);
  }

  private async compute(
    request: LeaderboardRequest,
    run: ScoreRun,
    principal: Principal,
  ): Promise<LeaderboardResponse> {
    const previous = previousPeriod(run.period);
    const filtered = isFiltered(request.filters, principal);
    const input = {
      key: request.key,
      periodStart: run.period.start,
      previousStart: run.previousRunId === null ? null : previous.start,
      columns: METRIC_COLUMNS[request.metric],
      filters: request.filters,
      principal,
      filtered,
      cursor: request.cursor,
      fetch: request.limit + 1,
    };
    const page = boardPageSql(input);
    // The counts of a board are the same on every page: one count per run, scope and filters.
    const summaryKey = JSON.stringify([
      run.id,
      principal.regionCode,
      request.key,
      request.metric,
      request.filters,
    ]);
    const [rows, summary] = await Promise.all([
      queryBoardPage(page, input.fetch, (sql, params) => this.db.query<BoardRow[]>(sql, params)),
      this.summaries.get(summaryKey, async () => {
        const sql = boardSummarySql(input);
        const [counts] = await this.db.query<Omit<BoardSummaryResponse, 'unranked'>[]>(
          sql.sql,
          sql.params,
        );
        return { ...counts, unranked: counts.accounts - counts.ranked };
      }),
    ]);
    const hasMore = rows.length > request.limit;
    const pageRows = hasMore ? rows.slice(0, request.limit) : rows;
    const last = pageRows.at(-1);
    return {
      platform: request.key.platform,
      metric: request.metric,
      period: toBoardPeriod(run.period, request.key.weekStart),
      previousPeriod: toBoardPeriod(previous, request.key.weekStart),
      previousAvailable: run.previousRunId !== null,
      run: toScoreRunResponse(run),
      reRanked: filtered,
      filters: {
        region: request.filters.region ?? null,
        tier: request.filters.tier ?? null,
        level: request.filters.level ?? null,
        sector: request.filters.sector ?? null,
        accountType: request.filters.accountType ?? null,
        scope: principal.regionCode,
      },
      summary,
      items: pageRows.map((r) => toLeaderboardEntry(r, run.period.end)),
      nextCursor: hasMore && last ? encodeCursor({ value: last.rank, id: last.id }) : null,
    };
  }
}

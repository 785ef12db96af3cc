import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Platform } from '../../accounts/account-taxonomy';
import { ACTIVITY_VERSION } from '../formulas/activity';
import { BCI_VERSIONS } from '../formulas/bci';
import { WCI_VERSIONS } from '../formulas/wci';
import { type Period, previousPeriod, snapshotAgeFor, wciDays } from '../periods';
import { nextPeriod, storedWeekStart } from './score-periods';
import { businessDate } from '../../common/business-date';
import { dayNumber } from '../../common/calendar-date';
import {
  type FormulaVersion,
  INPUTS_TABLE,
  PROPAGATE_PREVIOUS_RANK_SQL,
  scoreInputsParameters,
  scoreInputsSql,
  scoreUpsertParameters,
  scoreUpsertSql,
} from './score-run.sql';

export type ScoreRunTrigger = 'schedule' | 'manual' | 'data_change';
export type ScoreRunStatus = 'running' | 'done' | 'failed';

export interface ScoreRunRequest {
  platform: Platform;
  period: Period;
  formulaVersion: FormulaVersion;
  trigger: ScoreRunTrigger;
  requestedBy: string;
  cause?: string | null;
}

/** A score_runs row as the API shows it. */
export interface ScoreRunRecord {
  id: number;
  platform: Platform;
  periodType: Period['type'];
  periodKey: string;
  weekStart: 'monday' | 'sunday';
  periodStart: string;
  periodEnd: string;
  formulaVersion: string;
  activityVersion: string;
  snapshotAge: number;
  trigger: ScoreRunTrigger;
  status: ScoreRunStatus;
  /** account_scores rows inserted or changed (0: a recompute over unchanged inputs). */
  accounts: number | null;
  /** Accounts in the period's result set. */
  accountsScored: number | null;
  requestedBy: string | null;
  cause: string | null;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface ScoreRunRow {
  id: string;
  platform: Platform;
  period_type: Period['type'];
  period_key: string;
  week_start: 'monday' | 'sunday';
  period_start: string;
  period_end: string;
  formula_version: string;
  activity_version: string;
  snapshot_age: number;
  trigger: ScoreRunTrigger;
  status: ScoreRunStatus;
  accounts: number | null;
  accounts_scored: number | null;
  requested_by: string | null;
  cause: string | null;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
}

export const SELECT_SCORE_RUN = `SELECT r.id, r.platform, r.period_type, r.period_key, r.week_start,
  r.period_start::text AS period_start, r.period_end::text AS period_end, r.formula_version,
  r.activity_version, r.snapshot_age, r.trigger, r.status, r.accounts, r.accounts_scored,
  r.requested_by, r.cause, r.started_at, r.finished_at, r.error FROM score_runs r`;

export function toScoreRunRecord(row: ScoreRunRow): ScoreRunRecord {
  return {
    id: Number(row.id),
    platform: row.platform,
    periodType: row.period_type,
    periodKey: row.period_key,
    weekStart: row.week_start,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    formulaVersion: row.formula_version,
    activityVersion: row.activity_version,
    snapshotAge: row.snapshot_age,
    trigger: row.trigger,
    status: row.status,
    accounts: row.accounts,
    accountsScored: row.accounts_scored,
    requestedBy: row.requested_by,
    cause: row.cause,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    error: row.error,
  };
}

/** The formula versions a platform's runs can use. */
export function formulaVersionsFor(platform: Platform): readonly FormulaVersion[] {
  return platform === 'wechat' ? WCI_VERSIONS : BCI_VERSIONS;
}

const MAX_ERROR_LENGTH = 2_000;
/** work_mem of a run's transaction (SET LOCAL). */
export const RUN_WORK_MEM = '128MB';
// The SQL texts, built once per shape.
const SQL_CACHE = new Map<string, string>();

function cached(key: string, build: () => string): string {
  let sql = SQL_CACHE.get(key);
  if (sql === undefined) {
    sql = build();
    SQL_CACHE.set(key, sql);
  }
  return sql;
}

/**
 * Executes score runs: a `score_runs` row (committed as running first, so the change triggers see
 * the period as scored while the run reads), then one transaction holding the period's advisory
 * lock (concurrent runs of one period serialise; R24 across replicas): the aggregation statement
 * into a work table, the scoring upsert from it (score-run.sql.ts), the next period's
 * prev_rank_score refresh, and the run marked done.
 */
@Injectable()
export class ScoreRunService {
  private readonly logger = new Logger(ScoreRunService.name);
  /** Milliseconds per step of the last run (the log has them too; bench:score prints them). */
  lastTimings: Readonly<Record<string, number>> = {};

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run(request: ScoreRunRequest): Promise<ScoreRunRecord> {
    const { platform, period, formulaVersion } = request;
    if (!formulaVersionsFor(platform).includes(formulaVersion)) {
      throw new RangeError(`${formulaVersion} is not a ${platform} formula version`);
    }
    const weekStart = storedWeekStart(period);
    const { age, fallbackAge } = snapshotAgeFor(period.type);
    const [{ id }] = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO score_runs (platform, period_type, period_key, week_start, period_start, period_end,
         formula_version, activity_version, snapshot_age, trigger, status, requested_by, cause)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'running', $11, $12) RETURNING id`,
      [
        platform,
        period.type,
        period.key,
        weekStart,
        period.start,
        period.end,
        formulaVersion,
        ACTIVITY_VERSION,
        age,
        request.trigger,
        request.requestedBy,
        request.cause ?? null,
      ],
    );
    const started = performance.now();
    const timings: Record<string, number> = {};
    let mark = started;
    const lap = (name: string) => {
      const now = performance.now();
      timings[name] = Math.round(now - mark);
      mark = now;
    };
    try {
      await this.dataSource.transaction(async (tx) => {
        // One batch statement at a time per connection: hash aggregates and the rank sorts of a
        // 100,000-account run fit in memory instead of spilling (bench:score).
        await tx.query(`SET LOCAL work_mem = '${RUN_WORK_MEM}'`);
        await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
          `score:${platform}:${period.type}:${period.start}:${formulaVersion}:${weekStart}`,
        ]);
        // Statement 1. A period whose exact-age snapshots may not all exist yet (young) needs the
        // nearest-age choice; an older one tries the parallel plan without it first, and reruns
        // with it only if some post has no snapshot of the exact age (same result either way).
        const inputs = (withNearest: boolean) =>
          tx.query(
            cached(
              `inputs:${formulaVersion}:${fallbackAge !== null}:${period.days}:${withNearest}`,
              () => scoreInputsSql(formulaVersion, fallbackAge !== null, period.days, withNearest),
            ),
            scoreInputsParameters({
              platform,
              periodStart: period.start,
              periodEnd: period.end,
              d: wciDays(period),
              age,
              fallbackAge,
              days: period.days,
            }),
          );
        const young =
          dayNumber(period.end) + Math.max(age, fallbackAge ?? 0) >= dayNumber(businessDate());
        lap('beginMs');
        await inputs(young);
        lap('aggregateMs');
        if (!young) {
          const [{ off }] = await tx.query<{ off: boolean }[]>(
            `SELECT EXISTS (SELECT 1 FROM ${INPUTS_TABLE} WHERE off_age_posts > 0) AS off`,
          );
          if (off) {
            await tx.query(`DROP TABLE ${INPUTS_TABLE}`);
            await inputs(true);
          }
        }
        // A period without rows yet (first run; the advisory lock keeps other runs of it out)
        // takes a plain INSERT.
        const [{ fresh }] = await tx.query<{ fresh: boolean }[]>(
          `SELECT NOT EXISTS (SELECT 1 FROM account_scores WHERE platform = $1 AND period_type = $2
             AND period_start = $3 AND formula_version = $4 AND week_start = $5) AS fresh`,
          [platform, period.type, period.start, formulaVersion, weekStart],
        );
        lap('nearestMs');
        const [result] = await tx.query<{ written: number; scored: number; deleted: number }[]>(
          cached(`upsert:${fresh}`, () => scoreUpsertSql(fresh)),
          scoreUpsertParameters({
            platform,
            periodStart: period.start,
            periodEnd: period.end,
            formulaVersion,
            weekStart,
            runId: id,
            d: wciDays(period),
            periodType: period.type,
            previousStart: previousPeriod(period).start,
            days: period.days,
          }),
        );
        lap('upsertMs');
        await tx.query(PROPAGATE_PREVIOUS_RANK_SQL, [
          period.type,
          period.start,
          nextPeriod(period).start,
          formulaVersion,
          weekStart,
        ]);
        await tx.query(
          `UPDATE score_runs SET status = 'done', accounts = $2, accounts_scored = $3, finished_at = clock_timestamp()
           WHERE id = $1`,
          [id, result.written + result.deleted, result.scored],
        );
        lap('propagateMs');
      });
      lap('commitMs');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.error(
        { err, runId: id, platform, period: period.key, formulaVersion },
        `score run #${id} failed`,
      );
      await this.dataSource.query(
        `UPDATE score_runs SET status = 'failed', error = $2, finished_at = clock_timestamp() WHERE id = $1`,
        [id, message.slice(0, MAX_ERROR_LENGTH)],
      );
    }
    const record = await this.get(id);
    this.lastTimings = timings;
    this.logger.log(
      {
        runId: record.id,
        platform,
        periodType: period.type,
        periodKey: period.key,
        formulaVersion,
        trigger: request.trigger,
        status: record.status,
        accounts: record.accounts,
        accountsScored: record.accountsScored,
        ms: Math.round(performance.now() - started),
        ...timings,
      },
      `score run #${record.id} ${platform} ${period.type} ${period.key} ${formulaVersion}: ${record.status}`,
    );
    return record;
  }

  async get(id: string | number): Promise<ScoreRunRecord> {
    const [row] = await this.dataSource.query<ScoreRunRow[]>(
      `${SELECT_SCORE_RUN} WHERE r.id = $1`,
      [id],
    );
    if (!row) throw new Error(`score run ${id} vanished`);
    return toScoreRunRecord(row);
  }
}

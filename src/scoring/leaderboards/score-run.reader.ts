import type { DataSource } from 'typeorm';
import { businessDate } from '../../common/business-date';
import { type Period, type PeriodType, periodOf } from '../periods';
import { LeaderboardsErrorCode, LeaderboardsException } from './leaderboards.exception';
import type { ScoreBoardKey } from './score-period';

/** A finished score run as the read side reports it. */
export interface ScoreRun {
  id: number;
  period: Period;
  formulaVersion: string;
  activityVersion: string;
  snapshotAge: number;
  trigger: string;
  accounts: number | null;
  computedAt: string;
  /** The latest finished run of the previous period with the same key, if any. */
  previousRunId: number | null;
}

interface ScoreRunRow {
  id: string;
  period_start: string;
  formula_version: string;
  activity_version: string;
  snapshot_age: number;
  trigger: string;
  accounts: number | null;
  started_at: Date;
  finished_at: Date | null;
  previous_run_id: string | null;
}

// Period starts are aligned, so start − one period is the previous period's start.
const PERIOD_STEP: Record<PeriodType, string> = {
  day: '1 day',
  week: '7 days',
  month: '1 month',
  quarter: '3 months',
  year: '1 year',
};

/*
 * One indexed lookup (ix_score_runs_period) per request: the latest finished run of the period (or,
 * when none is given, of the latest closed period — its end plus the snapshot age has passed, so
 * its posts have their T+1/T+7 counters — else of the latest period at all) and the id of the
 * previous period's latest run, which together version everything a board shows.
 */
const RUN_SQL = (withPeriod: boolean) => `
  SELECT c.id, c.period_start, c.formula_version, c.activity_version, c.snapshot_age, c.trigger,
         c.accounts, c.started_at, c.finished_at,
         (SELECT p.id FROM score_runs p
           WHERE p.platform = c.platform AND p.period_type = c.period_type
             AND p.period_start = (c.period_start - $5::interval)::date
             AND p.formula_version = c.formula_version AND p.week_start = c.week_start
             AND p.status = 'done'
           ORDER BY p.id DESC LIMIT 1) AS previous_run_id
  FROM score_runs c
  WHERE c.platform = $1 AND c.period_type = $2 AND c.formula_version = $3 AND c.week_start = $4
    AND c.status = 'done' ${withPeriod ? 'AND c.period_start = $6::date' : ''}
  ORDER BY ${withPeriod ? '' : '(c.period_end + c.snapshot_age < $6::date) DESC, '}c.period_start DESC, c.id DESC
  LIMIT 1`;

/** The run a board is served from, or null when the period (or the key) has none. */
export async function findScoreRun(
  db: Pick<DataSource, 'query'>,
  key: ScoreBoardKey,
  period: Period | null,
): Promise<ScoreRun | null> {
  const params: unknown[] = [
    key.platform,
    key.periodType,
    key.formulaVersion,
    key.weekStart,
    PERIOD_STEP[key.periodType],
  ];
  params.push(period ? period.start : businessDate());
  const [row] = await db.query<ScoreRunRow[]>(RUN_SQL(period !== null), params);
  if (!row) return null;
  return {
    id: Number(row.id),
    period: periodOf(key.periodType, row.period_start, { weekStart: key.weekStart }),
    formulaVersion: row.formula_version,
    activityVersion: row.activity_version,
    snapshotAge: row.snapshot_age,
    trigger: row.trigger,
    accounts: row.accounts,
    computedAt: (row.finished_at ?? row.started_at).toISOString(),
    previousRunId: row.previous_run_id === null ? null : Number(row.previous_run_id),
  };
}

/** Like findScoreRun, but a missing run is the 404 that says how to compute it. */
export async function requireScoreRun(
  db: Pick<DataSource, 'query'>,
  key: ScoreBoardKey,
  period: Period | null,
): Promise<ScoreRun> {
  const run = await findScoreRun(db, key, period);
  if (run) return run;
  throw scoreRunNotFound(key, period);
}

export function scoreRunNotFound(key: ScoreBoardKey, period: Period | null): LeaderboardsException {
  const board = `${key.platform} ${key.periodType} (${key.formulaVersion}${key.periodType === 'week' ? `, weeks from ${key.weekStart}` : ''})`;
  const what = period
    ? `No finished ${board} score run exists for ${period.key} (${period.start} – ${period.end}).`
    : `No finished ${board} score run exists for any period.`;
  const body = {
    platform: key.platform,
    periodType: key.periodType,
    ...(period ? { periodKey: period.key } : { date: '<a day in the period>' }),
    formulaVersion: key.formulaVersion,
  };
  return new LeaderboardsException(
    LeaderboardsErrorCode.ScoreRunNotFound,
    `${what} Compute it with POST /api/v1/scores/recompute (e.g. ${JSON.stringify(body)}), then retry.`,
    { platform: key.platform, period: key.periodType, periodKey: period?.key ?? null },
  );
}

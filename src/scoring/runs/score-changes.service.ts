import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Platform } from '../../accounts/account-taxonomy';
import { AuditService } from '../../audit/audit.service';
import type { Actor } from '../../auth/principal';
import { type Period, type PeriodType, parsePeriodKey } from '../periods';
import type { FormulaVersion } from './score-run.sql';
import { ScoreRunService, type ScoreRunRecord } from './score-run.service';

/** Changes a consumer pass reads at most (the rest wait for the next pass). */
export const MAX_CHANGES_PER_PASS = 200_000;
/** Changes quoted (old and new values) in a recompute's audit row; the count covers the rest. */
export const AUDITED_CHANGES = 50;
/** Consumed changes are kept this long (their audit rows stay for good). */
export const KEEP_CONSUMED_DAYS = 30;

export const SCORING_ACTOR: Actor = { apiKeyId: null, name: 'system:scoring', correlationId: null };

interface AffectedPeriod {
  platform: Platform;
  period_type: PeriodType;
  period_key: string;
  formula_version: FormulaVersion;
  ids: string[];
  causes: string[];
}

interface ChangeRow {
  id: string;
  account_id: number;
  day: string;
  source_table: string;
  operation: 'INSERT' | 'UPDATE' | 'DELETE';
  item_key: string | null;
  old_values: Record<string, unknown> | null;
  new_values: Record<string, unknown> | null;
  cause: string;
}

const TYPE_ORDER = `array_position(ARRAY['day','week','month','quarter','year'], l.period_type)`;

/**
 * The periods (of the latest non-failed run per platform, period, formula version and week start)
 * that pending raw-value changes touch, one row per period with the change ids:
 * - every period containing the changed row's business day;
 * - a daily row of the day before a period: that period's followers change baseline;
 * - a post added or removed before a period whose stored days_since_last_post it moves (the
 *   account's last post at the period end was on or before that day, or it never posted).
 */
const AFFECTED_PERIODS_SQL = `
WITH pending AS MATERIALIZED (
  SELECT i.id, i.account_id, i.day, i.source_table, i.operation, i.cause, a.platform
    FROM score_invalidations i JOIN accounts a ON a.id = i.account_id
   WHERE i.consumed_at IS NULL AND i.id <= $1
),
latest AS MATERIALIZED (
  SELECT DISTINCT ON (platform, period_type, period_start, formula_version, week_start)
         platform, period_type, period_key, period_start, period_end, formula_version, week_start
    FROM score_runs WHERE status <> 'failed'
   ORDER BY platform, period_type, period_start, formula_version, week_start, id DESC
),
days AS (
  SELECT platform, day, source_table = 'account_daily_metrics' AS daily FROM pending
   GROUP BY platform, day, source_table = 'account_daily_metrics'
),
direct AS (
  SELECT l.*, d.day, d.daily FROM days d JOIN latest l ON l.platform = d.platform
   AND (d.day BETWEEN l.period_start AND l.period_end OR (d.daily AND d.day = l.period_start - 1))
),
moved AS (
  SELECT l.*, pp.account_id, pp.day
    FROM (SELECT DISTINCT platform, account_id, day FROM pending
           WHERE source_table = 'posts' AND operation <> 'UPDATE') pp
    JOIN account_scores s ON s.account_id = pp.account_id AND s.period_start > pp.day
     AND (s.days_since_last_post IS NULL OR s.period_end - s.days_since_last_post <= pp.day)
    JOIN latest l ON l.platform = s.platform AND l.period_type = s.period_type
     AND l.period_start = s.period_start AND l.formula_version = s.formula_version
     AND l.week_start = s.week_start
),
hits AS (
  SELECT d.platform, d.period_type, d.period_start, d.period_key, d.formula_version, d.week_start, p.id, p.cause
    FROM direct d JOIN pending p ON p.platform = d.platform AND p.day = d.day
     AND (p.source_table = 'account_daily_metrics') = d.daily
  UNION
  SELECT m.platform, m.period_type, m.period_start, m.period_key, m.formula_version, m.week_start, p.id, p.cause
    FROM moved m JOIN pending p ON p.account_id = m.account_id AND p.day = m.day
     AND p.source_table = 'posts' AND p.operation <> 'UPDATE'
)
SELECT l.platform, l.period_type, l.period_key, l.formula_version,
       array_agg(l.id ORDER BY l.id)::text[] AS ids,
       (array_agg(DISTINCT l.cause))[1:10] AS causes
  FROM hits l
 GROUP BY l.platform, l.period_type, l.period_start, l.period_key, l.formula_version, l.week_start
 ORDER BY l.platform, ${TYPE_ORDER}, l.period_start`;

/** The keys of `next` whose values differ from `previous` (all of them for an insert). */
export function changedFields(
  previous: Record<string, unknown> | null,
  next: Record<string, unknown> | null,
): string[] {
  const keys = new Set([...Object.keys(previous ?? {}), ...Object.keys(next ?? {})]);
  return [...keys].filter(
    (k) => JSON.stringify(previous?.[k] ?? null) !== JSON.stringify(next?.[k] ?? null),
  );
}

/** Where a change is: its table and key columns. */
function locate(change: ChangeRow): Record<string, unknown> {
  return {
    changeId: Number(change.id),
    table: change.source_table,
    operation: change.operation,
    accountId: change.account_id,
    day: change.day,
    ...(change.item_key === null ? {} : { item: change.item_key }),
  };
}

/**
 * R24: consumes the raw-value changes the fact-table triggers recorded (score_invalidations),
 * recomputes each affected scored period exactly once (trigger data_change) and writes one audit
 * row per recompute with the old values, the new values and the cause of the changes it folds in.
 * Run by one replica at a time (the score.changes schedule slot).
 */
@Injectable()
export class ScoreChangesService {
  private readonly logger = new Logger(ScoreChangesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly runs: ScoreRunService,
    private readonly audit: AuditService,
  ) {}

  async recomputeChanged(): Promise<{ changes: number; runs: ScoreRunRecord[] }> {
    const [{ max }] = await this.dataSource.query<{ max: string | null }[]>(
      `SELECT max(id) AS max FROM (
         SELECT id FROM score_invalidations WHERE consumed_at IS NULL ORDER BY id LIMIT $1) p`,
      [MAX_CHANGES_PER_PASS],
    );
    if (max === null) return { changes: 0, runs: [] };
    const affected = await this.dataSource.query<AffectedPeriod[]>(AFFECTED_PERIODS_SQL, [max]);
    const done: ScoreRunRecord[] = [];
    for (const target of affected) {
      const period = parsePeriodKey(target.period_key) as Period;
      const cause = `${target.ids.length} raw value change(s): ${target.causes.join('; ')}`;
      const run = await this.runs.run({
        platform: target.platform,
        period,
        formulaVersion: target.formula_version,
        trigger: 'data_change',
        requestedBy: SCORING_ACTOR.name,
        cause: cause.slice(0, 1_000),
      });
      await this.recordAudit(run, target);
      done.push(run);
      await this.dataSource.query(
        `UPDATE score_invalidations SET run_ids = array_append(coalesce(run_ids, '{}'), $2::bigint)
         WHERE id = ANY($1::bigint[])`,
        [target.ids, run.id],
      );
    }
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `WITH c AS (UPDATE score_invalidations SET consumed_at = now(), run_ids = coalesce(run_ids, '{}')
                   WHERE consumed_at IS NULL AND id <= $1 RETURNING 1)
       SELECT count(*)::int AS n FROM c`,
      [max],
    );
    await this.dataSource.query(
      `DELETE FROM score_invalidations WHERE consumed_at < now() - make_interval(days => $1)`,
      [KEEP_CONSUMED_DAYS],
    );
    if (n > 0) {
      this.logger.log(
        { changes: n, runs: done.length },
        `score changes: ${n} raw value change(s) → ${done.length} recompute(s)`,
      );
    }
    return { changes: n, runs: done };
  }

  /**
   * After a backfill sweep rescored every period overlapping [from, to]: the pending changes of
   * that range recorded before the sweep started are covered by it, so they are consumed without
   * another recompute (one audit row quotes them).
   */
  async foldIntoSweep(
    from: string,
    to: string,
    startedAt: Date,
    runs: readonly ScoreRunRecord[],
    label: string,
  ): Promise<number> {
    const ids = (
      await this.dataSource.query<{ id: string }[]>(
        `SELECT id FROM score_invalidations
          WHERE consumed_at IS NULL AND created_at < $3 AND day BETWEEN $1::date AND $2::date`,
        [from, to, startedAt],
      )
    ).map((r) => r.id);
    if (ids.length === 0) return 0;
    const runIds = runs.map((r) => r.id);
    await this.dataSource.query(
      `UPDATE score_invalidations SET consumed_at = now(), run_ids = $2::bigint[]
        WHERE id = ANY($1::bigint[])`,
      [ids, runIds.length > 0 ? [runIds[0], runIds[runIds.length - 1]] : []],
    );
    const { before, after } = await this.quote(ids);
    const scope = { sweep: label, from, to, runs: runIds.length, changeCount: ids.length };
    await this.audit.record(this.dataSource.manager, SCORING_ACTOR, [
      {
        action: 'score.recompute',
        entityType: 'score_sweep',
        entityId: label,
        before: { ...scope, changes: before },
        after: {
          ...scope,
          firstRunId: runIds[0] ?? null,
          lastRunId: runIds.at(-1) ?? null,
          changes: after,
        },
      },
    ]);
    return ids.length;
  }

  /** The first AUDITED_CHANGES changes, located, with the changed fields' old and new values. */
  private async quote(ids: readonly string[]) {
    const changes = await this.dataSource.query<ChangeRow[]>(
      `SELECT id, account_id, day::text AS day, source_table, operation, item_key, old_values,
              new_values, cause
         FROM score_invalidations WHERE id = ANY($1::bigint[]) ORDER BY id LIMIT $2`,
      [ids, AUDITED_CHANGES],
    );
    const pick = (values: Record<string, unknown> | null, keys: string[]) =>
      values === null ? null : Object.fromEntries(keys.map((k) => [k, values[k] ?? null]));
    return {
      quoted: changes.length,
      before: changes.map((c) => {
        const keys = changedFields(c.old_values, c.new_values);
        return { ...locate(c), values: pick(c.old_values, keys) };
      }),
      after: changes.map((c) => {
        const keys = changedFields(c.old_values, c.new_values);
        return { ...locate(c), values: pick(c.new_values, keys), cause: c.cause };
      }),
    };
  }

  /** One audit row per recompute: the first AUDITED_CHANGES changes, old and new values. */
  private async recordAudit(run: ScoreRunRecord, target: AffectedPeriod): Promise<void> {
    const { before, after, quoted } = await this.quote(target.ids);
    const scope = {
      runId: run.id,
      status: run.status,
      platform: run.platform,
      periodType: run.periodType,
      periodKey: run.periodKey,
      formulaVersion: run.formulaVersion,
      changeCount: target.ids.length,
      quoted,
    };
    await this.audit.record(this.dataSource.manager, SCORING_ACTOR, [
      {
        action: 'score.recompute',
        entityType: 'score_run',
        entityId: run.id,
        before: { ...scope, changes: before },
        after: { ...scope, cause: run.cause, rowsWritten: run.accounts, changes: after },
      },
    ]);
  }
}

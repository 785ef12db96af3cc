import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PLATFORMS, type Platform } from '../../accounts/account-taxonomy';
import { businessDate } from '../../common/business-date';
import { addDays } from '../../common/calendar-date';
import { claimSlot, finishSlot } from '../../collection/schedule-ledger';
import type { ScheduleDefinition } from '../../collection/schedule-slots';
import {
  CLOCK,
  type Clock,
  REPLICA_ID,
  ScheduleTickService,
} from '../../collection/schedule-tick.service';
import { APP_CONFIG, type AppConfig, type ScoringConfig } from '../../config/app-config';
import { DEFAULT_BCI_VERSION } from '../formulas/bci';
import type { Period } from '../periods';
import { ScoreChangesService } from './score-changes.service';
import { periodsOverlapping, scheduledPeriods } from './score-periods';
import type { FormulaVersion } from './score-run.sql';
import { ScoreRunService, type ScoreRunRecord, type ScoreRunTrigger } from './score-run.service';

/** Every minute on every replica (30 s past, off the collection tick); the ledger decides. */
export const SCORE_TICK_CRON = '30 * * * * *';
export const DAILY_SCHEDULE = 'score.daily';
export const CHANGES_SCHEDULE = 'score.changes';
/** A backfill's sweep is claimed in the ledger as `score.backfill#<id>` at its finish time. */
export const BACKFILL_SCHEDULE_PREFIX = 'score.backfill#';
/** Finished backfills older than this are not swept any more (e.g. on a first deployment). */
export const BACKFILL_SWEEP_WINDOW_DAYS = 7;
/** An unfinished backfill younger than this defers change recomputes (its sweep covers them). */
export const BACKFILL_DEFER_HOURS = 24;

/** The schedules of record for scoring, from the configured cadences. */
export function scoringSchedules(c: ScoringConfig): ScheduleDefinition[] {
  return [
    { name: DAILY_SCHEDULE, daily: c.dailyAt },
    { name: CHANGES_SCHEDULE, everyMinutes: c.changesEveryMinutes },
  ];
}

/**
 * Scheduled score runs, on the collection scheduler's ledger (schedule_runs) so one replica runs
 * each slot: `score.daily` (yesterday and the current and previous week/month/quarter/year with
 * stored data), `score.changes` (periods whose stored raw values changed, R24) and, once per
 * finished backfill, every period overlapping its range. Cron handler thin: claim, select, run.
 */
@Injectable()
export class ScoreScheduler implements OnModuleInit {
  private readonly logger = new Logger(ScoreScheduler.name);
  private readonly config: ScoringConfig;
  private ticks: ScheduleTickService | null = null;
  private running = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) appConfig: AppConfig,
    private readonly runs: ScoreRunService,
    private readonly changes: ScoreChangesService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REPLICA_ID) private readonly replicaId: string,
  ) {
    this.config = appConfig.scoring;
  }

  onModuleInit(): void {
    if (!this.config.schedule) return;
    // Its own tick service (not a provider: one @Cron name per process) over the shared ledger.
    this.ticks = new ScheduleTickService(
      this.dataSource,
      this.clock,
      scoringSchedules(this.config),
      this.replicaId,
    );
    this.ticks.registerHandler(DAILY_SCHEDULE, async (slot) => {
      await this.scoreScheduled(slot);
    });
    this.ticks.registerHandler(CHANGES_SCHEDULE, async () => {
      if (await this.backfillRunning()) return;
      await this.changes.recomputeChanged();
    });
  }

  @Cron(SCORE_TICK_CRON, { name: 'score-tick' })
  async tick(): Promise<void> {
    if (this.ticks === null || this.running) return;
    this.running = true;
    try {
      await this.ticks.tick();
      await this.sweepFinishedBackfills();
    } catch (err) {
      this.logger.error({ err }, 'score tick failed');
    } finally {
      this.running = false;
    }
  }

  formulaVersionFor(platform: Platform): FormulaVersion {
    return platform === 'wechat' ? this.config.wciVersion : DEFAULT_BCI_VERSION;
  }

  /** The daily slot: yesterday and the current and previous longer periods that have data. */
  async scoreScheduled(slot: Date): Promise<ScoreRunRecord[]> {
    const today = businessDate(slot);
    // A running backfill's sweep scores all of this once it finishes; scoring now would only
    // turn every row it still writes into a change to recompute.
    if (await this.backfillRunning()) {
      this.logger.log(
        `daily score runs for ${today} deferred: a backfill is running (its sweep scores them)`,
      );
      return [];
    }
    const periods = scheduledPeriods(today, this.config.weekStart);
    return this.scorePeriods(periods, 'schedule', `daily schedule ${today}`);
  }

  /**
   * Every finished backfill (within the sweep window) not swept yet: claimed once across replicas,
   * then every period of every type overlapping its range, up to yesterday, scored oldest first.
   */
  async sweepFinishedBackfills(): Promise<number> {
    const due = await this.dataSource.query<
      { id: number; from_day: string; to_day: string; finished_at: Date }[]
    >(
      `SELECT b.id, b.from_day::text AS from_day, b.to_day::text AS to_day, b.finished_at
         FROM backfill_runs b
        WHERE b.finished_at IS NOT NULL
          AND b.finished_at > now() - make_interval(days => $1)
          AND NOT EXISTS (SELECT 1 FROM schedule_runs r WHERE r.schedule = $2 || b.id)
        ORDER BY b.id`,
      [BACKFILL_SWEEP_WINDOW_DAYS, BACKFILL_SCHEDULE_PREFIX],
    );
    let swept = 0;
    for (const backfill of due) {
      const schedule = `${BACKFILL_SCHEDULE_PREFIX}${backfill.id}`;
      if (!(await claimSlot(this.dataSource, schedule, backfill.finished_at, this.replicaId))) {
        continue;
      }
      let outcome: 'ok' | 'failed' = 'ok';
      let error: string | undefined;
      try {
        await this.sweepBackfill(backfill.id, backfill.from_day, backfill.to_day);
        swept++;
      } catch (err) {
        outcome = 'failed';
        error = err instanceof Error ? err.message : String(err);
        this.logger.error({ err, backfillRunId: backfill.id }, 'backfill score sweep failed');
      }
      await finishSlot(this.dataSource, schedule, backfill.finished_at, outcome, error);
    }
    return swept;
  }

  async sweepBackfill(id: number, fromDay: string, toDay: string): Promise<ScoreRunRecord[]> {
    const yesterday = addDays(businessDate(this.clock.now()), -1);
    const to = toDay < yesterday ? toDay : yesterday;
    const periods = periodsOverlapping(fromDay, to, this.config.weekStart);
    this.logger.log(
      { backfillRunId: id, fromDay, to, periods: periods.length },
      `backfill #${id} finished: scoring ${periods.length} periods × ${PLATFORMS.length} platforms (${fromDay}…${to})`,
    );
    const startedAt = new Date();
    const done = await this.scorePeriods(periods, 'schedule', `backfill #${id} finished`, true);
    await this.changes.foldIntoSweep(fromDay, to, startedAt, done, `backfill #${id}`);
    return done;
  }

  /** Runs each period with stored data for each platform (that has accounts), in order. */
  private async scorePeriods(
    periods: readonly Period[],
    trigger: ScoreRunTrigger,
    cause: string,
    logProgress = false,
  ): Promise<ScoreRunRecord[]> {
    const done: ScoreRunRecord[] = [];
    const planned: { platform: Platform; period: Period }[] = [];
    for (const platform of PLATFORMS) {
      for (const period of periods) {
        if (await this.hasData(platform, period)) planned.push({ platform, period });
      }
    }
    const started = performance.now();
    for (const [index, { platform, period }] of planned.entries()) {
      done.push(
        await this.runs.run({
          platform,
          period,
          formulaVersion: this.formulaVersionFor(platform),
          trigger,
          requestedBy: 'system:scheduler',
          cause,
        }),
      );
      const finished = index + 1;
      if (logProgress && (finished % 20 === 0 || finished === planned.length)) {
        const seconds = (performance.now() - started) / 1000;
        this.logger.log(
          { runs: finished, of: planned.length, seconds: Math.round(seconds) },
          `${cause}: ${finished}/${planned.length} score runs (${platform} ${period.type} ${period.key}), ${seconds.toFixed(0)} s`,
        );
      }
    }
    const failed = done.filter((r) => r.status === 'failed').length;
    if (failed > 0) this.logger.warn({ failed, cause }, `${cause}: ${failed} score run(s) failed`);
    return done;
  }

  /** Any daily row or post of the platform's accounts in the period. */
  private async hasData(platform: Platform, period: Period): Promise<boolean> {
    const [row] = await this.dataSource.query<{ has: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM account_daily_metrics m JOIN accounts a ON a.id = m.account_id
                       WHERE a.platform = $1 AND m.day BETWEEN $2::date AND $3::date)
           OR EXISTS (SELECT 1 FROM posts p JOIN accounts a ON a.id = p.account_id
                       WHERE a.platform = $1 AND p.published_on BETWEEN $2::date AND $3::date) AS has`,
      [platform, period.start, period.end],
    );
    return row.has;
  }

  private async backfillRunning(): Promise<boolean> {
    const [row] = await this.dataSource.query<{ running: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM backfill_runs WHERE finished_at IS NULL
                        AND created_at > now() - make_interval(hours => $1)) AS running`,
      [BACKFILL_DEFER_HOURS],
    );
    return row.running;
  }
}

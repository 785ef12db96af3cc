import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ScheduleDefinition } from '../collection/schedule-slots';
import {
  CLOCK,
  type Clock,
  REPLICA_ID,
  ScheduleTickService,
  type SlotRun,
} from '../collection/schedule-tick.service';
import { APP_CONFIG, type AppConfig, type CapabilityConfig } from '../config/app-config';
import { ResultsService } from './results.service';
import type { RunResponse } from './results.dto';

/** Every minute on every replica (45 s past, off the collection and score ticks); the ledger decides. */
export const CAPABILITY_TICK_CRON = '45 * * * * *';
export const RECOMPUTE_SCHEDULE = 'capability.recompute';
/** Most editions one slot recomputes (oldest change first); the next slot takes the rest. */
export const RECOMPUTE_BATCH = 20;
export const SCHEDULER_ACTOR = 'system:capability-scheduler';

/**
 * Editions with results that no longer match their inputs ($1 limit): flagged outdated (an
 * assessment, the tree, the cohort or the settings changed), or whose period's WCI rows in
 * account_scores were rewritten after the results (the check ResultsService.state makes).
 */
const OUTDATED_EDITIONS_SQL = `
SELECT e.id, e.code, e.outdated_reason
FROM capability_editions e
JOIN capability_runs r ON r.id = e.results_run_id
WHERE e.results_outdated
   OR EXISTS (
     SELECT 1 FROM capability_cohort c
     JOIN account_scores s ON s.account_id = c.account_id
     WHERE c.edition_id = e.id AND s.platform = 'wechat' AND s.formula_version = e.formula_version
       AND s.week_start = 'monday' AND s.period_type IN ('year', 'quarter', 'month')
       AND s.period_start >= e.period_start AND s.period_end <= e.period_end
       AND s.computed_at > r.finished_at)
ORDER BY coalesce(e.outdated_at, r.finished_at), e.id
LIMIT $1`;

export function capabilitySchedules(c: CapabilityConfig): ScheduleDefinition[] {
  // Only the current slot: a missed one changes nothing, the next finds the same editions.
  return [{ name: RECOMPUTE_SCHEDULE, everyMinutes: c.recomputeEveryMinutes, fillWindowMs: 0 }];
}

/**
 * Background recompute of outdated capability results, on the collection scheduler's ledger
 * (schedule_runs) so exactly one replica runs each slot. Cron handler thin: claim, select, run,
 * one log line per edition.
 */
@Injectable()
export class CapabilityRecomputeScheduler implements OnModuleInit {
  private readonly logger = new Logger(CapabilityRecomputeScheduler.name);
  private readonly config: CapabilityConfig;
  private ticks: ScheduleTickService | null = null;
  private running = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) appConfig: AppConfig,
    private readonly results: ResultsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REPLICA_ID) private readonly replicaId: string,
  ) {
    this.config = appConfig.capability;
  }

  onModuleInit(): void {
    if (!this.config.recomputeSchedule) return;
    // Its own tick service (not a provider: one @Cron name per process) over the shared ledger.
    this.ticks = new ScheduleTickService(
      this.dataSource,
      this.clock,
      capabilitySchedules(this.config),
      this.replicaId,
    );
    this.ticks.registerHandler(RECOMPUTE_SCHEDULE, async () => {
      await this.recomputeOutdated();
    });
  }

  @Cron(CAPABILITY_TICK_CRON, { name: 'capability-tick' })
  async tick(): Promise<SlotRun[]> {
    if (this.ticks === null || this.running) return [];
    this.running = true;
    try {
      return await this.ticks.tick();
    } finally {
      this.running = false;
    }
  }

  /** Recomputes the outdated editions one by one; one failing does not stop the others. */
  async recomputeOutdated(): Promise<RunResponse[]> {
    const due = await this.dataSource.query<
      { id: number; code: string; outdated_reason: string | null }[]
    >(OUTDATED_EDITIONS_SQL, [RECOMPUTE_BATCH]);
    const done: RunResponse[] = [];
    const failed: string[] = [];
    for (const edition of due) {
      const reason = edition.outdated_reason ?? 'WCI scores of the period rewritten';
      try {
        const run = await this.results.recomputeIfOutdated(edition.id, SCHEDULER_ACTOR);
        if (run === null) continue; // recomputed meanwhile (by hand, or an assessment write)
        done.push(run);
        this.logger.log(
          { editionId: edition.id, runId: run.runId, ms: run.ms, scored: run.scored, reason },
          `capability edition ${edition.code}: outdated results recomputed in the background (${reason}); ${run.scored}/${run.regions} regions scored`,
        );
      } catch (err) {
        failed.push(edition.code);
        this.logger.error(
          { err, editionId: edition.id },
          `capability edition ${edition.code}: background recompute failed`,
        );
      }
    }
    // The slot is recorded failed in the ledger; the editions stay outdated for the next slot.
    if (failed.length > 0) throw new Error(`background recompute failed for ${failed.join(', ')}`);
    return done;
  }
}

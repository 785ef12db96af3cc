import { Global, Module } from '@nestjs/common';
import {
  CLOCK,
  REPLICA_ID,
  defaultReplicaId,
  systemClock,
} from '../collection/schedule-tick.service';
import { ScoreChangesService } from './runs/score-changes.service';
import { ScoreRunService } from './runs/score-run.service';
import { ScoreRunsController } from './runs/score-runs.controller';
import { ScoreRunsService } from './runs/score-runs.service';
import { ScoreScheduler } from './runs/score-scheduler.service';

/**
 * Score runs (src/scoring/runs), every role: the run executor, the change consumer and the
 * scheduler (inert unless SCORING_SCHEDULE resolves true; the schedule_runs ledger lets one replica
 * run each slot). Global, so the API part and other features can start runs.
 */
@Global()
@Module({
  providers: [
    ScoreRunService,
    ScoreChangesService,
    ScoreScheduler,
    { provide: CLOCK, useValue: systemClock },
    { provide: REPLICA_ID, useFactory: defaultReplicaId },
  ],
  exports: [ScoreRunService, ScoreChangesService, ScoreScheduler, CLOCK],
})
export class ScoringModule {}

/** The score run endpoints (/api/v1/scores/recompute, /runs): an `api` feature module. */
@Module({
  controllers: [ScoreRunsController],
  providers: [ScoreRunsService],
})
export class ScoringApiModule {}

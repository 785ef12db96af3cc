import { Module } from '@nestjs/common';
import { REPLICA_ID, defaultReplicaId } from '../collection/schedule-tick.service';
import { AssessmentsController } from './assessments.controller';
import { AssessmentsService } from './assessments.service';
import { CapabilityRecomputeScheduler } from './capability-recompute.scheduler';
import { CohortService } from './cohort.service';
import { EditionsController } from './editions.controller';
import { EditionsService } from './editions.service';
import { MenuSnapshotService } from './menu-snapshots.service';
import { ReportController } from './report.controller';
import { ReportService } from './report.service';
import { ResultsService } from './results.service';

/**
 * The WeChat service-capability index: editions, trees, cohorts, assessments, results, reports
 * (api role). Needs the global WechatClient, WechatTokenService, RequestBudget (collection
 * pipeline) and CLOCK (scoring) for the menu reads and the background recompute.
 */
@Module({
  controllers: [EditionsController, AssessmentsController, ReportController],
  providers: [
    EditionsService,
    CohortService,
    AssessmentsService,
    ResultsService,
    ReportService,
    MenuSnapshotService,
    CapabilityRecomputeScheduler,
    { provide: REPLICA_ID, useFactory: defaultReplicaId },
  ],
})
export class CapabilityModule {}

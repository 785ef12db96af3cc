import { type DynamicModule, Module } from '@nestjs/common';
import type { ScheduleDefinition } from './schedule-slots';
import {
  CLOCK,
  REPLICA_ID,
  SCHEDULES,
  ScheduleTickService,
  defaultReplicaId,
  systemClock,
} from './schedule-tick.service';

const NO_SCHEDULES: readonly ScheduleDefinition[] = [];

/**
 * The scheduler of record: every replica ticks each minute (needs ScheduleModule.forRoot() and
 * TypeORM's DataSource in the app); the schedule_runs ledger decides which replica runs a slot.
 *
 * Imported as `CollectionModule` it is inert: no schedules. `CollectionModule.register({ schedules })`
 * configures them; a module that imports it registers one handler per schedule
 * (ScheduleTickService.registerHandler, e.g. in onModuleInit). A schedule without a handler has its
 * slots claimed and recorded as failed.
 */
@Module({
  providers: [
    ScheduleTickService,
    { provide: CLOCK, useValue: systemClock },
    { provide: SCHEDULES, useValue: NO_SCHEDULES },
    { provide: REPLICA_ID, useFactory: defaultReplicaId },
  ],
  exports: [ScheduleTickService, CLOCK],
})
export class CollectionModule {
  static register(options: { schedules: readonly ScheduleDefinition[] }): DynamicModule {
    return {
      module: CollectionModule,
      providers: [{ provide: SCHEDULES, useValue: options.schedules }],
    };
  }
}

import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { RequestBudget } from './budget/request-budget';
import { CollectionModule } from './collection.module';
import { CollectionScheduler, collectionSchedules } from './collection-scheduler.service';
import { CollectionWorker, TASK_HANDLERS } from './collection-worker.service';
import { COLLECTION_DISPATCHER } from './health/collection-dispatcher';
import { CollectionHealthModule } from './health/collection-health.module';
import { JobQueue } from './queue/job-queue';
import type { TaskHandler } from './tasks/task-handler';
import { WechatDailyTask } from './tasks/wechat-daily.task';
import { WeiboCountersTask } from './tasks/weibo-counters.task';
import { WeiboFollowersTask } from './tasks/weibo-followers.task';
import { WeiboPostsTask } from './tasks/weibo-posts.task';

export interface CollectionPipelineOptions {
  config: AppConfig;
  databaseUrl: string;
}

const TASKS = [WechatDailyTask, WeiboFollowersTask, WeiboPostsTask, WeiboCountersTask];

/**
 * Scheduled collection end to end: the schedules of record and their fan-out (every role: the
 * ledger lets one replica fan each slot out), the pg-boss queue, the workers (worker and all roles),
 * health, alerts and the /api/v1/collection endpoints (api and all roles). Global, so the demo can
 * start the first backfill through CollectionScheduler.
 */
@Module({})
export class CollectionPipelineModule {
  static register({ config, databaseUrl }: CollectionPipelineOptions): DynamicModule {
    const c = config.collection;
    const runsWorker = c.enabled && config.role !== 'api';
    const providers: Provider[] = [
      {
        provide: JobQueue,
        useFactory: () =>
          new JobQueue({
            databaseUrl,
            maxAttempts: c.maxAttempts,
            retryDelaySeconds: c.retryDelaySeconds,
            expireSeconds: c.jobExpireSeconds,
            maintenanceSeconds: c.queueMaintenanceSeconds,
            poolSize: 4,
          }),
      },
      CollectionScheduler,
      RequestBudget,
      ...(runsWorker
        ? [
            ...TASKS,
            {
              provide: TASK_HANDLERS,
              inject: TASKS,
              useFactory: (...handlers: TaskHandler[]) => handlers,
            },
            CollectionWorker,
          ]
        : []),
    ];
    return {
      module: CollectionPipelineModule,
      global: true,
      imports: [
        CollectionModule.register({
          schedules: c.enabled && c.schedules ? collectionSchedules(c) : [],
        }),
        CollectionHealthModule.register({
          http: config.role !== 'worker',
          dispatcher: { provide: COLLECTION_DISPATCHER, useExisting: CollectionScheduler },
        }),
      ],
      providers,
      // RequestBudget: other features' platform calls (the capability index's menu reads) share it.
      exports: [CollectionScheduler, JobQueue, RequestBudget],
    };
  }
}

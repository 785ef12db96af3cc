import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { businessDate } from '../common/business-date';
import { regionSubtreePrefix } from '../regions/region-catalog';
import { addDays } from '../common/calendar-date';
import { APP_CONFIG, type AppConfig, type CollectionConfig } from '../config/app-config';
import { WEIBO_BATCH_SIZE } from '../platforms/weibo/weibo.client';
import {
  COLLECTION_TASKS,
  type CollectionJobData,
  type CollectionTask,
} from './collection-contracts';
import { readBookmarks } from './bookmarks';
import { claimNewAccounts, dueAccounts, planJobs, type DueAccount } from './fan-out';
import { type DayRange, daysOf, pendingRanges } from './tasks/collection-windows';
import { JobQueue, type QueuedJob } from './queue/job-queue';
import type { ScheduleDefinition } from './schedule-slots';
import { CLOCK, type Clock, ScheduleTickService } from './schedule-tick.service';

/** New accounts (or newly attached credentials) are picked up for backfill this often. */
export const NEW_ACCOUNT_SWEEP_MINUTES = 5;

/** The schedules of record for collection, from the configured cadences. */
export function collectionSchedules(c: CollectionConfig): ScheduleDefinition[] {
  return [
    { name: 'collect.wechat.daily', daily: c.wechatDailyAt },
    { name: 'collect.weibo.followers', daily: c.weiboFollowersAt },
    { name: 'collect.weibo.counters', daily: c.weiboFollowersAt },
    { name: 'collect.weibo.posts', everyMinutes: c.weiboPostsEveryMinutes },
    { name: 'collect.new-accounts', everyMinutes: NEW_ACCOUNT_SWEEP_MINUTES },
  ];
}

export interface TriggerRequest {
  task?: CollectionTask;
  accountIds?: number[];
  day?: string;
  reset?: boolean;
}

export interface BackfillRequest {
  accountIds?: number[];
  days: number;
}

/**
 * The fan-out: turns a claimed schedule slot (or an API request) into pg-boss jobs for the accounts
 * that are due, one `insert()` per run. Only due work is enqueued (accounts whose bookmark is
 * behind), so the backlog stays small and a replayed slot adds nothing (job keys).
 */
@Injectable()
export class CollectionScheduler implements OnModuleInit {
  private readonly logger = new Logger(CollectionScheduler.name);
  private readonly config: CollectionConfig;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) appConfig: AppConfig,
    private readonly queue: JobQueue,
    private readonly ticks: ScheduleTickService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.config = appConfig.collection;
  }

  onModuleInit(): void {
    if (!this.config.enabled || !this.config.schedules) return;
    const c = this.config;
    const daySpread = c.spreadMinutes * 60_000;
    const postsSpread = Math.min(daySpread, (c.weiboPostsEveryMinutes * 60_000) / 2);
    this.ticks.registerHandler('collect.wechat.daily', async (slot) => {
      await this.fanOut('wechat.daily', addDays(businessDate(slot), -1), slot, daySpread);
    });
    this.ticks.registerHandler('collect.weibo.followers', async (slot) => {
      await this.fanOut('weibo.followers', businessDate(slot), slot, daySpread);
    });
    this.ticks.registerHandler('collect.weibo.counters', async (slot) => {
      await this.fanOut('weibo.counters', businessDate(slot), slot, daySpread);
    });
    this.ticks.registerHandler('collect.weibo.posts', async (slot) => {
      await this.fanOut('weibo.posts', businessDate(slot), slot, postsSpread, 'all');
    });
    this.ticks.registerHandler('collect.new-accounts', async () => {
      await this.backfillNewAccounts();
    });
  }

  /** The day a task collects through when run at `at`: yesterday for datacube, else today. */
  throughDayFor(task: CollectionTask, at: Date): string {
    const today = businessDate(at);
    return task === 'wechat.daily' ? addDays(today, -1) : today;
  }

  private perJob(task: CollectionTask): number {
    return task === 'weibo.followers' || task === 'weibo.counters'
      ? WEIBO_BATCH_SIZE
      : this.config.wechatAccountsPerJob;
  }

  /** One scheduled slot: the due accounts of a task, spread over the window after the slot. */
  async fanOut(
    task: CollectionTask,
    throughDay: string,
    slot: Date,
    spreadMs: number,
    due: 'behind' | 'all' = 'behind',
  ): Promise<number> {
    const accounts = await dueAccounts(this.dataSource, { task, throughDay, due });
    const jobs = planJobs(accounts, { task, throughDay }, this.perJob(task), slot, spreadMs);
    const queued = await this.queue.enqueue(jobs);
    this.logger.log(
      { task, throughDay, accounts: accounts.length, jobs: queued },
      `fan-out ${task} through ${throughDay}: ${accounts.length} accounts in ${queued} jobs`,
    );
    return queued;
  }

  /**
   * Accounts never collected (registered, or given credentials, since the last sweep): claims
   * their bookmark rows and enqueues their backfill.
   */
  async backfillNewAccounts(): Promise<{ runId: number; accounts: number } | null> {
    const fresh: DueAccount[] = [];
    for (const task of ['wechat.daily', 'weibo.posts'] as const) {
      const candidates = await dueAccounts(this.dataSource, {
        task,
        throughDay: this.throughDayFor(task, this.clock.now()),
        due: 'new',
      });
      const claimed = new Set(
        await claimNewAccounts(
          this.dataSource,
          task,
          candidates.map((a) => a.accountId),
        ),
      );
      fresh.push(...candidates.filter((a) => claimed.has(a.accountId)));
    }
    if (fresh.length === 0) return null;
    const run = await this.startBackfill(fresh, this.config.backfillDays, 'system:new-accounts');
    return { runId: run.runId, accounts: fresh.length };
  }

  /** POST /api/v1/collection/trigger: due work now, without spreading. */
  async trigger(
    request: TriggerRequest,
    principal: Pick<Principal, 'regionCode'>,
  ): Promise<{ jobs: number; accounts: number; tasks: CollectionTask[] }> {
    const tasks = request.task ? [request.task] : [...COLLECTION_TASKS];
    if (request.reset && request.accountIds?.length) {
      await this.dataSource.query(
        // Only accounts inside the caller's region scope (like the fan-out below).
        `UPDATE account_collection_health h SET state = 'ok', up = true, consecutive_failures = 0,
           alerted_at = NULL, updated_at = now()
         FROM accounts a JOIN organizations o ON o.id = a.organization_id
         WHERE a.id = h.account_id AND h.account_id = ANY($1::int[])
           AND h.state IN ('dead', 'failing', 'quota_exhausted')
           AND ($2::text IS NULL OR o.region_code LIKE $2::text)`,
        [
          request.accountIds,
          principal.regionCode ? `${regionSubtreePrefix(principal.regionCode)}%` : null,
        ],
      );
    }
    const now = this.clock.now();
    let jobs: QueuedJob[] = [];
    let accounts = 0;
    for (const task of tasks) {
      const throughDay =
        task === 'wechat.daily'
          ? minDay(request.day ?? this.throughDayFor(task, now), this.throughDayFor(task, now))
          : this.throughDayFor(task, now);
      const due = await dueAccounts(this.dataSource, {
        task,
        throughDay,
        due: request.accountIds ? 'any' : task === 'weibo.posts' ? 'all' : 'behind',
        accountIds: request.accountIds,
        regionCode: principal.regionCode,
      });
      accounts += due.length;
      jobs = jobs.concat(planJobs(due, { task, throughDay }, this.perJob(task), now, 0));
    }
    const queued = await this.queue.enqueue(jobs);
    this.logger.log({ tasks, accounts, jobs: queued }, 'collection triggered');
    return { jobs: queued, accounts, tasks };
  }

  /** POST /api/v1/collection/backfill: the last `days` days of the given (or all) accounts. */
  async backfill(
    request: BackfillRequest,
    principal: Pick<Principal, 'regionCode'> & { name?: string },
  ): Promise<{ runId: number; accounts: number; fromDay: string; toDay: string; jobs: number }> {
    const accounts: DueAccount[] = [];
    for (const task of ['wechat.daily', 'weibo.posts'] as const) {
      const due = await dueAccounts(this.dataSource, {
        task,
        throughDay: this.throughDayFor(task, this.clock.now()),
        due: 'any',
        accountIds: request.accountIds,
        regionCode: principal.regionCode,
      });
      await claimNewAccounts(
        this.dataSource,
        task,
        due.map((a) => a.accountId),
      );
      accounts.push(...due);
    }
    return this.startBackfill(accounts, request.days, principal.name ?? 'api');
  }

  /** Days a backfill job will collect for these accounts, from their bookmarks (pendingRanges). */
  private async pendingDays(
    task: CollectionTask,
    accounts: readonly DueAccount[],
    fromDay: string,
    throughDay: string,
  ): Promise<number> {
    const bookmarks = await readBookmarks(
      this.dataSource,
      task,
      accounts.map((a) => a.accountId),
    );
    let total = 0;
    for (const account of accounts) {
      const bookmark = bookmarks.get(account.accountId);
      // A bookmark past the window (R14) leaves nothing to do.
      if (bookmark?.coveredThrough && bookmark.coveredThrough > throughDay) continue;
      const { head, tail } = pendingRanges({ fromDay, throughDay }, bookmark);
      total += rangeDays(head) + rangeDays(tail);
    }
    return total;
  }

  private async startBackfill(
    accounts: readonly DueAccount[],
    days: number,
    requestedBy: string,
  ): Promise<{ runId: number; accounts: number; fromDay: string; toDay: string; jobs: number }> {
    const now = this.clock.now();
    const today = businessDate(now);
    const yesterday = addDays(today, -1);
    const wechat = accounts.filter((a) => a.platform === 'wechat');
    const weibo = accounts.filter((a) => a.platform === 'weibo');
    const fromDay = addDays(today, -days);
    // Only the days not stored yet count: a backfill over stored history finishes at once.
    const total =
      (await this.pendingDays('wechat.daily', wechat, fromDay, yesterday)) +
      (await this.pendingDays('weibo.posts', weibo, fromDay, today));
    const [run] = await this.dataSource.query<{ id: number }[]>(
      `INSERT INTO backfill_runs (requested_by, from_day, to_day, accounts, total_days, finished_at)
       VALUES ($1, $2, $3, $4, $5::bigint, CASE WHEN $5::bigint = 0 THEN now() END) RETURNING id`,
      [requestedBy, fromDay, today, accounts.length, total],
    );
    const template = (task: CollectionTask, from: string, through: string) =>
      ({ task, fromDay: from, throughDay: through, backfillRunId: run.id }) satisfies Omit<
        CollectionJobData,
        'accountIds'
      >;
    const jobs = [
      ...planJobs(
        wechat,
        template('wechat.daily', fromDay, yesterday),
        this.perJob('wechat.daily'),
        now,
        0,
      ),
      ...planJobs(
        weibo,
        template('weibo.posts', fromDay, today),
        this.perJob('weibo.posts'),
        now,
        0,
      ),
      ...planJobs(
        weibo,
        { task: 'weibo.followers', throughDay: today },
        this.perJob('weibo.followers'),
        now,
        0,
      ),
    ];
    const queued = await this.queue.enqueue(jobs);
    this.logger.log(
      { runId: run.id, accounts: accounts.length, fromDay, jobs: queued },
      `backfill #${run.id}: ${accounts.length} accounts from ${fromDay} in ${queued} jobs`,
    );
    return { runId: run.id, accounts: accounts.length, fromDay, toDay: today, jobs: queued };
  }
}

const minDay = (a: string, b: string) => (a < b ? a : b);

function rangeDays(range: DayRange | null): number {
  return range ? daysOf(range).length : 0;
}

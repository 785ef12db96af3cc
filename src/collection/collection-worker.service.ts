import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pLimit from 'p-limit';
import type { DataSource } from 'typeorm';
import type { Platform } from '../accounts/account-taxonomy';
import { businessDate } from '../common/business-date';
import { addDays } from '../common/calendar-date';
import { ensureMetricPartitions } from '../metrics/metric-writers';
import { METRIC_TABLES } from '../metrics/partitions';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { recordAccountCheck } from '../credentials/credential-store';
import {
  type AccountOutcome,
  type AccountTarget,
  COLLECTION_TASKS,
  type CollectionTask,
  TASK_PLATFORM,
} from './collection-contracts';
import { AlertNotifier } from './health/alert-notifier';
import { recordOutcomes } from './health/collection-health';
import { CollectionMetrics } from './health/collection-metrics';
import { RequestBudget } from './budget/request-budget';
import { type FetchedJob, JobQueue } from './queue/job-queue';
import { CATCH_UP_DAYS, daysOf } from './tasks/collection-windows';
import type { TaskHandler, TaskRunContext } from './tasks/task-handler';
import { WriteBatcher } from './tasks/write-batcher';

/** The task handlers, by task (provided by the collection module). */
export const TASK_HANDLERS = Symbol('TASK_HANDLERS');

const IDLE_POLL_MS = 1_000;
/**
 * Accounts in progress per request slot: while one account waits for its commit, token or budget,
 * others keep the request slots busy (the request slots alone bound the load on the platform).
 */
const ACCOUNT_SLOTS_PER_REQUEST_SLOT = 3;
const PROGRESS_LOG_MS = 10_000;

/**
 * A worker (APP_ROLE=worker|all): fetches jobs in batches from every task queue, runs each job's
 * accounts through one process-wide limit of `concurrency`, records health, and completes the job
 * or fails it for a retry when an account failed transiently (accounts already done skip on the
 * retry by their bookmark). On shutdown it stops fetching and lets running jobs finish within the
 * shutdown timeout; any still running then expire and are retried by another worker.
 */
@Injectable()
export class CollectionWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CollectionWorker.name);
  /** Account slots: ACCOUNT_SLOTS_PER_REQUEST_SLOT × concurrency. */
  private readonly limit: ReturnType<typeof pLimit>;
  /** Platform request slots: COLLECTION_CONCURRENCY calls in flight at most. */
  private readonly requests: ReturnType<typeof pLimit>;
  /** Process-wide group commit: accounts finishing together share one transaction. */
  private readonly writes: WriteBatcher;
  private readonly handlers: Map<CollectionTask, TaskHandler>;
  private readonly inflight = new Set<Promise<void>>();
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastProgressLog = 0;
  private roundRobin = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: JobQueue,
    private readonly budget: RequestBudget,
    private readonly metrics: CollectionMetrics,
    private readonly notifier: AlertNotifier,
    @Inject(TASK_HANDLERS) handlers: TaskHandler[],
  ) {
    this.limit = pLimit(config.collection.concurrency * ACCOUNT_SLOTS_PER_REQUEST_SLOT);
    this.requests = pLimit(config.collection.concurrency);
    this.writes = new WriteBatcher(dataSource);
    this.handlers = new Map(handlers.map((h) => [h.task, h]));
  }

  onApplicationBootstrap(): void {
    if (!this.config.collection.enabled) return;
    this.loopDone = this.loop();
    this.logger.log(
      `collection worker started: concurrency ${this.config.collection.concurrency}, ` +
        `${this.config.collection.jobBatch} jobs per fetch`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.loopDone) return;
    this.stopping = true;
    this.wake?.();
    await this.loopDone;
    const pending = [...this.inflight];
    if (pending.length > 0) {
      this.logger.log(`waiting for ${pending.length} running collection jobs`);
      await Promise.allSettled(pending);
    }
  }

  /** Jobs in flight at once: enough to keep every account slot busy. */
  private get maxJobs(): number {
    return this.config.collection.jobBatch * 2;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let fetched = 0;
      try {
        const tasks = rotate(COLLECTION_TASKS, this.roundRobin++);
        for (const task of tasks) {
          const room = this.maxJobs - this.inflight.size;
          if (room <= 0 || this.stopping) break;
          const jobs = await this.queue.fetch(
            task,
            Math.min(this.config.collection.jobBatch, room),
          );
          fetched += jobs.length;
          for (const job of jobs) this.track(this.runJob(job));
        }
        await this.logProgress();
      } catch (err) {
        this.logger.warn({ err }, 'fetching collection jobs failed; retrying');
      }
      if (this.stopping) break;
      if (fetched === 0 || this.inflight.size >= this.maxJobs) await this.idle();
    }
  }

  private track(run: Promise<void>): void {
    this.inflight.add(run);
    void run.finally(() => {
      this.inflight.delete(run);
      this.wake?.();
    });
  }

  /** Sleeps until a job finishes, shutdown starts, or the poll interval passes. */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, IDLE_POLL_MS);
      this.wake = done;
    });
  }

  /** Runs one job to its end; never throws. */
  async runJob(job: FetchedJob): Promise<void> {
    const started = performance.now();
    const handler = this.handlers.get(job.task);
    try {
      if (!handler) throw new Error(`no handler for task ${job.task}`);
      const targets = await this.targets(job.data.accountIds, TASK_PLATFORM[job.task]);
      await this.ensurePartitions(job);
      const now = new Date();
      const context: TaskRunContext = {
        job: job.data,
        now,
        today: businessDate(now),
        dataSource: this.dataSource,
        budget: this.budget,
        limit: (fn) => this.limit(fn),
        request: (fn) => this.requests(fn),
        repollAges: this.config.collection.repollAges,
        writes: this.writes,
        source: this.config.platforms.demo ? 'simulated' : 'official_api',
        observeRequest: (platform, seconds) => this.metrics.request(platform, seconds),
      };
      const outcomes = targets.length > 0 ? await handler.run(targets, context) : [];
      await this.record(job.task, outcomes);
      const failed = outcomes.filter((o) => !o.ok);
      const retry = failed.some((o) => !o.ok && o.retryable);
      const summary = { accounts: outcomes.length, failed: failed.length, retry };
      if (retry) {
        await this.queue.fail(job.task, job.id, summary);
        const final = job.retryCount >= job.retryLimit;
        this.metrics.jobFinished(job.task, final ? 'failed' : 'retry', elapsed(started));
      } else {
        await this.queue.complete(job.task, job.id, summary);
        this.metrics.jobFinished(job.task, 'ok', elapsed(started));
      }
    } catch (err) {
      this.logger.error({ err, task: job.task, jobId: job.id }, 'collection job failed');
      this.metrics.jobFinished(job.task, 'retry', elapsed(started));
      await this.queue
        .fail(job.task, job.id, { error: err instanceof Error ? err.message : String(err) })
        .catch((failErr: unknown) =>
          this.logger.warn({ err: failErr, jobId: job.id }, 'could not fail job; it will expire'),
        );
    }
  }

  private async record(task: CollectionTask, outcomes: AccountOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const platform = TASK_PLATFORM[task];
    for (const o of outcomes) if (!o.ok) this.metrics.error(platform, o.errorClass);
    const transitions = await this.dataSource.transaction(async (tx) => {
      // A Weibo token the platform rejects (21327 …) is marked expired, so the fan-out leaves the
      // account out until a new token is attached (WeChat marks its app in the token service).
      if (platform === 'weibo') {
        for (const o of outcomes) {
          if (!o.ok && o.errorClass === 'auth') {
            await recordAccountCheck(tx, o.accountId, 'weibo_token', 'auth');
          }
        }
      }
      return recordOutcomes(tx, outcomes, this.config.collection.deadAfterFailures);
    });
    for (const t of transitions) {
      if (t.becameDead) {
        this.logger.warn(
          { accountId: t.accountId, errorClass: t.errorClass, code: t.code },
          `account ${t.accountId} dead-lettered after ${t.consecutiveFailures} failed runs`,
        );
      }
    }
    // Never throws; only transitions with `alert` are sent, once per healthy→failing change.
    if (transitions.some((t) => t.alert)) void this.notifier.notify(transitions);
  }

  /** The months the job may write, partitioned before any of its write transactions opens. */
  private async ensurePartitions(job: FetchedJob): Promise<void> {
    const ages = this.config.collection.repollAges;
    const lookBack = CATCH_UP_DAYS + (ages.length > 0 ? Math.max(...ages) : 0);
    const from = job.data.fromDay ?? addDays(job.data.throughDay, -lookBack);
    const to = addDays(job.data.throughDay, 1);
    await ensureMetricPartitions(this.dataSource, METRIC_TABLES, daysOf({ from, to }));
  }

  /** The job's accounts that can still be collected (active, not dead-lettered). */
  private async targets(accountIds: number[], platform: Platform): Promise<AccountTarget[]> {
    const rows = await this.dataSource.query<
      { id: number; wechat_app_id: string | null; weibo_uid: string | null }[]
    >(
      `SELECT a.id, a.wechat_app_id, a.weibo_uid FROM accounts a
       LEFT JOIN account_collection_health h ON h.account_id = a.id
       WHERE a.id = ANY($1::int[]) AND a.platform = $2 AND a.status = 'active'
         AND (h.state IS NULL OR h.state <> 'dead')
       ORDER BY a.id`,
      [accountIds, platform],
    );
    return rows.map((r) => ({
      accountId: r.id,
      platform,
      wechatAppId: r.wechat_app_id,
      weiboUid: r.weibo_uid,
    }));
  }

  /** Backfill progress in the log (done/total days, rate, ETA), at most every 10 s. */
  private async logProgress(): Promise<void> {
    const now = Date.now();
    if (now - this.lastProgressLog < PROGRESS_LOG_MS) return;
    this.lastProgressLog = now;
    const runs = await this.dataSource.query<
      { id: number; done_days: string; total_days: string; seconds: number }[]
    >(
      `SELECT id, done_days, total_days, extract(epoch FROM now() - created_at)::float8 AS seconds
       FROM backfill_runs WHERE finished_at IS NULL ORDER BY id LIMIT 5`,
    );
    for (const run of runs) {
      const done = Number(run.done_days);
      const total = Number(run.total_days);
      const rate = run.seconds > 0 ? done / run.seconds : 0;
      const eta = rate > 0 ? Math.round((total - done) / rate) : null;
      this.logger.log(
        { backfillRunId: run.id, done, total, rate, etaSeconds: eta },
        `backfill #${run.id}: ${done}/${total} account-days (${((100 * done) / Math.max(total, 1)).toFixed(1)}%), ` +
          `${rate.toFixed(0)}/s, ETA ${eta === null ? 'unknown' : `${eta} s`}`,
      );
    }
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

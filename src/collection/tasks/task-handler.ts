import type { DataSource } from 'typeorm';
import { addBackfillProgress } from '../bookmarks';
import type { WriteBatcher } from './write-batcher';
import type { Platform } from '../../accounts/account-taxonomy';
import { PlatformError, type PlatformErrorClass } from '../../platforms/platform-error';
import type {
  AccountOutcome,
  AccountTarget,
  CollectionJobData,
  CollectionTask,
} from '../collection-contracts';

/** Runs platform requests under a credential's shared budget (RequestBudget implements it). */
export interface BudgetedCaller {
  call<T>(platform: Platform, key: string, fn: () => Promise<T>): Promise<T>;
}

/** What a task handler gets for one job. */
export interface TaskRunContext {
  job: CollectionJobData;
  /** Now, and its Asia/Shanghai business date. */
  now: Date;
  today: string;
  dataSource: DataSource;
  budget: BudgetedCaller;
  /**
   * Runs one account's work in one of the worker's account slots (shared by all its jobs; a
   * multiple of the request slots, so one account's database work overlaps others' requests).
   */
  limit<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs one platform HTTP call in one of the worker's COLLECTION_CONCURRENCY request slots. */
  request<T>(fn: () => Promise<T>): Promise<T>;
  /** Group commit of account chunks (rows + bookmark in one transaction). */
  writes: WriteBatcher;
  /** Post ages (days) whose counters are re-polled. */
  repollAges: readonly number[];
  /** The metric source of what this deployment collects ('simulated' in demo mode). */
  source: 'official_api' | 'simulated';
  /** Timed platform request hook for metrics. */
  observeRequest?(platform: Platform, seconds: number): void;
}

/**
 * One collection task. `run` returns one outcome per target, in any order; it never throws for a
 * platform failure of one account (that becomes a failed outcome). Each account's rows and its
 * bookmark commit in one transaction.
 */
export interface TaskHandler {
  readonly task: CollectionTask;
  run(targets: readonly AccountTarget[], context: TaskRunContext): Promise<AccountOutcome[]>;
}

/** Classes a later attempt of the same job may get past. */
const RETRYABLE: ReadonlySet<PlatformErrorClass> = new Set(['transient', 'rate_limited']);

/** The outcome of an account whose collection threw `err`. Non-platform errors are transient. */
export function failedOutcome(accountId: number, err: unknown, daysDone = 0): AccountOutcome {
  if (err instanceof PlatformError) {
    return {
      accountId,
      ok: false,
      errorClass: err.errorClass,
      code: err.code,
      message: err.message,
      retryable: RETRYABLE.has(err.errorClass),
      daysDone,
    };
  }
  if (err instanceof CollectionConfigError) {
    return {
      accountId,
      ok: false,
      errorClass: 'config',
      code: err.code,
      message: err.message,
      retryable: false,
      daysDone,
    };
  }
  // A database or programming error: retry the job (writes are idempotent), log the detail.
  const message = err instanceof Error ? err.message : String(err);
  return {
    accountId,
    ok: false,
    errorClass: 'transient',
    code: 'internal',
    message,
    retryable: true,
    daysDone,
  };
}

/** Our setup is wrong for an account (no credential, corrupt bookmark): not retried (R14). */
export class CollectionConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CollectionConfigError';
  }
}

/**
 * A backfill account that failed for good (not retryable) will not collect its remaining days;
 * they are counted as settled so the run's progress can reach its total (the account's health
 * says why it failed). Returns the outcome unchanged.
 */
export async function settleAbandonedBackfill(
  ctx: TaskRunContext,
  outcome: AccountOutcome,
  pendingDays: number,
): Promise<AccountOutcome> {
  if (outcome.ok || outcome.retryable || ctx.job.backfillRunId === undefined) return outcome;
  const rest = pendingDays - (outcome.daysDone ?? 0);
  if (rest > 0) {
    await ctx.dataSource.transaction((tx) => addBackfillProgress(tx, ctx.job.backfillRunId, rest));
  }
  return outcome;
}

/**
 * One platform call: under the credential's shared budget (waits and blocks happen outside a
 * request slot), in a request slot, timed for metrics.
 */
export function platformRequest<T>(
  ctx: TaskRunContext,
  platform: Platform,
  budgetKey: string,
  fn: () => Promise<T>,
): Promise<T> {
  return ctx.budget.call(platform, budgetKey, () =>
    ctx.request(async () => {
      const started = performance.now();
      try {
        return await fn();
      } finally {
        ctx.observeRequest?.(platform, (performance.now() - started) / 1000);
      }
    }),
  );
}

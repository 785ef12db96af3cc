import type { Platform } from '../accounts/account-taxonomy';
import type { PlatformErrorClass } from '../platforms/platform-error';

/*
 * The shapes the collection pipeline's parts agree on: the fan-out enqueues CollectionJobData,
 * workers run a TaskHandler per job and record AccountOutcome rows in account_collection_health.
 */

/** What a job collects. One pg-boss queue per task (`collect.<task>` with '.' kept). */
export const COLLECTION_TASKS = [
  // WeChat datacube: followers (usersummary + usercumulate), account summary (bizsummary) and
  // articles with their counters by age (articletotaldetail), for whole business days.
  'wechat.daily',
  // Weibo users/counts: followers for 100 uids a call (today's value, stored for today).
  'weibo.followers',
  // Weibo new posts since the bookmark (commercial user_timeline/other).
  'weibo.posts',
  // Weibo statuses/count for posts at ages 1, 2 and 7 days (100 ids a call).
  'weibo.counters',
] as const;
export type CollectionTask = (typeof COLLECTION_TASKS)[number];

export const TASK_PLATFORM: Record<CollectionTask, Platform> = {
  'wechat.daily': 'wechat',
  'weibo.followers': 'weibo',
  'weibo.posts': 'weibo',
  'weibo.counters': 'weibo',
};

/** The pg-boss queue of a task. */
export function queueName(task: CollectionTask): string {
  return `collect.${task}`;
}

/** The payload of one pg-boss job: one task, one window, a batch of accounts. */
export interface CollectionJobData {
  task: CollectionTask;
  /** The last business day (Asia/Shanghai, YYYY-MM-DD) the job brings its accounts up to. */
  throughDay: string;
  /**
   * The first day a job may collect when an account's bookmark is behind (backfill). Without it,
   * an account with no bookmark collects `throughDay` only.
   */
  fromDay?: string;
  accountIds: number[];
  /** Set on backfill jobs: progress is counted on this backfill_runs row. */
  backfillRunId?: number;
}

/** An account as a task needs it (active, not dead-lettered). */
export interface AccountTarget {
  accountId: number;
  platform: Platform;
  wechatAppId: string | null;
  weiboUid: string | null;
}

/** How one account fared in one job. */
export type AccountOutcome =
  | {
      accountId: number;
      ok: true;
      /** The newest business day now stored for the account (data_as_of), if the task moved it. */
      dataAsOf?: string;
      /** Days newly covered (backfill progress). */
      daysDone?: number;
    }
  | {
      accountId: number;
      ok: false;
      errorClass: PlatformErrorClass;
      code: string;
      message: string;
      /** True when a later attempt of the job may succeed (transient, rate limit over the cap). */
      retryable: boolean;
      daysDone?: number;
    };

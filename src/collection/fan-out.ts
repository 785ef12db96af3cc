import type { Platform } from '../accounts/account-taxonomy';
import { regionSubtreePrefix } from '../regions/region-catalog';
import type { AccountTarget, CollectionJobData, CollectionTask } from './collection-contracts';
import { TASK_PLATFORM } from './collection-contracts';
import type { QueuedJob } from './queue/job-queue';
import type { Queryable } from './schedule-ledger';

/** Which accounts of a task are due. */
export interface DueQuery {
  task: CollectionTask;
  /** Accounts whose bookmark is before this day are due ('all' ignores bookmarks). */
  throughDay: string;
  due: 'behind' | 'all' | 'any' | 'new';
  accountIds?: readonly number[];
  /** Region subtree (GB/T 2260 code) the caller is confined to. */
  regionCode?: string | null;
}

export interface DueAccount extends AccountTarget {
  /**
   * Where in the spreading window the account runs, in [0, 1) (R10): its rank among the due
   * accounts in the order of a stable per (account, task) hash, over their number — so the due
   * accounts are spread evenly, and each keeps its place across restarts.
   */
  offset: number;
}

/** The credential kind an account needs for each platform. */
const KIND: Record<Platform, string> = { wechat: 'wechat_app', weibo: 'weibo_token' };

/** Tasks whose first run is a backfill, claimed by the new-account sweep (bookmark row). */
export const BACKFILL_TASKS: readonly CollectionTask[] = ['wechat.daily', 'weibo.posts'];

/**
 * Accounts of the task's platform that can be collected (active, a valid credential, not
 * dead-lettered) and are due, ordered by their stable offset:
 * - 'behind': the bookmark is before `throughDay`;
 * - 'all': every account (new Weibo posts come all day);
 * - 'any': no bookmark condition at all (explicit API requests);
 * - 'new': no bookmark row yet.
 * For backfill tasks, accounts without a bookmark row belong to the new-account sweep, and those
 * whose first backfill is queued (row without a day) are left to it for a day, so scheduled runs
 * never race a backfill.
 */
export async function dueAccounts(db: Queryable, q: DueQuery): Promise<DueAccount[]> {
  const platform = TASK_PLATFORM[q.task];
  const started = BACKFILL_TASKS.includes(q.task)
    ? `(b.covered_through IS NOT NULL OR b.updated_at < now() - interval '1 day')`
    : `(b.account_id IS NULL OR b.covered_through IS NOT NULL)`;
  const dueCondition = {
    behind: `${started} AND (b.covered_through IS NULL OR b.covered_through < $3::date)`,
    all: started,
    any: 'true',
    new: 'b.account_id IS NULL',
  }[q.due];
  const rows = await db.query<
    {
      id: number;
      platform: Platform;
      wechat_app_id: string | null;
      weibo_uid: string | null;
      bucket: number;
    }[]
  >(
    `SELECT a.id, a.platform, a.wechat_app_id, a.weibo_uid,
            ((hashtext(a.id::text || ':' || $1::text)::bigint + 2147483648) % 1000000) AS bucket
     FROM accounts a
     JOIN organizations o ON o.id = a.organization_id
     JOIN platform_credentials c ON c.account_id = a.id AND c.kind = $4 AND c.state = 'valid'
     LEFT JOIN account_collection_health h ON h.account_id = a.id
     LEFT JOIN collection_bookmarks b ON b.account_id = a.id AND b.task = $1
     WHERE a.status = 'active' AND a.platform = $2
       AND (h.state IS NULL OR h.state <> 'dead')
       AND ($5::int[] IS NULL OR a.id = ANY($5::int[]))
       AND ($6::text IS NULL OR o.region_code LIKE $6::text)
       AND ${dueCondition}
       AND $3::date IS NOT NULL
     ORDER BY bucket, a.id`,
    [
      q.task,
      platform,
      q.throughDay,
      KIND[platform],
      q.accountIds ? [...q.accountIds] : null,
      q.regionCode ? `${regionSubtreePrefix(q.regionCode)}%` : null,
    ],
  );
  return rows.map((r, rank) => ({
    accountId: r.id,
    platform: r.platform,
    wechatAppId: r.wechat_app_id,
    weiboUid: r.weibo_uid,
    offset: rank / rows.length,
  }));
}

/** Spread jobs hold the accounts of one minute of the window at most (R10's 1-minute buckets). */
export const SPREAD_BUCKET_MS = 60_000;

/**
 * Tasks whose job is one platform call for all its accounts (Weibo's 100-uid batch endpoints):
 * cutting their jobs by minute would only multiply the calls, so they keep full batches.
 */
const BATCH_CALL_TASKS: ReadonlySet<CollectionTask> = new Set([
  'weibo.followers',
  'weibo.counters',
]);

/**
 * Batches due accounts into jobs of at most `perJob`, in offset order. With a spreading window,
 * an account's turn is `start + offset × spreadMs`; a job holds only accounts whose turn falls in
 * the same minute of the window and starts at its first account's turn, so each minute of the
 * window carries its share of the accounts (R10: even to about one account, since offsets are
 * ranks), and an account keeps its minute across restarts. Batch-call tasks keep full batches.
 */
export function planJobs(
  accounts: readonly DueAccount[],
  template: Omit<CollectionJobData, 'accountIds'>,
  perJob: number,
  start: Date,
  spreadMs: number,
): QueuedJob[] {
  const jobs: QueuedJob[] = [];
  const turn = (a: DueAccount) => Math.floor(a.offset * spreadMs);
  const minute = (a: DueAccount) => Math.floor(turn(a) / SPREAD_BUCKET_MS);
  let i = 0;
  while (i < accounts.length) {
    let end = Math.min(i + perJob, accounts.length);
    if (spreadMs > 0 && !BATCH_CALL_TASKS.has(template.task)) {
      const m = minute(accounts[i]);
      let j = i + 1;
      while (j < end && minute(accounts[j]) === m) j++;
      end = j;
    }
    const batch = accounts.slice(i, end);
    jobs.push({
      data: { ...template, accountIds: batch.map((a) => a.accountId) },
      startAfter: spreadMs > 0 ? new Date(start.getTime() + turn(batch[0])) : undefined,
    });
    i = end;
  }
  return jobs;
}

/** Claims bookmark rows for accounts collected for the first time (so one sweep backfills them). */
export async function claimNewAccounts(
  db: Queryable,
  task: CollectionTask,
  accountIds: readonly number[],
): Promise<number[]> {
  if (accountIds.length === 0) return [];
  const rows = await db.query<{ account_id: number }[]>(
    `INSERT INTO collection_bookmarks (account_id, task)
     SELECT unnest($2::int[]), $1
     ON CONFLICT (account_id, task) DO NOTHING
     RETURNING account_id`,
    [task, [...accountIds]],
  );
  return rows.map((r) => r.account_id);
}

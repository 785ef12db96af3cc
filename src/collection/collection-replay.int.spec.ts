import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDate } from '../common/business-date';
import { addDays } from '../common/calendar-date';
import { tableChecksum } from '../metrics/metrics-testing';
import {
  type CollectionCluster,
  startCollectionCluster,
  waitForIdleQueue,
} from '../../test/support/collection-cluster';
import type { CollectionJobData } from './collection-contracts';
import { JobQueue } from './queue/job-queue';

// R2: replay and double execution. The same collection run again (a replayed fan-out, re-enqueued
// completed jobs, a second backfill, and a full re-fetch with the bookmarks dropped) must leave the
// stored rows byte-identical and rewrite none of them.
const ACCOUNTS = 120;
const DAYS = 5;
const FACT_TABLES = ['account_daily_metrics', 'posts', 'post_metric_snapshots'] as const;
const ORDER: Record<(typeof FACT_TABLES)[number], string> = {
  account_daily_metrics: 'account_id, day',
  posts: 'account_id, published_on, platform_post_id',
  post_metric_snapshots: 'account_id, observed_day, platform_post_id',
};

interface Snapshot {
  /** md5 of each table without collected_at (the values). */
  content: Record<string, string>;
  /** md5 of each table's whole rows, collected_at included (any rewrite changes it). */
  full: Record<string, string>;
  rows: Record<string, number>;
  bookmarks: string;
}

async function snapshot(db: DataSource): Promise<Snapshot> {
  const content: Record<string, string> = {};
  const full: Record<string, string> = {};
  const rows: Record<string, number> = {};
  for (const table of FACT_TABLES) {
    const [c] = await db.query<{ sum: string; n: number }[]>(
      `SELECT md5(string_agg((to_jsonb(t) - 'collected_at')::text, '|' ORDER BY ${ORDER[table]})) AS sum,
              count(*)::int AS n
       FROM ${table} t`,
    );
    content[table] = c.sum;
    rows[table] = c.n;
    full[table] = await tableChecksum(db, table);
  }
  const marks = await db.query<unknown[]>(
    `SELECT account_id, task, covered_from::text, covered_through::text
     FROM collection_bookmarks WHERE task IN ('wechat.daily', 'weibo.posts', 'weibo.followers')
     ORDER BY account_id, task`,
  );
  return { content, full, rows, bookmarks: JSON.stringify(marks) };
}

/** A transaction id: rows whose xmin is at least this were written (inserted or updated) after. */
async function txidNow(db: DataSource): Promise<number> {
  const [row] = await db.query<{ x: string }[]>(`SELECT (txid_current() % 4294967296)::text AS x`);
  return Number(row.x);
}

async function rowsWrittenSince(db: DataSource, txid: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of FACT_TABLES) {
    const [row] = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${table} WHERE xmin::text::bigint >= $1`,
      [txid],
    );
    out[table] = row.n;
  }
  return out;
}

const NONE = { account_daily_metrics: 0, posts: 0, post_metric_snapshots: 0 };

async function jobRows(db: DataSource): Promise<number> {
  const [row] = await db.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name LIKE 'collect.%'`,
  );
  return row.n;
}

describe('R2: replay and double execution (in-process worker)', () => {
  let cluster: CollectionCluster;
  let db: DataSource;
  let first: Snapshot;
  // The simulator's clock is frozen: today's Weibo posts do not grow between the runs.
  const frozen = new Date();

  const runFinished = async (runId: number): Promise<boolean> => {
    const [run] = await db.query<{ finished: boolean }[]>(
      `SELECT finished_at IS NOT NULL AS finished FROM backfill_runs WHERE id = $1`,
      [runId],
    );
    return run.finished;
  };

  /** Starts a backfill and waits until its jobs are all settled. */
  const backfill = async (): Promise<number> => {
    const res = await cluster.api.request('POST', '/api/v1/collection/backfill', {
      json: { days: DAYS },
    });
    expect(res.status, res.text).toBe(202);
    // The jobs are enqueued by the request: once none is open, the run has done all it will.
    expect(await waitForIdleQueue(db, 40_000)).toBe(true);
    return res.body.runId as number;
  };
  let secondRunId = 0;

  const wechatDataCalls = (sinceSeq: number, appIds?: ReadonlySet<string>) =>
    cluster.sim.callLog
      .query({ since: String(sinceSeq), path: '/datacube' })
      .filter((c) => c.platform === 'wechat' && (!appIds || appIds.has(c.appId ?? ''))).length;
  const lastSeq = () => cluster.sim.callLog.query().at(-1)?.seq ?? 0;

  beforeAll(async () => {
    cluster = await startCollectionCluster({
      size: ACCOUNTS,
      latencyMs: 1,
      simulator: { now: () => frozen },
      apiEnv: { APP_ROLE: 'all' },
      workerEnv: {
        COLLECTION_CONCURRENCY: '16',
        COLLECTION_WECHAT_ACCOUNTS_PER_JOB: '10',
        COLLECTION_RETRY_DELAY_SECONDS: '1',
        COLLECTION_QUEUE_MAINTENANCE_SECONDS: '1',
      },
    });
    db = cluster.dataSource;
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('run 1: a backfill, then the same trigger fan-out twice inserts each job once', async () => {
    expect(await runFinished(await backfill())).toBe(true);
    const before = await jobRows(db);
    const t1 = await cluster.api.request('POST', '/api/v1/collection/trigger', { json: {} });
    expect(t1.status, t1.text).toBe(202);
    const afterFirst = await jobRows(db);
    const t2 = await cluster.api.request('POST', '/api/v1/collection/trigger', { json: {} });
    expect(t2.status, t2.text).toBe(202);
    const afterSecond = await jobRows(db);
    expect(afterFirst).toBeGreaterThan(before);
    expect(afterSecond).toBe(afterFirst);
    // Every job key occurs once.
    const dupes = await db.query<unknown[]>(
      `SELECT name, singleton_key, count(*)::int FROM pgboss.job WHERE name LIKE 'collect.%'
       GROUP BY 1, 2 HAVING count(*) > 1`,
    );
    expect(dupes).toEqual([]);
    expect(await waitForIdleQueue(db, 20_000)).toBe(true);
    first = await snapshot(db);
    expect(first.rows.account_daily_metrics).toBeGreaterThan(200);
    expect(first.rows.posts).toBeGreaterThan(100);
    expect(first.rows.post_metric_snapshots).toBeGreaterThan(100);
  }, 70_000);

  it('re-enqueued completed jobs (same data, same ids) are not inserted again', async () => {
    const completed = await db.query<{ data: CollectionJobData }[]>(
      `SELECT data FROM pgboss.job WHERE name LIKE 'collect.%' AND state = 'completed'`,
    );
    expect(completed.length).toBeGreaterThan(10);
    const before = await jobRows(db);
    const txid = await txidNow(db);
    await cluster.api.app.get(JobQueue).enqueue(completed.map(({ data }) => ({ data })));
    expect(await jobRows(db)).toBe(before);
    const [open] = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name LIKE 'collect.%' AND state <> 'completed'
       AND state <> 'failed'`,
    );
    expect(open.n).toBe(0);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await rowsWrittenSince(db, txid)).toEqual(NONE);
    expect(await snapshot(db)).toEqual(first);
  });

  it('run 2: the same backfill again (new job ids) calls no datacube and rewrites 0 rows', async () => {
    const seq = lastSeq();
    const txid = await txidNow(db);
    // Accounts stored through yesterday have nothing left to ask (the others are unverified, or
    // their last days were still is_delay: those are asked again, as they should be).
    const upToDate = new Set(
      (
        await db.query<{ app: string }[]>(
          `SELECT a.wechat_app_id AS app FROM collection_bookmarks b JOIN accounts a ON a.id = b.account_id
           WHERE b.task = 'wechat.daily' AND b.covered_through = $1`,
          [addDays(businessDate(frozen), -1)],
        )
      ).map((r) => r.app),
    );
    expect(upToDate.size).toBeGreaterThan(30);
    secondRunId = await backfill();
    expect(wechatDataCalls(seq, upToDate)).toBe(0);
    expect(await rowsWrittenSince(db, txid)).toEqual(NONE);
    expect(await snapshot(db)).toEqual(first);
  }, 70_000);

  // KNOWN BUG (see the R2/R6/R17 test report): total_days counts every day of the window, but
  // progress only counts days newly covered, so a backfill over days already stored never
  // finishes (done 0/total, finished_at NULL forever). Drop `.fails` once fixed.
  it('run 2: the backfill over already-stored days is reported finished', async () => {
    const [run] = await db.query<{ done: string; total: string; finished: boolean }[]>(
      `SELECT done_days AS done, total_days AS total, finished_at IS NOT NULL AS finished
       FROM backfill_runs WHERE id = $1`,
      [secondRunId],
    );
    expect({ finished: run.finished, done: run.done }).toEqual({ finished: true, done: run.total });
  });

  it('run 3: bookmarks dropped, everything fetched again: identical tables, 0 rows rewritten', async () => {
    // The windowed tasks forget what they stored and fetch the whole window again. (weibo.followers
    // keeps its bookmark: the backfill's followers job for today has the same key as run 1's, so
    // pg-boss does not insert it again while run 1's job is in the job table.)
    await db.query(
      `DELETE FROM collection_bookmarks WHERE task IN ('wechat.daily', 'weibo.posts')`,
    );
    const seq = lastSeq();
    const txid = await txidNow(db);
    await backfill();
    // A real re-run: every verified WeChat account asked the datacube again.
    expect(wechatDataCalls(seq)).toBeGreaterThan(ACCOUNTS);
    expect(await rowsWrittenSince(db, txid)).toEqual(NONE);
    const third = await snapshot(db);
    expect(third.content).toEqual(first.content);
    expect(third.full).toEqual(first.full);
    expect(third.rows).toEqual(first.rows);
    expect(third.bookmarks).toEqual(first.bookmarks);
  }, 70_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDate } from '../../src/common/business-date';
import { addDays, dayNumber } from '../../src/common/calendar-date';
import { type SimAccount, wechatTruth, weiboTruth } from '../../src/simulator';
import { isDelayed } from '../../src/simulator/wechat-datacube';
import {
  type CollectionCluster,
  type WorkerProcess,
  startCollectionCluster,
  waitFor,
} from '../support/collection-cluster';

// R1: workers SIGKILLed at random during a collection; the stored rows must equal the simulator's
// truth with nothing missing and nothing extra, and every job must end completed.
const ACCOUNTS = 500;
const DAYS = 10;
const KILLS = Number(process.env.R1_KILLS ?? 12);

describe('R1: a worker killed mid-run, repeatedly (real processes)', () => {
  let cluster: CollectionCluster;

  beforeAll(async () => {
    cluster = await startCollectionCluster({
      size: ACCOUNTS,
      latencyMs: 2,
      workerEnv: {
        COLLECTION_CONCURRENCY: '8',
        COLLECTION_WECHAT_ACCOUNTS_PER_JOB: '10',
        COLLECTION_JOB_BATCH: '2',
        COLLECTION_JOB_EXPIRE_SECONDS: '4',
        COLLECTION_RETRY_DELAY_SECONDS: '1',
        COLLECTION_QUEUE_MAINTENANCE_SECONDS: '1',
        COLLECTION_MAX_ATTEMPTS: '10',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it(`${KILLS} SIGKILLs during a ${DAYS}-day backfill of ${ACCOUNTS} accounts: 0 missing, 0 extra, 0 wrong`, async () => {
    const started = await cluster.api.request('POST', '/api/v1/collection/backfill', {
      json: { days: DAYS },
    });
    expect(started.status, started.text).toBe(202);
    const runId = started.body.runId as number;

    const workers: WorkerProcess[] = [];
    for (let i = 0; i < 3; i += 1) workers.push(await cluster.startWorker());
    let kills = 0;
    while (kills < KILLS) {
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 900));
      const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0];
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills += 1;
      workers.push(await cluster.startWorker());
    }

    const db = cluster.dataSource;
    const finished = await waitFor(async () => {
      const [row] = await db.query<{ open: number }[]>(
        `SELECT count(*)::int AS open FROM pgboss.job
         WHERE name LIKE 'collect.%' AND state IN ('created', 'retry', 'active')`,
      );
      return row.open === 0;
    }, 150_000);
    if (!finished) {
      console.log(
        await db.query(
          `SELECT name, state::text, count(*)::int, max(retry_count) AS retries, min(start_after) AS start_after
           FROM pgboss.job GROUP BY 1, 2 ORDER BY 1, 2`,
        ),
        await db.query(`SELECT * FROM backfill_runs`),
        await db.query(
          `SELECT name, state::text, started_on, expire_in::text, retry_count, now() FROM pgboss.job WHERE state = 'active'`,
        ),
        await db.query(`SELECT * FROM pgboss.version`),
        await db.query(`SELECT name, expire_seconds, retry_limit FROM pgboss.queue`),
        await db.query(
          `SELECT state, last_error_class, last_error_code, last_error_message, count(*)::int FROM account_collection_health GROUP BY 1,2,3,4`,
        ),
      );
    }
    expect(
      finished,
      workers
        .map((w) => w.output())
        .join('\n')
        .slice(-3000),
    ).toBe(true);
    const states = await db.query<{ state: string; n: number }[]>(
      `SELECT state::text, count(*)::int AS n FROM pgboss.job WHERE name LIKE 'collect.%' GROUP BY 1`,
    );
    expect(states.filter((s) => s.state !== 'completed')).toEqual([]);
    const [run] = await db.query<{ done: string; total: string; finished: boolean }[]>(
      `SELECT done_days AS done, total_days AS total, finished_at IS NOT NULL AS finished
       FROM backfill_runs WHERE id = $1`,
      [runId],
    );

    // The oracle: what the simulator served, for every account and day of the window.
    const now = new Date();
    const today = businessDate(now);
    const yesterday = addDays(today, -1);
    const fromDay = addDays(today, -DAYS);
    const accounts = await db.query<
      { id: number; platform: string; wechat_app_id: string | null; weibo_uid: string | null }[]
    >(`SELECT id, platform, wechat_app_id, weibo_uid FROM accounts`);
    const byApp = new Map<string, SimAccount>();
    const byUid = new Map<string, SimAccount>();
    for (const a of cluster.sim.population.accounts()) {
      if (a.wechatAppId) byApp.set(a.wechatAppId, a);
      if (a.weiboUid) byUid.set(a.weiboUid, a);
    }
    const stored = new Map<string, Record<string, string | null>>();
    for (const r of await db.query<Record<string, string | null>[]>(
      `SELECT account_id::text, day::text, followers::text, new_followers::text,
              cancelled_followers::text, reads::text, shares::text, posts::text
       FROM account_daily_metrics WHERE day BETWEEN $1 AND $2`,
      [fromDay, yesterday],
    )) {
      stored.set(`${r.account_id}|${r.day}`, r);
    }
    const storedPosts = new Set(
      (
        await db.query<{ k: string }[]>(
          `SELECT account_id || '|' || platform_post_id AS k FROM posts WHERE published_on BETWEEN $1 AND $2`,
          [fromDay, yesterday],
        )
      ).map((r) => r.k),
    );

    const missing: string[] = [];
    const refused: number[] = [];
    const wrong: string[] = [];
    let expectedRows = 0;
    let expectedPosts = 0;
    const clock = { today: dayNumber(today), now };
    for (const account of accounts) {
      if (account.platform === 'wechat') {
        const sim = byApp.get(account.wechat_app_id!)!;
        // Unverified accounts have no datacube access (48001): they fail, marked, not retried.
        if (!sim.verified) {
          refused.push(account.id);
          continue;
        }
        for (let d = fromDay; d < today; d = addDays(d, 1)) {
          if (isDelayed(cluster.sim.population, sim, dayNumber(d), clock)) break;
          const truth = wechatTruth(cluster.sim.population, sim, d, dayNumber(yesterday));
          expectedRows += 1;
          const row = stored.get(`${account.id}|${d}`);
          if (!row) {
            missing.push(`${account.id}|${d}`);
            continue;
          }
          const want = [
            truth.followers.cumulate_user,
            truth.followers.new_user,
            truth.followers.cancel_user,
            truth.bizSummary.readUser,
            truth.bizSummary.shareUser,
            truth.posts.length,
          ].map(String);
          const got = [
            row.followers,
            row.new_followers,
            row.cancelled_followers,
            row.reads,
            row.shares,
            row.posts,
          ];
          if (want.join() !== got.join()) {
            wrong.push(`${account.id}|${d}: ${got.join()} ≠ ${want.join()}`);
          }
          for (const post of truth.posts) {
            expectedPosts += 1;
            if (!storedPosts.has(`${account.id}|${post.msgid}`)) missing.push(`post ${post.msgid}`);
          }
        }
      } else {
        const sim = byUid.get(account.weibo_uid!)!;
        for (let d = fromDay; d < today; d = addDays(d, 1)) {
          for (const post of weiboTruth(cluster.sim.population, sim, d, dayNumber(today)).posts) {
            expectedPosts += 1;
            if (!storedPosts.has(`${account.id}|${post.id}`)) missing.push(`weibo post ${post.id}`);
          }
        }
      }
    }
    const [{ n: storedRows }] = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM account_daily_metrics m JOIN accounts a ON a.id = m.account_id
       WHERE a.platform = 'wechat' AND m.day BETWEEN $1 AND $2`,
      [fromDay, yesterday],
    );

    expect(missing.slice(0, 20)).toEqual([]);
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(storedRows).toBe(expectedRows);
    expect(storedPosts.size).toBe(expectedPosts);
    expect(expectedRows).toBeGreaterThan(1_000);
    expect(run.finished).toBe(true);
    const marked = await db.query<
      { account_id: number; state: string; last_error_class: string }[]
    >(
      `SELECT account_id, state, last_error_class FROM account_collection_health
       WHERE account_id = ANY($1::int[]) ORDER BY account_id`,
      [refused],
    );
    expect(refused.length).toBeGreaterThan(0);
    expect(marked.map((m) => [m.state, m.last_error_class])).toEqual(
      refused.map(() => ['failing', 'permission']),
    );
    expect(Number(run.done)).toBe(Number(run.total));
  }, 300_000);
});

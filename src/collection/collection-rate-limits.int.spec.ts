import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextQuotaDay } from './budget/budget-math';
import type { CallRecord } from '../simulator';
import {
  type CollectionCluster,
  startCollectionCluster,
  waitForIdleQueue,
} from '../../test/support/collection-cluster';

// R6: rate-limit compliance end to end through a worker (in-process, APP_ROLE=all) against the
// simulator, judged from the simulator's call log.
const ACCOUNTS = 40;
const BUDGET_PER_MINUTE = 30;
const MAX_WAIT_SECONDS = 60;
const SHORT_RETRY_AFTER = 3;
const LONG_RETRY_AFTER = 120;

interface Target {
  accountId: number;
  appId: string;
}

describe('R6: rate limits, Retry-After, 45009 and per-appid budgets (in-process worker)', () => {
  let cluster: CollectionCluster;
  let db: DataSource;
  /** 429 with Retry-After 3 s once: waits, then completes. */
  let waits: Target;
  /** 429 with Retry-After above the cap once: the job ends transient at once, no sleep. */
  let overCap: Target;
  /** 45009: no further call for that appid, the account quota_exhausted. */
  let quota: Target;
  /** A 20-day backfill: more requests than one minute's budget. */
  let busy: Target;
  let others: Target[] = [];
  let started = 0;

  const dataCalls = (appId?: string): CallRecord[] =>
    cluster.sim.callLog
      .query(appId === undefined ? { path: '/datacube' } : { path: '/datacube', appId })
      .filter((c) => c.platform === 'wechat');

  beforeAll(async () => {
    cluster = await startCollectionCluster({
      size: ACCOUNTS,
      latencyMs: 2,
      apiEnv: { APP_ROLE: 'all' },
      workerEnv: {
        COLLECTION_CONCURRENCY: '8',
        COLLECTION_WECHAT_ACCOUNTS_PER_JOB: '5',
        COLLECTION_RETRY_DELAY_SECONDS: '1',
        COLLECTION_MAX_ATTEMPTS: '3',
        COLLECTION_QUEUE_MAINTENANCE_SECONDS: '1',
        COLLECTION_BUDGET_PER_MINUTE: String(BUDGET_PER_MINUTE),
        COLLECTION_MAX_WAIT_SECONDS: String(MAX_WAIT_SECONDS),
      },
    });
    db = cluster.dataSource;
    const byApp = new Map(
      (
        await db.query<{ id: number; app: string }[]>(
          `SELECT id, wechat_app_id AS app FROM accounts WHERE platform = 'wechat' ORDER BY id`,
        )
      ).map((r) => [r.app, r.id]),
    );
    const verified = [...cluster.sim.population.accounts()]
      .filter((a) => a.platform === 'wechat' && a.verified && a.wechatAppId)
      .map((a) => ({ appId: a.wechatAppId!, accountId: byApp.get(a.wechatAppId!)! }));
    expect(verified.length).toBeGreaterThanOrEqual(8);
    [waits, overCap, quota, busy, ...others] = verified;

    const faults = cluster.sim.faults;
    faults.add({
      scope: { appId: waits.appId },
      kind: 'rate_limit',
      http429: true,
      retryAfterSeconds: SHORT_RETRY_AFTER,
      path: '/datacube/getusersummary',
      count: 1,
    });
    faults.add({
      scope: { appId: overCap.appId },
      kind: 'rate_limit',
      http429: true,
      retryAfterSeconds: LONG_RETRY_AFTER,
      path: '/datacube/getusersummary',
      count: 1,
    });
    faults.add({ scope: { appId: quota.appId }, kind: 'quota', path: '/datacube' });

    started = Date.now();
    const all = await db.query<{ id: number }[]>(`SELECT id FROM accounts ORDER BY id`);
    const first = await cluster.api.request('POST', '/api/v1/collection/backfill', {
      json: { days: 3, accountIds: all.map((a) => a.id).filter((id) => id !== busy.accountId) },
    });
    expect(first.status, first.text).toBe(202);
    const second = await cluster.api.request('POST', '/api/v1/collection/backfill', {
      json: { days: 20, accountIds: [busy.accountId] },
    });
    expect(second.status, second.text).toBe(202);
    const idle = await waitForIdleQueue(db, 100_000);
    if (!idle) {
      console.log(
        await db.query(
          `SELECT name, state::text, retry_count, start_after, data, output FROM pgboss.job
           WHERE state IN ('created', 'retry', 'active')`,
        ),
        await db.query(`SELECT * FROM collection_budgets WHERE blocked_until IS NOT NULL`),
      );
    }
    expect(idle).toBe(true);
  }, 160_000);
  afterAll(async () => {
    await cluster?.close();
  });

  const health = async (accountId: number) => {
    const [row] = await db.query<
      { state: string; last_error_class: string | null; last_error_code: string | null }[]
    >(
      `SELECT state, last_error_class, last_error_code FROM account_collection_health
       WHERE account_id = $1`,
      [accountId],
    );
    return row;
  };

  it(`429 with Retry-After ${SHORT_RETRY_AFTER} s: no call to that appid during the wait, then it completes`, async () => {
    const calls = dataCalls(waits.appId);
    const limited = calls.findIndex((c) => c.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    const next = calls[limited + 1];
    expect(next, 'no call after the wait').toBeDefined();
    const gap = Date.parse(next.time) - Date.parse(calls[limited].time);
    expect(gap).toBeGreaterThanOrEqual(SHORT_RETRY_AFTER * 1_000 - 50);
    // The header's wait, not the 60 s default of a 45011 body.
    expect(gap).toBeLessThan((SHORT_RETRY_AFTER + 10) * 1_000);
    expect((await health(waits.accountId)).state).toBe('ok');
    expect(calls.slice(limited + 1).every((c) => c.status === 200)).toBe(true);
  });

  it(`429 with Retry-After ${LONG_RETRY_AFTER} s (above the ${MAX_WAIT_SECONDS} s cap): the job ends transient at once, no call during the block`, async () => {
    const calls = dataCalls(overCap.appId);
    const limited = calls.findIndex((c) => c.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    expect(calls.slice(limited + 1)).toEqual([]);
    const h = await db.query<{ cls: string; code: string; after_ms: number }[]>(
      `SELECT last_error_class AS cls, last_error_code AS code,
              (extract(epoch FROM last_error_at) * 1000)::float8 - $2::float8 AS after_ms
       FROM account_collection_health WHERE account_id = $1`,
      [overCap.accountId, Date.parse(calls[limited].time)],
    );
    expect(h[0]).toMatchObject({ cls: 'transient', code: 'rate_limit_wait_over_cap' });
    const jobs = await db.query<{ state: string; retry_count: number }[]>(
      `SELECT state::text, retry_count FROM pgboss.job
       WHERE name = 'collect.wechat.daily' AND data->'accountIds' @> $1::jsonb`,
      [JSON.stringify([overCap.accountId])],
    );
    expect(jobs.length).toBe(1);
    // Retried (transient), every attempt refused by the shared block without a call or a sleep.
    expect(jobs[0].retry_count).toBeGreaterThanOrEqual(1);
    expect(['retry', 'failed']).toContain(jobs[0].state);
    expect(Date.now() - started).toBeLessThan(LONG_RETRY_AFTER * 1_000);
  });

  it('45009: no further call for that appid, quota_exhausted (not failing), others unaffected', async () => {
    const calls = cluster.sim.callLog.query({ appId: quota.appId });
    const exhausted = calls.findIndex((c) => c.outcome === '45009');
    expect(exhausted).toBeGreaterThanOrEqual(0);
    expect(calls.slice(exhausted + 1)).toEqual([]);
    expect(await health(quota.accountId)).toMatchObject({
      state: 'quota_exhausted',
      last_error_class: 'quota_exhausted',
    });
    const [block] = await db.query<{ until: Date; reason: string }[]>(
      `SELECT blocked_until AS until, blocked_reason AS reason FROM collection_budgets
       WHERE budget_key = $1`,
      [`wechat:${quota.appId}`],
    );
    expect(block.reason).toBe('quota_exhausted');
    expect(block.until.getTime()).toBe(nextQuotaDay(new Date()).getTime());
    const states = await db.query<{ state: string; n: number }[]>(
      `SELECT coalesce(h.state, 'never') AS state, count(*)::int AS n FROM accounts a
       LEFT JOIN account_collection_health h ON h.account_id = a.id
       WHERE a.id = ANY($1::int[]) GROUP BY 1`,
      [[waits, busy, ...others].map((t) => t.accountId)],
    );
    expect(states).toEqual([{ state: 'ok', n: others.length + 2 }]);
  });

  it(`never more than ${BUDGET_PER_MINUTE} requests per appid per calendar minute`, async () => {
    const perMinute = new Map<string, number>();
    for (const c of dataCalls()) {
      const key = `${c.appId}|${Math.floor(Date.parse(c.time) / 60_000)}`;
      perMinute.set(key, (perMinute.get(key) ?? 0) + 1);
    }
    const over = [...perMinute].filter(([, n]) => n > BUDGET_PER_MINUTE);
    expect(over).toEqual([]);
    // The budget was binding: the busy account needed more than one minute's worth, and finished.
    const busyCalls = dataCalls(busy.appId);
    expect(busyCalls.length).toBeGreaterThan(BUDGET_PER_MINUTE);
    expect(
      Math.max(...[...perMinute].filter(([k]) => k.startsWith(`${busy.appId}|`)).map(([, n]) => n)),
    ).toBeLessThanOrEqual(BUDGET_PER_MINUTE);
    expect(busyCalls.every((c) => c.status === 200)).toBe(true);
    const [mark] = await db.query<{ from: string }[]>(
      `SELECT covered_from::text AS from FROM collection_bookmarks
       WHERE account_id = $1 AND task = 'wechat.daily'`,
      [busy.accountId],
    );
    expect(mark?.from).toBeDefined();
    expect((await health(busy.accountId)).state).toBe('ok');
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDate } from '../common/business-date';
import { addDays } from '../common/calendar-date';
import {
  type CollectionCluster,
  startCollectionCluster,
  waitFor,
  waitForIdleQueue,
} from '../../test/support/collection-cluster';
import type { CollectionAlertBody } from './health/alert-notifier';

// R17: a poison account (48001 on every datacube call) is isolated: it ends failing, then dead
// after COLLECTION_DEAD_AFTER_FAILURES runs; the other accounts complete; the webhook gets exactly
// one alert for it across all the runs.
const ACCOUNTS = 30;
const DEAD_AFTER = 3;

describe('R17: poison account isolation (in-process worker, local alert webhook)', () => {
  let cluster: CollectionCluster;
  let db: DataSource;
  let webhook: http.Server;
  const alerts: CollectionAlertBody[] = [];
  let poison: { accountId: number; appId: string };
  let healthy: number[] = [];

  const stateOf = async (accountId: number) => {
    const [row] = await db.query<
      { state: string; last_error_class: string; last_error_code: string; failures: number }[]
    >(
      `SELECT state, last_error_class, last_error_code, consecutive_failures AS failures
       FROM account_collection_health WHERE account_id = $1`,
      [accountId],
    );
    return row;
  };
  const alertsFor = (accountId: number) =>
    alerts.flatMap((a) => a.accounts).filter((a) => a.accountId === accountId);
  const poisonCalls = () =>
    cluster.sim.callLog.query({ appId: poison.appId, path: '/datacube' }).length;

  /**
   * A daily run for `day` over every WeChat account (distinct days give distinct job keys, as on
   * successive days). Explicit account ids: a scheduled run leaves an account whose first backfill
   * stored nothing to that backfill for a day.
   */
  const dailyRun = async (day: string) => {
    const ids = await db.query<{ id: number }[]>(
      `SELECT id FROM accounts WHERE platform = 'wechat' ORDER BY id`,
    );
    const res = await cluster.api.request('POST', '/api/v1/collection/trigger', {
      json: { task: 'wechat.daily', day, accountIds: ids.map((r) => r.id) },
    });
    expect(res.status, res.text).toBe(202);
    expect(await waitForIdleQueue(db, 20_000)).toBe(true);
  };

  beforeAll(async () => {
    webhook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        alerts.push(JSON.parse(body) as CollectionAlertBody);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const port = (webhook.address() as AddressInfo).port;
    cluster = await startCollectionCluster({
      size: ACCOUNTS,
      latencyMs: 1,
      apiEnv: { APP_ROLE: 'all' },
      workerEnv: {
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
        COLLECTION_DEAD_AFTER_FAILURES: String(DEAD_AFTER),
        COLLECTION_CONCURRENCY: '8',
        COLLECTION_WECHAT_ACCOUNTS_PER_JOB: '5',
        COLLECTION_RETRY_DELAY_SECONDS: '1',
        COLLECTION_MAX_ATTEMPTS: '2',
        COLLECTION_QUEUE_MAINTENANCE_SECONDS: '1',
      },
    });
    db = cluster.dataSource;
    const byApp = new Map(
      (
        await db.query<{ id: number; app: string }[]>(
          `SELECT id, wechat_app_id AS app FROM accounts WHERE platform = 'wechat'`,
        )
      ).map((r) => [r.app, r.id]),
    );
    const verified = [...cluster.sim.population.accounts()]
      .filter((a) => a.platform === 'wechat' && a.verified && a.wechatAppId)
      .map((a) => ({ appId: a.wechatAppId!, accountId: byApp.get(a.wechatAppId!)! }));
    expect(verified.length).toBeGreaterThanOrEqual(5);
    poison = verified[0];
    healthy = verified.slice(1).map((v) => v.accountId);
    cluster.sim.faults.add({
      scope: { appId: poison.appId },
      kind: 'permission',
      path: '/datacube',
    });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    await new Promise((resolve) => webhook?.close(resolve));
  });

  it('run 1 (backfill): the poison account is failing, every other verified account completes', async () => {
    const res = await cluster.api.request('POST', '/api/v1/collection/backfill', {
      json: { days: 3 },
    });
    expect(res.status, res.text).toBe(202);
    expect(await waitForIdleQueue(db, 30_000)).toBe(true);
    expect(await stateOf(poison.accountId)).toMatchObject({
      state: 'failing',
      last_error_class: 'permission',
      last_error_code: '48001',
      failures: 1,
    });
    // Not retried: one request for the poison account's run, then it stops.
    expect(poisonCalls()).toBe(1);
    const others = await db.query<{ state: string; covered: boolean; n: number }[]>(
      `SELECT h.state, b.covered_through IS NOT NULL AS covered, count(*)::int AS n
       FROM accounts a
       JOIN account_collection_health h ON h.account_id = a.id
       JOIN collection_bookmarks b ON b.account_id = a.id AND b.task = 'wechat.daily'
       WHERE a.id = ANY($1::int[]) GROUP BY 1, 2`,
      [healthy],
    );
    expect(others).toEqual([{ state: 'ok', covered: true, n: healthy.length }]);
    // The jobs completed (a permanent failure is not retried), none dead-lettered.
    const [failed] = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name LIKE 'collect.%' AND state = 'failed'`,
    );
    expect(failed.n).toBe(0);
    expect(
      await waitFor(() => Promise.resolve(alertsFor(poison.accountId).length > 0), 5_000),
    ).toBe(true);
  });

  it(`dead after ${DEAD_AFTER} runs, no calls once dead, exactly 1 alert across all runs`, async () => {
    const yesterday = addDays(businessDate(new Date()), -1);
    await dailyRun(addDays(yesterday, -1));
    expect(await stateOf(poison.accountId)).toMatchObject({ state: 'failing', failures: 2 });
    await dailyRun(addDays(yesterday, -2));
    expect(await stateOf(poison.accountId)).toMatchObject({ state: 'dead', failures: DEAD_AFTER });
    const callsWhenDead = poisonCalls();
    expect(callsWhenDead).toBe(DEAD_AFTER);
    await dailyRun(addDays(yesterday, -3));
    await dailyRun(yesterday);
    // Dead-lettered: later runs skip it without a request.
    expect(poisonCalls()).toBe(callsWhenDead);
    expect((await stateOf(poison.accountId)).state).toBe('dead');

    await new Promise((r) => setTimeout(r, 500));
    expect(alertsFor(poison.accountId)).toHaveLength(1);
    expect(alertsFor(poison.accountId)[0]).toMatchObject({
      state: 'failing',
      errorClass: 'permission',
      code: '48001',
    });
    // Every account that ever alerted (the poison one, and unverified accounts: 48001 too) did so once.
    const perAccount = new Map<number, number>();
    for (const a of alerts.flatMap((b) => b.accounts)) {
      perAccount.set(a.accountId, (perAccount.get(a.accountId) ?? 0) + 1);
    }
    expect([...perAccount.values()].every((n) => n === 1)).toBe(true);
    expect(healthy.some((id) => perAccount.has(id))).toBe(false);
    const others = await db.query<{ state: string; n: number }[]>(
      `SELECT state, count(*)::int AS n FROM account_collection_health
       WHERE account_id = ANY($1::int[]) GROUP BY 1`,
      [healthy],
    );
    expect(others).toEqual([{ state: 'ok', n: healthy.length }]);
  }, 60_000);

  it('a Weibo token the platform rejects (21327) marks the credential expired; the fan-out skips it', async () => {
    const [victim] = await db.query<{ id: number; uid: string }[]>(
      `SELECT id, weibo_uid AS uid FROM accounts WHERE platform = 'weibo' ORDER BY id LIMIT 1`,
    );
    cluster.sim.faults.add({ scope: { uid: victim.uid }, kind: 'token_expired' });
    const res = await cluster.api.request('POST', '/api/v1/collection/trigger', {
      json: { task: 'weibo.posts', accountIds: [victim.id] },
    });
    expect(res.status, res.text).toBe(202);
    expect(await waitForIdleQueue(db, 30_000)).toBe(true);
    const [credential] = await db.query<{ state: string; last_error_class: string }[]>(
      `SELECT state, last_error_class FROM platform_credentials
       WHERE account_id = $1 AND kind = 'weibo_token'`,
      [victim.id],
    );
    expect(credential).toEqual({ state: 'expired', last_error_class: 'auth' });
    expect((await stateOf(victim.id)).last_error_class).toBe('auth');
    // Without a valid credential the account is no longer collectable.
    const again = await cluster.api.request('POST', '/api/v1/collection/trigger', {
      json: { task: 'weibo.posts', accountIds: [victim.id] },
    });
    expect(again.body).toMatchObject({ accounts: 0 });
  });

  it('reset re-arms a dead account only for a key whose region scope holds it', async () => {
    expect((await stateOf(poison.accountId)).state).toBe('dead');
    const [{ region }] = await db.query<{ region: string }[]>(
      `SELECT o.region_code AS region FROM accounts a JOIN organizations o ON o.id = a.organization_id
       WHERE a.id = $1`,
      [poison.accountId],
    );
    const elsewhere = region.startsWith('11') ? '310000' : '110000';
    const created = await cluster.api.request('POST', '/api/v1/api-keys', {
      json: { name: 'scoped-admin', role: 'admin', regionCode: elsewhere },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.apiKey).toMatch(/^gmm_/);
    const scoped = await cluster.api.request('POST', '/api/v1/collection/trigger', {
      key: created.body.apiKey as string,
      json: { task: 'wechat.daily', accountIds: [poison.accountId], reset: true },
    });
    expect(scoped.status, scoped.text).toBe(202);
    expect((await stateOf(poison.accountId)).state).toBe('dead');

    const unscoped = await cluster.api.request('POST', '/api/v1/collection/trigger', {
      json: { task: 'wechat.daily', accountIds: [poison.accountId], reset: true },
    });
    expect(unscoped.status, unscoped.text).toBe(202);
    expect(await waitForIdleQueue(db, 30_000)).toBe(true);
    // Re-armed (and failing again at once: the platform still refuses it).
    expect((await stateOf(poison.accountId)).state).toBe('failing');
  });
});

import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../../test/support/database';
import { loadConfig } from '../../config/app-config';
import { PlatformError } from '../../platforms/platform-error';
import { nextQuotaDay, quotaDayEndSql } from './budget-math';
import { RequestBudget, type RequestBudgetOptions } from './request-budget';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function rateLimited(retryAfterSeconds?: number): PlatformError {
  return new PlatformError('wechat', {
    errorClass: 'rate_limited',
    code: '45011',
    message: 'api minute-quota reach limit',
    retryAfterSeconds,
  });
}

function quotaExhausted(): PlatformError {
  return new PlatformError('wechat', {
    errorClass: 'quota_exhausted',
    code: '45009',
    message: 'reach max api daily quota limit',
  });
}

async function rejection(promise: Promise<unknown>): Promise<PlatformError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

describe('RequestBudget (PostgreSQL, 3 processes)', () => {
  /** Separate DataSources = separate pools, as separate processes would have. */
  const dataSources: DataSource[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const url = await createTestDatabase();
    for (let i = 0; i < 3; i++) dataSources.push(await openTestDataSource(url));
  });

  afterAll(async () => {
    await Promise.all(dataSources.map((ds) => ds.destroy()));
  });

  function budgets(
    env: { budgetPerMinute: number; maxWaitSeconds: number },
    options: RequestBudgetOptions = {},
  ): RequestBudget[] {
    const config = loadConfig({
      COLLECTION_BUDGET_PER_MINUTE: String(env.budgetPerMinute),
      COLLECTION_MAX_WAIT_SECONDS: String(env.maxWaitSeconds),
    });
    return dataSources.map((ds) => new RequestBudget(ds, config, options));
  }

  async function dbNow(): Promise<Date> {
    const rows = await dataSources[0].query<{ now: Date }[]>('SELECT now() AS now');
    return rows[0].now;
  }

  it('never exceeds the per-window budget across processes', async () => {
    const windowMs = 1_000;
    const instances = budgets({ budgetPerMinute: 30, maxWaitSeconds: 5 }, { windowMs });
    const calls: number[] = [];
    const perInstance = [0, 0, 0];
    const stopAt = Date.now() + 3_600;
    await Promise.all(
      instances.flatMap((budget, i) =>
        Array.from({ length: 8 }, async () => {
          while (Date.now() < stopAt) {
            await budget.call('wechat', 'wechat:hammered', async () => {
              calls.push(Date.now());
              perInstance[i]++;
              await sleep(2);
            });
          }
        }),
      ),
    );
    const buckets = new Map<number, number>();
    for (const t of calls) {
      const b = Math.floor(t / windowMs);
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
    }
    const counts = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
    expect(Math.max(...counts)).toBeLessThanOrEqual(30);
    // The budget is actually used: full windows in the middle are (nearly) filled.
    expect(counts.length).toBeGreaterThanOrEqual(4);
    for (const n of counts.slice(1, -1)) expect(n).toBeGreaterThanOrEqual(24);
    // Every process got a share.
    for (const n of perInstance) expect(n).toBeGreaterThan(0);
    const [state] = await instances[0].snapshot(['wechat:hammered']);
    expect(state.used).toBeLessThanOrEqual(30);
    expect(state.limit).toBe(30);
  });

  it('a full window counts toward the wait cap: over it the call ends as transient at once', async () => {
    const [a, b] = budgets({ budgetPerMinute: 2, maxWaitSeconds: 1 }); // one-minute windows
    // Start right after a minute boundary so the window cannot roll over during the test.
    const now = await dbNow();
    if (now.getUTCSeconds() > 55) await sleep((61 - now.getUTCSeconds()) * 1_000);
    let calls = 0;
    const fn = () => Promise.resolve(++calls);
    await a.call('weibo', 'weibo:small', fn);
    await b.call('weibo', 'weibo:small', fn);
    const started = Date.now();
    const error = await rejection(a.call('weibo', 'weibo:small', fn));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.errorClass).toBe('transient');
    expect(error.code).toBe('rate_limit_wait_over_cap');
    expect(error.platform).toBe('weibo');
    expect(calls).toBe(2);
  });

  it('rate_limited with Retry-After 2: no call on any process for 2 s, then success', async () => {
    const [a, b, c] = budgets({ budgetPerMinute: 600, maxWaitSeconds: 5 });
    const key = 'wechat:retry-after-2';
    const calls: { who: string; at: number }[] = [];
    let errorAt = 0;
    const pa = a.call('wechat', key, () => {
      calls.push({ who: 'a', at: Date.now() });
      if (errorAt === 0) {
        errorAt = Date.now();
        return Promise.reject(rateLimited(2));
      }
      return Promise.resolve('a-ok');
    });
    while (errorAt === 0) await sleep(5);
    await sleep(100); // the block is stored by now
    const others = [b, c].map((budget, i) =>
      budget.call('wechat', key, () => {
        calls.push({ who: `bc${i}`, at: Date.now() });
        return Promise.resolve('ok');
      }),
    );
    expect(await pa).toBe('a-ok');
    expect(await Promise.all(others)).toEqual(['ok', 'ok']);
    expect(calls).toHaveLength(4);
    const after = calls.filter((c) => c.at > errorAt);
    expect(after).toHaveLength(3);
    for (const call of after) expect(call.at - errorAt).toBeGreaterThanOrEqual(2_000);
  });

  it('a block set by another process stops a busy process within one lease', async () => {
    // A budget far above the demand, so only the block stops B (lease chunk 20).
    const [a, b] = budgets({ budgetPerMinute: 1_000_000, maxWaitSeconds: 5 });
    const key = 'wechat:busy';
    const bCalls: number[] = [];
    let errorAt = 0;
    const stopAt = Date.now() + 3_000;
    const loops = Array.from({ length: 4 }, async () => {
      while (Date.now() < stopAt) {
        await b.call('wechat', key, async () => {
          bCalls.push(Date.now());
          await sleep(3);
        });
      }
    });
    await sleep(300);
    await a.call('wechat', key, () => {
      if (errorAt === 0) {
        errorAt = Date.now();
        return Promise.reject(rateLimited(2));
      }
      return Promise.resolve();
    });
    await Promise.all(loops);
    const during = bCalls.filter((t) => t > errorAt && t < errorAt + 2_000);
    // At most what B had leased before the block was stored: one lease in hand, one in flight.
    expect(during.length).toBeLessThanOrEqual(40);
    // ... all of it right at the start, none later in the wait.
    expect(during.filter((t) => t > errorAt + 200)).toEqual([]);
    expect(bCalls.filter((t) => t >= errorAt + 2_000).length).toBeGreaterThan(0);
  });

  it('Retry-After above the cap ends the call as transient at once and keeps the key blocked', async () => {
    const [a, b] = budgets({ budgetPerMinute: 600, maxWaitSeconds: 5 });
    const key = 'wechat:retry-after-20';
    let aCalls = 0;
    const started = Date.now();
    const error = await rejection(
      a.call('wechat', key, () => {
        aCalls++;
        return Promise.reject(rateLimited(20));
      }),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(aCalls).toBe(1);
    expect(error.errorClass).toBe('transient');
    expect(error.code).toBe('rate_limit_wait_over_cap');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(19);

    let bCalls = 0;
    const bStarted = Date.now();
    const bError = await rejection(b.call('wechat', key, () => Promise.resolve(++bCalls)));
    expect(Date.now() - bStarted).toBeLessThan(1_000);
    expect(bCalls).toBe(0);
    expect(bError.code).toBe('rate_limit_wait_over_cap');

    const [state] = await b.snapshot([key]);
    const now = await dbNow();
    expect(state.blockedReason).toBe('rate_limited');
    const left = state.blockedUntil!.getTime() - now.getTime();
    expect(left).toBeGreaterThan(18_000);
    expect(left).toBeLessThanOrEqual(20_000);
  });

  it('quota_exhausted blocks the key on every process until the next quota day', async () => {
    const [a, b, c] = budgets({ budgetPerMinute: 600, maxWaitSeconds: 5 });
    const key = 'wechat:quota';
    const original = quotaExhausted();
    let calls = 0;
    const before = await dbNow();
    const error = await rejection(
      a.call('wechat', key, () => {
        calls++;
        return Promise.reject(original);
      }),
    );
    const after = await dbNow();
    expect(error).toBe(original);
    expect(calls).toBe(1);

    const [state] = await a.snapshot([key]);
    expect(state.blockedReason).toBe('quota_exhausted');
    expect([nextQuotaDay(before).getTime(), nextQuotaDay(after).getTime()]).toContain(
      state.blockedUntil!.getTime(),
    );

    for (const budget of [a, b, c, a, b, c]) {
      const blocked = await rejection(budget.call('wechat', key, () => Promise.resolve(++calls)));
      expect(blocked.errorClass).toBe('quota_exhausted');
      expect(blocked.code).toBe('budget_quota_blocked');
    }
    expect(calls).toBe(1);
    // Another key is unaffected.
    expect(await b.call('wechat', 'wechat:other-app', () => Promise.resolve('fine'))).toBe('fine');
  });

  it('computes the quota-day end in SQL exactly as nextQuotaDay', async () => {
    const instants = [
      '2026-03-10T03:00:00.000Z',
      '2026-03-10T15:59:00.000Z', // 23:59 Shanghai
      '2026-03-10T15:59:59.999Z',
      '2026-03-10T16:00:00.000Z', // 00:00 Shanghai
      '2026-03-10T23:30:00.000Z',
      '2026-12-31T16:30:00.000Z',
    ].map((s) => new Date(s));
    for (const at of instants) {
      const rows = await dataSources[0].query<{ until: Date }[]>(
        `SELECT ${quotaDayEndSql('$1::timestamptz')} AS until`,
        [at],
      );
      expect(rows[0].until.toISOString()).toBe(nextQuotaDay(at).toISOString());
    }
  });

  it('other errors pass through without blocking', async () => {
    const [a] = budgets({ budgetPerMinute: 600, maxWaitSeconds: 5 });
    const key = 'wechat:errors';
    const plain = new Error('boom');
    const auth = new PlatformError('wechat', {
      errorClass: 'auth',
      code: '40001',
      message: 'invalid credential',
    });
    await expect(a.call('wechat', key, () => Promise.reject(plain))).rejects.toBe(plain);
    await expect(a.call('wechat', key, () => Promise.reject(auth))).rejects.toBe(auth);
    const [state] = await a.snapshot([key]);
    expect(state.blockedUntil).toBeNull();
    expect(await a.call('wechat', key, () => Promise.resolve(1))).toBe(1);
  });

  it('honours blocks set with block(): waits out a short one, works after a lapsed one', async () => {
    const [a, b] = budgets({ budgetPerMinute: 600, maxWaitSeconds: 5 });
    const key = 'weibo:admin';
    const now = await dbNow();
    await b.block(key, new Date(now.getTime() + 1_000), 'rate_limited');
    const started = Date.now();
    expect(await a.call('weibo', key, () => Promise.resolve('late'))).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    await b.block(key, new Date(now.getTime() - 1_000), 'quota_exhausted');
    expect(await a.call('weibo', key, () => Promise.resolve('lapsed'))).toBe('lapsed');
    const [state] = await a.snapshot([key]);
    expect(state.blockedUntil).toBeNull();
  });

  it('an admin lifting a quota block reaches a process that cached it', async () => {
    const [a, b] = budgets({ budgetPerMinute: 600, maxWaitSeconds: 5 }, { blockRecheckMs: 200 });
    const key = 'wechat:lifted';
    await expect(a.call('wechat', key, () => Promise.reject(quotaExhausted()))).rejects.toThrow();
    const cached = await rejection(a.call('wechat', key, () => Promise.resolve(1)));
    expect(cached.code).toBe('budget_quota_blocked');
    await b.block(key, new Date(0), 'quota_exhausted'); // lift
    await sleep(250);
    expect(await a.call('wechat', key, () => Promise.resolve('again'))).toBe('again');
  });

  it('snapshot lists requested keys, stored or not', async () => {
    const [a] = budgets({ budgetPerMinute: 600, maxWaitSeconds: 5 });
    await a.call('wechat', 'wechat:snap', () => Promise.resolve());
    const states = await a.snapshot(['wechat:snap', 'wechat:never-used']);
    expect(states.map((s) => s.key)).toEqual(['wechat:never-used', 'wechat:snap']);
    expect(states[0]).toMatchObject({ used: 0, limit: 600, blockedUntil: null });
    expect(states[1].used).toBeGreaterThanOrEqual(1);
    expect(states[1].windowStart.getTime() % 60_000).toBe(0);
    const all = await a.snapshot();
    expect(all.map((s) => s.key)).toContain('wechat:snap');
  });

  it('keeps throughput near ideal with few round trips: concurrency 50, 20 ms calls', async () => {
    const instances = budgets({ budgetPerMinute: 1_000_000, maxWaitSeconds: 5 });
    const latencyMs = 20;
    const concurrency = 50;
    async function run(
      durationMs: number,
      call: (i: number, fn: () => Promise<void>) => Promise<void>,
    ): Promise<number> {
      let calls = 0;
      const started = Date.now();
      const stopAt = started + durationMs;
      await Promise.all(
        instances.flatMap((_, i) =>
          Array.from({ length: concurrency }, async () => {
            while (Date.now() < stopAt) {
              await call(i, async () => {
                calls++;
                await sleep(latencyMs);
              });
            }
          }),
        ),
      );
      return (calls * 1_000) / (Date.now() - started);
    }
    // Ideal: the same loop without the budget.
    const ideal = await run(1_000, (_i, fn) => fn());
    const spies = dataSources.map((ds) => vi.spyOn(ds, 'query'));
    let calls = 0;
    const rate = await run(2_000, (i, fn) => {
      calls++;
      return instances[i].call('wechat', `wechat:throughput-${i % 2}`, fn);
    });
    const roundTrips = spies.reduce((n, spy) => n + spy.mock.calls.length, 0);
    spies.forEach((spy) => spy.mockRestore());
    console.log(
      `budget: ${rate.toFixed(0)}/s vs ${ideal.toFixed(0)}/s ideal (${(rate / ideal).toFixed(2)}), ` +
        `${(calls / roundTrips).toFixed(1)} calls per SQL round trip`,
    );
    expect(rate / ideal).toBeGreaterThanOrEqual(0.8);
    expect(roundTrips).toBeLessThanOrEqual(calls / 10);
  });

  it('drops the local state of idle keys', async () => {
    let fakeNow = 1_000_000;
    const [a] = budgets(
      { budgetPerMinute: 600, maxWaitSeconds: 5 },
      { now: () => fakeNow, idleDropMs: 1_000 },
    );
    const local = (a as unknown as { keys: Map<string, unknown> }).keys;
    await a.call('wechat', 'wechat:idle-1', () => Promise.resolve());
    await a.call('wechat', 'wechat:idle-2', () => Promise.resolve());
    expect(local.size).toBe(2);
    fakeNow += 61_000;
    await a.call('wechat', 'wechat:idle-3', () => Promise.resolve());
    expect([...local.keys()]).toEqual(['wechat:idle-3']);
  });
});

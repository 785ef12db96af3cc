import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../test/support/database';
import { dueAccounts, planJobs, SPREAD_BUCKET_MS, type DueAccount } from './fan-out';

const ACCOUNTS = 5_000;
const WINDOW_MS = 60 * 60_000;
const SLOT = new Date('2026-12-01T00:30:00Z');
const TEMPLATE = { task: 'wechat.daily' as const, throughDay: '2026-11-30' };

/** Accounts per 1-minute bucket of the window, by the start of the job that runs them. */
function accountsPerMinute(due: DueAccount[]): number[] {
  const buckets = new Array<number>(WINDOW_MS / SPREAD_BUCKET_MS).fill(0);
  for (const job of planJobs(due, TEMPLATE, 50, SLOT, WINDOW_MS)) {
    const minute = Math.floor((job.startAfter!.getTime() - SLOT.getTime()) / SPREAD_BUCKET_MS);
    buckets[minute] += job.data.accountIds.length;
  }
  return buckets;
}

describe('R10 load spreading: 5,000 accounts in a 60-minute window (PostgreSQL)', () => {
  let url: string;
  let db: DataSource;

  beforeAll(async () => {
    url = await createTestDatabase();
    db = await openTestDataSource(url);
    const [org] = await db.query<{ id: number }[]>(
      `INSERT INTO organizations (name, region_code, level, sector)
       VALUES ('spread', '510100', 'municipal', 'public_security') RETURNING id`,
    );
    // Set-based: accounts with a valid (dummy) WeChat credential each, bookmarks one day behind.
    await db.query(
      `WITH a AS (
         INSERT INTO accounts (platform, wechat_original_id, wechat_app_id, display_name, organization_id)
         SELECT 'wechat', 'gh_' || lpad(i::text, 12, '0'), 'wx' || lpad(to_hex(i), 16, '0'),
                'account ' || i, $1
         FROM generate_series(1, $2::int) AS i
         RETURNING id, wechat_app_id)
       INSERT INTO platform_credentials (account_id, kind, app_id, key_version, iv, ciphertext, tag)
       SELECT id, 'wechat_app', wechat_app_id, 'v1', '\\x000000000000000000000000'::bytea,
              '\\x00'::bytea, '\\x00000000000000000000000000000000'::bytea
       FROM a`,
      [org.id, ACCOUNTS],
    );
    await db.query(
      `INSERT INTO collection_bookmarks (account_id, task, covered_from, covered_through)
       SELECT id, 'wechat.daily', '2026-11-01', '2026-11-29' FROM accounts`,
    );
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('every 1-minute bucket holds the mean ±15 % of the accounts (here: ±1 account)', async () => {
    const due = await dueAccounts(db, { ...TEMPLATE, due: 'behind' });
    expect(due).toHaveLength(ACCOUNTS);
    const buckets = accountsPerMinute(due);
    const mean = ACCOUNTS / buckets.length;
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(ACCOUNTS);
    for (const n of buckets) {
      expect(Math.abs(n - mean) / mean).toBeLessThanOrEqual(0.15);
      expect(Math.abs(n - mean)).toBeLessThanOrEqual(1);
    }
  });

  it('no job runs accounts of two minutes, and none exceeds the batch size', () => {
    const due = Array.from({ length: 200 }, (_, i) => ({
      accountId: i + 1,
      platform: 'wechat' as const,
      wechatAppId: null,
      weiboUid: null,
      offset: i / 200,
    }));
    const jobs = planJobs(due, TEMPLATE, 50, SLOT, WINDOW_MS);
    const minuteOf = new Map(
      due.map((a) => [a.accountId, Math.floor((a.offset * WINDOW_MS) / SPREAD_BUCKET_MS)]),
    );
    for (const job of jobs) {
      expect(job.data.accountIds.length).toBeLessThanOrEqual(50);
      expect(new Set(job.data.accountIds.map((id) => minuteOf.get(id))).size).toBe(1);
    }
    // 200 accounts in 60 minutes: 3–4 a minute, one job each.
    expect(jobs).toHaveLength(60);
    // A Weibo batch call serves 100 uids: those jobs stay full, not cut by minute.
    const followers = planJobs(due, { ...TEMPLATE, task: 'weibo.followers' }, 100, SLOT, WINDOW_MS);
    expect(followers.map((j) => j.data.accountIds.length)).toEqual([100, 100]);
    expect(followers[1].startAfter!.getTime() - SLOT.getTime()).toBe(WINDOW_MS / 2);
  });

  it('the same account gets the same offset and job across 3 restarts', async () => {
    const runs: { offsets: Map<number, number>; jobs: string[] }[] = [];
    for (let restart = 0; restart < 3; restart++) {
      const fresh = await openTestDataSource(url);
      try {
        const due = await dueAccounts(fresh, { ...TEMPLATE, due: 'behind' });
        runs.push({
          offsets: new Map(due.map((a) => [a.accountId, a.offset])),
          jobs: planJobs(due, TEMPLATE, 50, SLOT, WINDOW_MS).map(
            (j) => `${j.startAfter!.toISOString()} ${j.data.accountIds.join(',')}`,
          ),
        });
      } finally {
        await fresh.destroy();
      }
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    // The hash order is not the registration order (the load is not spread by id).
    const first = [...runs[0].offsets.entries()].sort((a, b) => a[1] - b[1]).slice(0, 10);
    expect(first.map(([id]) => id)).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

import { describe, expect, it } from 'vitest';
import { planJobs } from '../fan-out';
import { jobId, jobKey } from './job-queue';

describe('job keys', () => {
  const data = { task: 'wechat.daily' as const, throughDay: '2026-11-21', accountIds: [3, 1, 2] };

  it('the same task, window and accounts give the same key and UUID, in any order', () => {
    expect(jobKey(data)).toBe(jobKey({ ...data, accountIds: [1, 2, 3] }));
    expect(jobId(jobKey(data))).toBe(jobId(jobKey({ ...data, accountIds: [2, 3, 1] })));
    expect(jobId(jobKey(data))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('a different day, account set, backfill run or window gives another key', () => {
    const keys = new Set([
      jobKey(data),
      jobKey({ ...data, throughDay: '2026-11-22' }),
      jobKey({ ...data, accountIds: [1, 2] }),
      jobKey({ ...data, backfillRunId: 7 }),
      jobKey({ ...data, fromDay: '2026-08-23' }),
      jobKey({ ...data, task: 'weibo.posts' }),
    ]);
    expect(keys.size).toBe(6);
  });
});

describe('planJobs', () => {
  const accounts = Array.from({ length: 7 }, (_, i) => ({
    accountId: i + 1,
    platform: 'wechat' as const,
    wechatAppId: null,
    weiboUid: null,
    offset: i / 7,
  }));

  it('batches in offset order and starts each batch at its first account offset', () => {
    const slot = new Date('2026-11-22T00:30:00Z');
    const jobs = planJobs(
      accounts,
      { task: 'wechat.daily', throughDay: '2026-11-21' },
      3,
      slot,
      70_000,
    );
    expect(jobs.map((j) => j.data.accountIds)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(jobs.map((j) => j.startAfter?.getTime())).toEqual([
      slot.getTime(),
      slot.getTime() + 30_000,
      slot.getTime() + 60_000,
    ]);
    expect(
      planJobs(accounts, { task: 'wechat.daily', throughDay: 'x' }, 10, slot, 0)[0].startAfter,
    ).toBe(undefined);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { businessDayStart } from '../../common/business-date';
import { addDays, dayNumber } from '../../common/calendar-date';
import { isDelayed } from '../../simulator/wechat-datacube';
import { shanghaiDay } from '../../simulator/dates';
import { wechatTruth } from '../../simulator/truth';
import type { CollectionJobData } from '../collection-contracts';
import {
  type RegisteredAccount,
  type TaskHarness,
  type TestDb,
  TestBudget,
  bookmarkTable,
  factChecksum,
  startTaskHarness,
} from './task-testing';
import { WechatDailyTask } from './wechat-daily.task';

// Rows the writers report as inserted or changed (R2: a replay writes 0).
const written = vi.hoisted(() => ({ rows: 0 }));
vi.mock('../../metrics/metric-writers', async (importOriginal) => {
  const { countingWriters } = await vi.importActual<typeof import('../../metrics/metrics-testing')>(
    '../../metrics/metrics-testing',
  );
  return countingWriters(await importOriginal(), written);
});

const ACCOUNTS = 10;
const DAYS = 14;
const AGES = [0, 1, 2, 7];
/** Calls of one 7-day chunk: summary + cumulate, then bizsummary + article detail per day. */
const CHUNK_CALLS = 2 + 7 * 2;

describe('WechatDailyTask against the simulator (PostgreSQL)', () => {
  let h: TaskHarness;
  let db: TestDb;
  let uninterrupted: TestBudget;
  let today: string;
  let yesterday: string;
  let fromDay: string;

  const taskOf = (d: TestDb) => new WechatDailyTask(h.wechatClient, d.tokens);
  const targetsOf = (d: TestDb) => d.wechat.map((a) => a.target);
  const backfill = (d: TestDb): CollectionJobData => ({
    task: 'wechat.daily',
    throughDay: yesterday,
    fromDay,
    accountIds: targetsOf(d).map((t) => t.accountId),
  });
  const datacubeCalls = () =>
    h.t.sim.callLog.query().filter((c) => c.path.startsWith('/datacube/')).length;

  beforeAll(async () => {
    h = await startTaskHarness({
      wechat: ACCOUNTS,
      // Accounts whose recent days are final (no is_delay), so every day is collectable.
      pick: (a, t) => {
        if (a.dormant || !a.verified || a.postsPerWeek < 3) return false;
        const clock = { today: shanghaiDay(t.clock.now), now: t.clock.now };
        return [1, 2].every((k) => !isDelayed(t.sim.population, a, clock.today - k, clock));
      },
    });
    db = await h.openDb();
    today = h.today();
    yesterday = addDays(today, -1);
    fromDay = addDays(yesterday, -(DAYS - 1));
  });

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(() => {
    h.t.sim.callLog.clear();
    written.rows = 0;
  });

  const truth = (account: RegisteredAccount, day: string) =>
    wechatTruth(h.t.sim.population, account.sim, day, dayNumber(yesterday));

  it('a 14-day backfill stores exactly the truth: daily metrics, posts, snapshots at ages 0/1/2/7', async () => {
    uninterrupted = new TestBudget();
    const outcomes = await taskOf(db).run(
      targetsOf(db),
      h.context(db, backfill(db), uninterrupted),
    );
    expect(outcomes.every((o) => o.ok && o.daysDone === DAYS && o.dataAsOf === yesterday)).toBe(
      true,
    );
    // The writers are counted (the R2 checks below rely on it): a first run writes every day.
    expect(written.rows).toBeGreaterThanOrEqual(ACCOUNTS * DAYS);
    const days = Array.from({ length: DAYS }, (_, i) => addDays(fromDay, i));
    // The first chunk also re-polls the articles published 1, 2 and 7 days before it.
    const postDays = [addDays(fromDay, -7), addDays(fromDay, -2), addDays(fromDay, -1), ...days];
    let postCount = 0;
    for (const account of db.wechat) {
      const id = account.target.accountId;
      const daily = await db.dataSource.query(
        `SELECT day::text, followers, new_followers, cancelled_followers, posts, reads, shares, likes,
                zaikan, comments, reposts, favourites, is_delay, partial, source
         FROM account_daily_metrics WHERE account_id = $1 ORDER BY day`,
        [id],
      );
      expect(daily).toEqual(
        days.map((day) => {
          const t = truth(account, day);
          return {
            day,
            followers: String(t.followers.cumulate_user),
            new_followers: String(t.followers.new_user),
            cancelled_followers: String(t.followers.cancel_user),
            posts: String(t.posts.length),
            reads: String(t.bizSummary.readUser),
            shares: String(t.bizSummary.shareUser),
            likes: String(t.bizSummary.likeUser),
            zaikan: String(t.bizSummary.zaikanUser),
            comments: String(t.bizSummary.commentCount),
            reposts: null,
            favourites: String(t.bizSummary.collectionUser),
            is_delay: false,
            partial: false,
            source: 'simulated',
          };
        }),
      );
      const posts = await db.dataSource.query(
        `SELECT platform_post_id, published_on::text, published_at, position FROM posts
         WHERE account_id = $1 ORDER BY published_on, position`,
        [id],
      );
      const expectedPosts = postDays.flatMap((day) =>
        truth(account, day).posts.map((p) => ({
          platform_post_id: p.msgid,
          published_on: day,
          published_at: businessDayStart(day),
          position: p.position,
        })),
      );
      expect(posts).toEqual(expectedPosts);
      postCount += expectedPosts.length;

      const snapshots = await db.dataSource.query(
        `SELECT platform_post_id, observed_day::text, age_days, reads, shares, likes, zaikan,
                comments, reposts, favourites
         FROM post_metric_snapshots WHERE account_id = $1
         ORDER BY published_on, platform_post_id, observed_day`,
        [id],
      );
      const expectedSnapshots = postDays.flatMap((day) =>
        truth(account, day)
          .posts.sort((a, b) => (a.msgid < b.msgid ? -1 : a.msgid > b.msgid ? 1 : 0))
          .flatMap((p) =>
            p.byAge
              .filter((b) => AGES.includes(b.age))
              .map((b) => ({
                platform_post_id: p.msgid,
                observed_day: b.stat_date,
                age_days: b.age,
                reads: String(b.readUser),
                shares: String(b.shareUser),
                likes: String(b.likes),
                zaikan: String(b.zaikan),
                comments: String(b.comments),
                reposts: null,
                favourites: String(b.favUser),
              })),
          ),
      );
      expect(snapshots).toEqual(expectedSnapshots);
    }
    expect(postCount).toBeGreaterThan(ACCOUNTS * 5);
    expect(await bookmarkTable(db.dataSource)).toEqual(
      targetsOf(db).map((t) => ({
        account_id: t.accountId,
        task: 'wechat.daily',
        from: fromDay,
        through: yesterday,
        cursor: null,
      })),
    );
    // 2 chunks of 7 days + 3 re-polled days per account.
    expect(uninterrupted.calls).toBe(ACCOUNTS * (2 * CHUNK_CALLS + 3));
  });

  it('R2: a second run requests nothing and writes 0 rows; a replay without bookmarks writes 0 rows', async () => {
    const before = await factChecksum(db.dataSource);
    const bookmarks = await bookmarkTable(db.dataSource);
    const budget = new TestBudget();
    const outcomes = await taskOf(db).run(targetsOf(db), h.context(db, backfill(db), budget));
    expect(outcomes.every((o) => o.ok && o.daysDone === 0)).toBe(true);
    expect(budget.calls).toBe(0);
    expect(written.rows).toBe(0);

    await db.dataSource.query(`DELETE FROM collection_bookmarks`);
    const replay = new TestBudget();
    await taskOf(db).run(targetsOf(db), h.context(db, backfill(db), replay));
    expect(replay.calls).toBe(uninterrupted.calls);
    expect(written.rows).toBe(0);
    expect(await factChecksum(db.dataSource)).toBe(before);
    expect(await bookmarkTable(db.dataSource)).toEqual(bookmarks);
  });

  it.each([60, 200])(
    'R13: interrupted after %i calls, then resumed = an uninterrupted run; ≤ 1 chunk re-read per account',
    async (failAfter) => {
      const fresh = await h.openDb();
      expect(targetsOf(fresh)).toEqual(targetsOf(db)); // same ids: comparable checksums
      const first = new TestBudget();
      first.failAfter = failAfter;
      const interrupted = await taskOf(fresh).run(
        targetsOf(fresh),
        h.context(fresh, backfill(fresh), first),
      );
      const failed = interrupted.filter((o) => !o.ok);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((o) => !o.ok && o.errorClass === 'transient' && o.retryable)).toBe(true);

      const second = new TestBudget();
      const resumed = await taskOf(fresh).run(
        targetsOf(fresh),
        h.context(fresh, backfill(fresh), second),
      );
      expect(resumed.every((o) => o.ok)).toBe(true);
      expect(await bookmarkTable(fresh.dataSource)).toEqual(await bookmarkTable(db.dataSource));
      expect(await factChecksum(fresh.dataSource)).toBe(await factChecksum(db.dataSource));
      // Days done add up to the backfill, once each.
      const done = [...interrupted, ...resumed].reduce((sum, o) => sum + (o.daysDone ?? 0), 0);
      expect(done).toBe(ACCOUNTS * DAYS);
      for (const [key, calls] of uninterrupted.byKey) {
        const spent = (first.byKey.get(key) ?? 0) + (second.byKey.get(key) ?? 0);
        expect(spent - calls).toBeGreaterThanOrEqual(0);
        // The re-read: at most the one chunk in flight (+ the first chunk's re-polled days).
        expect(spent - calls).toBeLessThanOrEqual(CHUNK_CALLS + 3);
      }
    },
  );

  it('R14: a bookmark in the future: 0 requests, 0 writes, bookmark unchanged', async () => {
    const [account] = targetsOf(db);
    const future = addDays(today, 30);
    await db.dataSource.query(
      `UPDATE collection_bookmarks SET covered_through = $2 WHERE account_id = $1`,
      [account.accountId, future],
    );
    const before = await factChecksum(db.dataSource);
    const bookmarks = await bookmarkTable(db.dataSource);
    const daily: CollectionJobData = {
      task: 'wechat.daily',
      throughDay: yesterday,
      accountIds: [account.accountId],
    };
    for (const job of [
      daily,
      { ...daily, fromDay },
      { ...daily, fromDay: addDays(fromDay, -30) },
    ]) {
      const budget = new TestBudget();
      const outcomes = await taskOf(db).run([account], h.context(db, job, budget));
      expect(outcomes).toEqual([{ accountId: account.accountId, ok: true, daysDone: 0 }]);
      expect(budget.calls).toBe(0);
    }
    // Also when the whole bookmark lies in the future, with a backfill asking for older days.
    await db.dataSource.query(
      `UPDATE collection_bookmarks SET covered_from = $2 WHERE account_id = $1`,
      [account.accountId, future],
    );
    const allFuture = await bookmarkTable(db.dataSource);
    const budget = new TestBudget();
    await taskOf(db).run([account], h.context(db, { ...daily, fromDay }, budget));
    expect(budget.calls).toBe(0);
    expect(datacubeCalls()).toBe(0);
    expect(written.rows).toBe(0);
    expect(await factChecksum(db.dataSource)).toBe(before);
    expect(await bookmarkTable(db.dataSource)).toEqual(allFuture);
    expect(bookmarks).not.toEqual(allFuture);
  });
});

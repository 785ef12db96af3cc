import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { businessDate } from '../../common/business-date';
import { addDays } from '../../common/calendar-date';
import { encodeUid } from '../../simulator/ids';
import { weiboTruth } from '../../simulator/truth';
import type { AccountOutcome, AccountTarget, CollectionJobData } from '../collection-contracts';
import {
  type RegisteredAccount,
  type TaskHarness,
  type TestDb,
  TestBudget,
  bookmarkTable,
  factChecksum,
  startTaskHarness,
} from './task-testing';
import { WeiboCountersTask } from './weibo-counters.task';
import { WeiboFollowersTask } from './weibo-followers.task';
import { WEIBO_WINDOW_PAGE_SIZE, WeiboPostsTask } from './weibo-posts.task';

// Rows the writers report as inserted or changed (R2: a replay writes 0).
const written = vi.hoisted(() => ({ rows: 0 }));
vi.mock('../../metrics/metric-writers', async (importOriginal) => {
  const { countingWriters } = await vi.importActual<typeof import('../../metrics/metrics-testing')>(
    '../../metrics/metrics-testing',
  );
  return countingWriters(await importOriginal(), written);
});

interface StoredPost {
  account_id: number;
  platform_post_id: string;
  published_on: string;
  published_at: Date;
  position: number | null;
  is_repost: boolean | null;
  title: string | null;
  url: string | null;
}

interface StoredSnapshot {
  account_id: number;
  platform_post_id: string;
  observed_day: string;
  age_days: number;
  reads: string | null;
  shares: string | null;
  reposts: string | null;
  comments: string | null;
  likes: string | null;
}

const ok = (outcomes: AccountOutcome[]) => outcomes.filter((o) => o.ok).length;

describe('Weibo tasks against the simulator (PostgreSQL)', () => {
  let h: TaskHarness;
  let db: TestDb;
  let followersTask: WeiboFollowersTask;
  let postsTask: WeiboPostsTask;
  let countersTask: WeiboCountersTask;
  let unknown: AccountTarget;

  const targets = () => db.weibo.map((a) => a.target);
  const job = (task: CollectionJobData['task'], extra: Partial<CollectionJobData> = {}) => ({
    task,
    throughDay: h.today(),
    accountIds: targets().map((t) => t.accountId),
    ...extra,
  });
  const calls = (path: string) => h.t.sim.callLog.query({ path }).length;
  const storedPosts = (accountId: number) =>
    db.dataSource.query<StoredPost[]>(
      `SELECT account_id, platform_post_id, published_on::text, published_at, position, is_repost,
              title, url
       FROM posts WHERE account_id = $1 ORDER BY published_at, platform_post_id`,
      [accountId],
    );
  const snapshotsOn = (observedDay: string) =>
    db.dataSource.query<StoredSnapshot[]>(
      `SELECT account_id, platform_post_id, observed_day::text, age_days, reads, shares, reposts,
              comments, likes
       FROM post_metric_snapshots WHERE observed_day = $1
       ORDER BY account_id, platform_post_id`,
      [observedDay],
    );
  /** The posts the simulator has published by now on `day`, with counters as of today. */
  const truthPosts = (account: RegisteredAccount, day: string) => {
    const now = h.t.clock.now.getTime();
    return weiboTruth(h.t.sim.population, account.sim, day, Number.MAX_SAFE_INTEGER)
      .posts.filter((p) => p.publishedAt <= now)
      .map((p) => ({ ...p, counters: p.byAge.find((b) => b.stat_date === h.today())! }));
  };

  beforeAll(async () => {
    h = await startTaskHarness({ weibo: 6 });
    db = await h.openDb();
    followersTask = new WeiboFollowersTask(h.weiboClient, db.credentials);
    postsTask = new WeiboPostsTask(h.weiboClient, db.credentials);
    countersTask = new WeiboCountersTask(h.weiboClient, db.credentials);
    // A uid the platform does not know (an index beyond the population), without a credential.
    const uid = encodeUid(h.t.sim.population.seed, h.t.sim.population.size + 5);
    const [row] = await db.dataSource.query<{ id: number }[]>(
      `INSERT INTO accounts (platform, weibo_uid, display_name, organization_id)
       SELECT 'weibo', $1, '不存在的账号', organization_id FROM accounts LIMIT 1 RETURNING id`,
      [uid],
    );
    unknown = { accountId: row.id, platform: 'weibo', wechatAppId: null, weiboUid: uid };
  });

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(() => {
    h.t.sim.callLog.clear();
    written.rows = 0;
  });

  it('followers: one users/counts call for the batch equals the truth; unknown uid → not_found', async () => {
    const batch = [unknown, ...targets()];
    const today = h.today();
    const outcomes = await followersTask.run(
      batch,
      h.context(db, { ...job('weibo.followers'), accountIds: batch.map((t) => t.accountId) }),
    );
    expect(calls('/2/users/counts.json')).toBe(1);
    expect(outcomes[0]).toMatchObject({ ok: false, errorClass: 'not_found', retryable: false });
    expect(outcomes.slice(1).every((o) => o.ok && o.dataAsOf === today)).toBe(true);
    const rows = await db.dataSource.query<
      { account_id: number; followers: string; posts: string | null; reads: string | null }[]
    >(
      `SELECT account_id, followers, posts, reads FROM account_daily_metrics WHERE day = $1
       ORDER BY account_id`,
      [today],
    );
    expect(rows).toEqual(
      db.weibo.map((a) => ({
        account_id: a.target.accountId,
        followers: String(
          weiboTruth(h.t.sim.population, a.sim, today, 0).followers.followers_count,
        ),
        posts: null,
        reads: null,
      })),
    );
    const bookmarks = await bookmarkTable(db.dataSource);
    expect(bookmarks.map((b) => [b.account_id, b.task, b.through])).toEqual(
      targets().map((t) => [t.accountId, 'weibo.followers', today]),
    );

    // The writers are counted (the 0 below relies on it): one followers row per known account.
    expect(written.rows).toBe(targets().length);
    // Covered through today: a second run asks for nothing and writes nothing.
    written.rows = 0;
    const again = await followersTask.run(batch, h.context(db, job('weibo.followers')));
    expect(calls('/2/users/counts.json')).toBe(1); // the unknown uid is asked again, alone
    expect(ok(again)).toBe(targets().length);
    expect(written.rows).toBe(0);
    h.t.sim.callLog.clear();
    await followersTask.run(targets(), h.context(db, job('weibo.followers')));
    expect(calls('/2/')).toBe(0);
  });

  it('posts: a 14-day backfill equals the truth (ids, created_at, counters, daily counts)', async () => {
    const today = h.today();
    const fromDay = addDays(today, -13);
    const budget = new TestBudget();
    const outcomes = await postsTask.run(
      targets(),
      h.context(db, job('weibo.posts', { fromDay }), budget),
    );
    expect(outcomes.every((o) => o.ok && o.daysDone === 14 && o.dataAsOf === today)).toBe(true);
    let expectedCalls = 0;
    for (const account of db.weibo) {
      const days = Array.from({ length: 14 }, (_, i) => addDays(fromDay, i));
      const truth = days.flatMap((day) => truthPosts(account, day));
      expect(truth.length).toBeGreaterThan(0);
      const stored = await storedPosts(account.target.accountId);
      expect(stored).toEqual(
        truth.map((p) => ({
          account_id: account.target.accountId,
          platform_post_id: String(p.id),
          published_on: p.date,
          published_at: new Date(p.publishedAt),
          position: null,
          is_repost: false,
          title: p.text.slice(0, 120),
          url: `https://weibo.com/${account.sim.weiboUid}/${p.id}`,
        })),
      );
      const daily = await db.dataSource.query<{ day: string; posts: string }[]>(
        `SELECT day::text, posts FROM account_daily_metrics
         WHERE account_id = $1 AND posts IS NOT NULL ORDER BY day`,
        [account.target.accountId],
      );
      // Today is not over: its count comes with the first run after midnight.
      expect(daily).toEqual(
        days.slice(0, 13).map((day) => ({
          day,
          posts: String(truthPosts(account, day).length),
        })),
      );
      // Two 7-day windows, paged by 20 posts.
      for (const window of [days.slice(0, 7), days.slice(7)]) {
        const n = window.reduce((sum, day) => sum + truthPosts(account, day).length, 0);
        expectedCalls += Math.floor(n / WEIBO_WINDOW_PAGE_SIZE) + 1;
      }
    }
    expect(budget.calls).toBe(expectedCalls);
    expect(calls('/2/statuses/user_timeline/other.json')).toBe(expectedCalls);

    const snapshots = await snapshotsOn(today);
    const expected = db.weibo.flatMap((account) =>
      Array.from({ length: 14 }, (_, i) => addDays(fromDay, i))
        .flatMap((day) => truthPosts(account, day))
        .map((p) => ({
          account_id: account.target.accountId,
          platform_post_id: String(p.id),
          observed_day: today,
          age_days: p.counters.age,
          reads: null,
          shares: null,
          reposts: String(p.counters.reposts),
          comments: String(p.counters.comments),
          likes: String(p.counters.attitudes),
        })),
    );
    const byKey = (r: StoredSnapshot) => `${r.account_id}|${r.platform_post_id}`;
    expect(snapshots.map(byKey).sort()).toEqual(expected.map(byKey).sort());
    const storedByKey = new Map(snapshots.map((r) => [byKey(r), r]));
    for (const e of expected) expect(storedByKey.get(byKey(e))).toEqual(e);

    const bookmarks = (await bookmarkTable(db.dataSource)).filter((b) => b.task === 'weibo.posts');
    expect(bookmarks).toEqual(
      targets().map((t) => ({
        account_id: t.accountId,
        task: 'weibo.posts',
        from: fromDay,
        through: today,
        cursor: String(h.t.clock.now.getTime()),
      })),
    );
  });

  it('posts: a replay re-reads only today and writes 0 rows; a replay from scratch writes 0 rows', async () => {
    const before = await factChecksum(db.dataSource);
    const bookmarksBefore = await bookmarkTable(db.dataSource);
    const budget = new TestBudget();
    const fromDay = addDays(h.today(), -13);
    const outcomes = await postsTask.run(
      targets(),
      h.context(db, job('weibo.posts', { fromDay }), budget),
    );
    expect(ok(outcomes)).toBe(targets().length);
    expect(outcomes.every((o) => o.ok && o.daysDone === 0)).toBe(true);
    // One window (today), one page unless today has 20 posts or more.
    const todayPages = db.weibo.reduce(
      (sum, a) => sum + Math.floor(truthPosts(a, h.today()).length / WEIBO_WINDOW_PAGE_SIZE) + 1,
      0,
    );
    expect(budget.calls).toBe(todayPages);
    expect(written.rows).toBe(0);
    expect(await factChecksum(db.dataSource)).toBe(before);
    expect(await bookmarkTable(db.dataSource)).toEqual(bookmarksBefore);

    // Without bookmarks everything is read again: same rows, 0 written.
    await db.dataSource.query(`DELETE FROM collection_bookmarks WHERE task = 'weibo.posts'`);
    await postsTask.run(targets(), h.context(db, job('weibo.posts', { fromDay })));
    expect(written.rows).toBe(0);
    expect(await factChecksum(db.dataSource)).toBe(before);
    expect(await bookmarkTable(db.dataSource)).toEqual(bookmarksBefore);
  });

  it('counters: re-polls the stored posts at ages 1, 2 and 7 into snapshots observed today', async () => {
    const today = h.today();
    await db.dataSource.query(`DELETE FROM post_metric_snapshots WHERE observed_day = $1`, [today]);
    const budget = new TestBudget();
    const outcomes = await countersTask.run(
      targets(),
      h.context(db, job('weibo.counters'), budget),
    );
    expect(outcomes.every((o) => o.ok && o.dataAsOf === today)).toBe(true);
    const expected = db.weibo.flatMap((account) =>
      [1, 2, 7].flatMap((age) =>
        truthPosts(account, addDays(today, -age)).map((p) => ({
          account_id: account.target.accountId,
          platform_post_id: String(p.id),
          observed_day: today,
          age_days: age,
          reads: null,
          shares: null,
          reposts: String(p.counters.reposts),
          comments: String(p.counters.comments),
          likes: String(p.counters.attitudes),
        })),
      ),
    );
    expect(expected.length).toBeGreaterThan(0);
    const key = (r: StoredSnapshot) => `${r.account_id}|${r.platform_post_id}`;
    const stored = await snapshotsOn(today);
    expect(stored.map(key).sort()).toEqual(expected.map(key).sort());
    const storedByKey = new Map(stored.map((r) => [key(r), r]));
    for (const e of expected) expect(storedByKey.get(key(e))).toEqual(e);
    expect(budget.calls).toBe(Math.ceil(expected.length / 100));
    expect(calls('/2/statuses/count.json')).toBe(Math.ceil(expected.length / 100));

    // Covered through today: no call, no write.
    h.t.sim.callLog.clear();
    written.rows = 0;
    await countersTask.run(targets(), h.context(db, job('weibo.counters')));
    expect(calls('/2/')).toBe(0);
    expect(written.rows).toBe(0);
  });

  it('posts: later runs re-read only the open day; after midnight it gets its count', async () => {
    const day = h.today();
    h.t.advance(5 * 3600_000); // 15:00 the same day
    const budget = new TestBudget();
    await postsTask.run(targets(), h.context(db, job('weibo.posts'), budget));
    const todayPages = db.weibo.reduce(
      (sum, a) => sum + Math.floor(truthPosts(a, day).length / WEIBO_WINDOW_PAGE_SIZE) + 1,
      0,
    );
    expect(budget.calls).toBe(todayPages);
    for (const account of db.weibo) {
      const stored = (await storedPosts(account.target.accountId)).filter(
        (p) => p.published_on === day,
      );
      expect(stored.map((p) => p.platform_post_id)).toEqual(
        truthPosts(account, day).map((p) => String(p.id)),
      );
    }

    // 00:30 the next day: one window [day, next day]; `day` is complete now.
    h.t.advance(10 * 3600_000);
    const next = h.today();
    expect(next).toBe(addDays(day, 1));
    const outcomes = await postsTask.run(targets(), h.context(db, job('weibo.posts')));
    expect(outcomes.every((o) => o.ok && o.daysDone === 1 && o.dataAsOf === next)).toBe(true);
    expect(calls('/2/statuses/user_timeline/other.json')).toBeLessThanOrEqual(
      todayPages + db.weibo.length * 2,
    );
    for (const account of db.weibo) {
      const [row] = await db.dataSource.query<{ posts: string }[]>(
        `SELECT posts FROM account_daily_metrics WHERE account_id = $1 AND day = $2`,
        [account.target.accountId, day],
      );
      expect(row.posts).toBe(String(truthPosts(account, day).length));
      const stored = (await storedPosts(account.target.accountId)).filter(
        (p) => p.published_on === day,
      );
      expect(stored).toHaveLength(truthPosts(account, day).length);
    }
    expect(businessDate(h.t.clock.now)).toBe(next);
  });

  it('R14: a bookmark in the future: 0 requests, 0 writes; a corrupt one: config error', async () => {
    const [first, second] = targets();
    const future = addDays(h.today(), 30);
    await db.dataSource.query(
      `UPDATE collection_bookmarks SET covered_through = $2, cursor = NULL
       WHERE account_id = $1`,
      [first.accountId, future],
    );
    await db.dataSource.query(
      `UPDATE collection_bookmarks SET cursor = 'garbage' WHERE account_id = $1 AND task = 'weibo.posts'`,
      [second.accountId],
    );
    const before = await factChecksum(db.dataSource);
    const bookmarks = await bookmarkTable(db.dataSource);
    for (const [task, handler] of [
      ['weibo.posts', postsTask],
      ['weibo.followers', followersTask],
      ['weibo.counters', countersTask],
    ] as const) {
      const outcomes = await handler.run(
        [first],
        h.context(db, {
          task,
          throughDay: h.today(),
          fromDay: addDays(h.today(), -20),
          accountIds: [first.accountId],
        }),
      );
      expect(outcomes).toEqual([{ accountId: first.accountId, ok: true, daysDone: 0 }]);
    }
    const corrupt = await postsTask.run([second], h.context(db, job('weibo.posts')));
    expect(corrupt[0]).toMatchObject({
      ok: false,
      errorClass: 'config',
      code: 'corrupt_bookmark',
      retryable: false,
    });
    expect(calls('/2/')).toBe(0);
    expect(written.rows).toBe(0);
    expect(await factChecksum(db.dataSource)).toBe(before);
    expect(await bookmarkTable(db.dataSource)).toEqual(bookmarks);
  });
});

import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/database';
import { buildDataSourceOptions } from '../../database/data-source-options';
import { businessDate } from '../../common/business-date';
import { addDays } from '../../common/calendar-date';
import { computeBci } from '../formulas/bci';
import { computeWci } from '../formulas/wci';
import { periodOf, type PeriodType, type WeekStart } from '../periods';
import { ScoreRunService } from './score-run.service';
import {
  createScoringAccounts,
  ensureScoringPartitions,
  scoresChecksum,
  storedScores,
  writeDailyRange,
  writePosts,
  writeSnapshots,
} from './score-testing';

/*
 * Score runs on PostgreSQL through the real migrations and metric writers: snapshot choice by age,
 * NULL inputs, ties, period boundaries in Asia/Shanghai, activity, prev ranks and determinism.
 */

describe('score runs (PostgreSQL)', () => {
  let db: DataSource;
  let db2: DataSource;
  let runs: ScoreRunService;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const url = await createTestDatabase();
    db = await new DataSource(buildDataSourceOptions(url, 4)).initialize();
    db2 = await new DataSource(buildDataSourceOptions(url, 2)).initialize();
    runs = new ScoreRunService(db);
    await ensureScoringPartitions(db, '2025-09-01', '2026-12-01');
  });

  afterAll(async () => {
    await db.destroy();
    await db2.destroy();
  });

  const run = async (
    platform: 'wechat' | 'weibo',
    type: PeriodType,
    date: string,
    options: { weekStart?: WeekStart; version?: string; service?: ScoreRunService } = {},
  ) => {
    const record = await (options.service ?? runs).run({
      platform,
      period: periodOf(type, date, { weekStart: options.weekStart }),
      formulaVersion: (options.version ??
        (platform === 'wechat' ? 'wci-v14.2' : 'bci-2021')) as never,
      trigger: 'manual',
      requestedBy: 'test',
    });
    expect(record.error).toBeNull();
    expect(record.status).toBe('done');
    return record;
  };

  describe('a WeChat week (2026-W44, Mon 10-26 … Sun 11-01), T+7 values', () => {
    let ids: number[];
    const start = '2026-10-26';

    beforeAll(async () => {
      // A, B, C (= B), D (no 点赞/在看: datacube), E (never posted), F (last post 10-01).
      ids = await createScoringAccounts(db, 'wechat', 6);
      const [a, b, c, d, , f] = ids;
      await writePosts(db, [
        { accountId: a, id: 'a1', day: '2026-10-26', position: 1 },
        { accountId: a, id: 'a2', day: '2026-10-26', position: 2 },
        { accountId: a, id: 'a3', day: '2026-10-28', position: 1 },
        { accountId: b, id: 'b1', day: '2026-10-27', position: 1 },
        { accountId: c, id: 'c1', day: '2026-10-27', position: 1 },
        { accountId: d, id: 'd1', day: '2026-10-30', position: 1 },
        { accountId: d, id: 'd2', day: '2026-11-01', position: 2 },
        { accountId: f, id: 'f1', day: '2026-10-01', position: 1 },
      ]);
      const s = (
        accountId: number,
        id: string,
        day: string,
        age: number,
        reads: number,
        rest: { zaikan?: number | null; likes?: number | null; shares?: number | null } = {},
      ) => ({
        accountId,
        platformPostId: id,
        publishedOn: day,
        age,
        reads,
        zaikan: rest.zaikan === undefined ? Math.floor(reads / 100) : rest.zaikan,
        likes: rest.likes === undefined ? Math.floor(reads / 50) : rest.likes,
        shares: rest.shares === undefined ? Math.floor(reads / 30) : rest.shares,
      });
      await writeSnapshots(db, [
        // Young counters that must not be used for a week.
        s(a, 'a1', '2026-10-26', 0, 100),
        s(a, 'a1', '2026-10-26', 1, 900),
        s(a, 'a1', '2026-10-26', 7, 12_000),
        s(a, 'a2', '2026-10-26', 1, 300),
        s(a, 'a2', '2026-10-26', 7, 100_001), // 10万+
        s(a, 'a3', '2026-10-28', 2, 5_000), // no T+7: the latest younger one, partial
        s(a, 'a3', '2026-10-28', 9, 9_999), // older than T+7: never used when a younger exists
        s(b, 'b1', '2026-10-27', 7, 8_000),
        s(c, 'c1', '2026-10-27', 7, 8_000),
        s(d, 'd1', '2026-10-30', 7, 4_000, { zaikan: null, likes: null }),
        s(d, 'd2', '2026-11-01', 7, 1_000, { zaikan: null, likes: null }),
      ]);
      await writeDailyRange(db, ids, '2026-10-25', '2026-11-01');
    });

    it('takes each post’s T+7 snapshot (else the latest younger one, marked partial)', async () => {
      const result = await run('wechat', 'week', start);
      expect(result).toMatchObject({
        status: 'done',
        periodKey: '2026-W44',
        periodStart: '2026-10-26',
        periodEnd: '2026-11-01',
        weekStart: 'monday',
        formulaVersion: 'wci-v14.2',
        activityVersion: 'activity-v1',
        snapshotAge: 7,
        accountsScored: 6,
        accounts: 6,
      });
      const [a] = await storedScores(db, 'week', start, { accountIds: [ids[0]] });
      expect(a).toMatchObject({
        posts: 3,
        headline_posts: 2,
        active_days: 2,
        total_reads: String(12_000 + 100_001 + 5_000),
        headline_reads: String(12_000 + 5_000),
        max_reads: '100001',
        zaikan: String(120 + 1000 + 50),
        partial: true, // a3 had no T+7
        followers: '1007',
        followers_change: '7',
        data_as_of: '2026-11-01',
        days_since_last_post: 4,
        run_id: String(result.id),
      });
      const expected = computeWci({
        d: 7,
        n: 3,
        R: 117_001,
        Rt: 17_000,
        Rmax: 100_001,
        Z: 1170,
        Zt: 170,
        Zmax: 1000,
        L: 240 + 2000 + 100,
        Lt: 240 + 100,
        Lmax: 2000,
        RE: 400 + 3333 + 166,
        REt: 400 + 166,
        REmax: 3333,
      });
      expect(a.score).toBeCloseTo(expected.value as number, 9);
      expect(a.score_inputs_used).toEqual(expected.inputsUsed);
      expect(a.score_inputs_missing).toEqual([]);
    });

    it('reports NULL inputs as missing and scores on the rest (re-normalised weights)', async () => {
      const [d] = await storedScores(db, 'week', start, { accountIds: [ids[3]] });
      const expected = computeWci({
        d: 7,
        n: 2,
        R: 5_000,
        Rt: 4_000,
        Rmax: 4_000,
        Z: null,
        Zt: null,
        Zmax: null,
        L: null,
        Lt: null,
        Lmax: null,
        RE: 133 + 33,
        REt: 133,
        REmax: 133,
      });
      expect(d.zaikan).toBeNull();
      expect(d.likes).toBeNull();
      expect(d.score_inputs_missing).toEqual(['Z', 'Zt', 'Zmax', 'L', 'Lt', 'Lmax']);
      expect(d.score_inputs_used).toEqual(expected.inputsUsed);
      expect(d.score).toBeCloseTo(expected.value as number, 9);
      expect(d.partial).toBe(false);
    });

    it('ranks by score with competition ranks on ties; no score → no rank', async () => {
      const rows = await storedScores(db, 'week', start, { accountIds: ids });
      const [a, b, c, d, e, f] = rows;
      expect(b.score).toBe(c.score);
      expect([a.rank_score, b.rank_score, c.rank_score, d.rank_score]).toEqual([1, 2, 2, 4]);
      expect(e.score).toBeNull();
      expect(e.rank_score).toBeNull();
      expect(f.rank_score).toBeNull();
      expect(rows.map((r) => r.rank_reads)).toEqual([1, 2, 2, 4, 5, 5]); // 0 reads tie last
      expect(rows.every((r) => r.prev_rank_score === null)).toBe(true);
    });

    it('activity: last post from all history; stale at 14 days, dormant at 90, never = both', async () => {
      const rows = await storedScores(db, 'week', start, { accountIds: ids });
      const [a, , , , e, f] = rows;
      expect(a).toMatchObject({ stale: false, dormant: false });
      expect(e).toMatchObject({
        days_since_last_post: null,
        stale: true,
        dormant: true,
        activity_score: 0,
      });
      expect(f).toMatchObject({ days_since_last_post: 31, stale: true, dormant: false, posts: 0 });
      expect(f.activity_score).toBe(0);
      // 2 active days of 7, 3 posts, last post 4 days before the end.
      expect(a.activity_score).toBe(
        100 * (0.6 * (2 / 7) + 0.2 * Math.min(3 / 7, 1) + 0.2 * (1 - 4 / 14)),
      );
    });

    it('R24: a recompute (also from a second replica at once) rewrites nothing, byte for byte', async () => {
      const before = await scoresChecksum(db);
      const other = new ScoreRunService(db2);
      const [again, concurrent] = await Promise.all([
        run('wechat', 'week', start),
        run('wechat', 'week', start, { service: other }),
      ]);
      expect(again).toMatchObject({
        status: 'done',
        accounts: 0,
        accountsScored: 6,
        formulaVersion: 'wci-v14.2',
      });
      expect(concurrent).toMatchObject({
        status: 'done',
        accounts: 0,
        formulaVersion: 'wci-v14.2',
      });
      expect(await scoresChecksum(db)).toBe(before);
    });

    it('prev_rank_score: from the previous period, refreshed when that period is rescored later', async () => {
      const next = '2026-11-02';
      const [a] = ids;
      await writePosts(db, [{ accountId: a, id: 'a4', day: '2026-11-03' }]);
      await writeSnapshots(db, [
        { accountId: a, platformPostId: 'a4', publishedOn: '2026-11-03', age: 7, reads: 10 },
      ]);
      await run('wechat', 'week', next);
      const [row] = await storedScores(db, 'week', next, { accountIds: [a] });
      expect(row.prev_rank_score).toBe(1);
      // W44 changes: B now leads, so A's W44 rank (and W45's prev rank) becomes 2.
      await writeSnapshots(db, [
        {
          accountId: ids[1],
          platformPostId: 'b1',
          publishedOn: '2026-10-27',
          age: 7,
          reads: 900_000,
        },
      ]);
      await run('wechat', 'week', start);
      const [after] = await storedScores(db, 'week', next, { accountIds: [a] });
      expect(after.prev_rank_score).toBe(2);
    });
  });

  describe('a WeChat day: T+1, else T+2, else the nearest other age (partial)', () => {
    it('picks age 1, then 2, then the latest younger, then the earliest older', async () => {
      const [a, b, c, d] = await createScoringAccounts(db, 'wechat', 4);
      const day = '2026-11-10';
      await writePosts(db, [
        { accountId: a, id: 'q1', day },
        { accountId: b, id: 'q2', day },
        { accountId: c, id: 'q3', day },
        { accountId: d, id: 'q4', day },
      ]);
      const snap = (accountId: number, id: string, age: number, reads: number) => ({
        accountId,
        platformPostId: id,
        publishedOn: day,
        age,
        reads,
        zaikan: 1,
        likes: 1,
        shares: 1,
      });
      await writeSnapshots(db, [
        snap(a, 'q1', 0, 10),
        snap(a, 'q1', 1, 11),
        snap(a, 'q1', 2, 12),
        snap(a, 'q1', 7, 17),
        snap(b, 'q2', 2, 22),
        snap(b, 'q2', 7, 27),
        snap(c, 'q3', 0, 30),
        snap(c, 'q3', 7, 37),
        snap(d, 'q4', 5, 45),
        snap(d, 'q4', 9, 49),
      ]);
      await writeDailyRange(db, [a, b, c, d], '2026-11-09', day);
      const result = await run('wechat', 'day', day);
      expect(result).toMatchObject({ status: 'done', periodKey: day, snapshotAge: 1 });
      const rows = await storedScores(db, 'day', day, { accountIds: [a, b, c, d] });
      expect(rows.map((r) => r.total_reads)).toEqual(['11', '22', '30', '45']);
      expect(rows.map((r) => r.partial)).toEqual([false, false, true, true]);
      const wci = computeWci({
        d: 1,
        n: 1,
        R: 11,
        Rt: 11,
        Rmax: 11,
        Z: 1,
        Zt: 1,
        Zmax: 1,
        L: 1,
        Lt: 1,
        Lmax: 1,
        RE: 1,
        REt: 1,
        REmax: 1,
      });
      expect(rows[0].score).toBeCloseTo(wci.value as number, 9);
    });

    it('yesterday (T+1 may still be missing): the same choice through the nearest-age plan', async () => {
      const yesterday = addDays(businessDate(), -1);
      await ensureScoringPartitions(db, yesterday, businessDate());
      const [a, b] = await createScoringAccounts(db, 'wechat', 2);
      await writePosts(db, [
        { accountId: a, id: 'y1', day: yesterday },
        { accountId: b, id: 'y2', day: yesterday },
      ]);
      await writeSnapshots(db, [
        { accountId: a, platformPostId: 'y1', publishedOn: yesterday, age: 0, reads: 10 },
        { accountId: a, platformPostId: 'y1', publishedOn: yesterday, age: 1, reads: 20 },
        { accountId: b, platformPostId: 'y2', publishedOn: yesterday, age: 0, reads: 5 },
      ]);
      await run('wechat', 'day', yesterday);
      const rows = await storedScores(db, 'day', yesterday, { accountIds: [a, b] });
      expect(rows.map((r) => [r.total_reads, r.partial])).toEqual([
        ['20', true], // no daily row for the day
        ['5', true],
      ]);
    });

    it('partial when a day of the period has no daily row, a partial one, or failing collection', async () => {
      const [ok, gap, flagged, failing] = await createScoringAccounts(db, 'wechat', 4);
      const from = '2026-09-07';
      const to = '2026-09-13';
      await writeDailyRange(db, [ok, failing], from, to);
      await writeDailyRange(db, [gap], from, '2026-09-12');
      await writeDailyRange(db, [flagged], from, to, (_, day) => ({
        partial: day === '2026-09-10',
      }));
      await db.query(
        `INSERT INTO account_collection_health (account_id, state, up, data_as_of) VALUES ($1, 'failing', false, '2026-09-12')`,
        [failing],
      );
      await run('wechat', 'week', from);
      const rows = await storedScores(db, 'week', from, {
        accountIds: [ok, gap, flagged, failing],
      });
      expect(rows.map((r) => r.partial)).toEqual([false, true, true, true]);
      expect(rows[1].data_as_of).toBe('2026-09-12');
      expect(rows[1].followers).toBe('1005'); // the last known day in the period
    });
  });

  describe('period boundaries (Asia/Shanghai business days)', () => {
    it('Monday vs Sunday weeks: a Sunday post belongs to the week it ends or starts', async () => {
      const [a] = await createScoringAccounts(db, 'weibo', 1);
      await writePosts(db, [
        { accountId: a, id: '1001', day: '2026-11-08', position: null }, // a Sunday
        { accountId: a, id: '1002', day: '2026-11-07', position: null }, // Saturday
      ]);
      const monday = await run('weibo', 'week', '2026-11-08');
      const sundayWeek = await run('weibo', 'week', '2026-11-08', { weekStart: 'sunday' });
      const previousSundayWeek = await run('weibo', 'week', '2026-11-07', { weekStart: 'sunday' });
      expect(monday).toMatchObject({
        periodKey: '2026-W45',
        periodStart: '2026-11-02',
        weekStart: 'monday',
      });
      expect(sundayWeek).toMatchObject({ periodKey: '2026-11-08~2026-11-14', weekStart: 'sunday' });
      expect(previousSundayWeek).toMatchObject({
        periodKey: '2026-11-01~2026-11-07',
        weekStart: 'sunday',
      });
      const posts = async (startDay: string, weekStart: string) =>
        (await storedScores(db, 'week', startDay, { weekStart, accountIds: [a] }))[0].posts;
      expect(await posts('2026-11-02', 'monday')).toBe(2);
      expect(await posts('2026-11-08', 'sunday')).toBe(1);
      expect(await posts('2026-11-01', 'sunday')).toBe(1);
    });

    it('month end and midnight: 23:59 Shanghai is still October, 00:30 is November', async () => {
      const [a] = await createScoringAccounts(db, 'weibo', 1);
      await writePosts(db, [
        {
          accountId: a,
          id: '2001',
          day: '2026-10-31',
          publishedAt: new Date('2026-10-31T15:59:00Z'),
          position: null,
        },
        {
          accountId: a,
          id: '2002',
          day: '2026-11-01',
          publishedAt: new Date('2026-10-31T16:30:00Z'),
          position: null,
        },
        {
          accountId: a,
          id: '2003',
          day: '2026-11-30',
          publishedAt: new Date('2026-11-30T15:00:00Z'),
          position: null,
        },
      ]);
      await run('weibo', 'month', '2026-10-15');
      await run('weibo', 'month', '2026-11-15');
      const [oct] = await storedScores(db, 'month', '2026-10-01', { accountIds: [a] });
      const [nov] = await storedScores(db, 'month', '2026-11-01', { accountIds: [a] });
      expect(oct.posts).toBe(1);
      expect(nov.posts).toBe(2);
      expect(nov.days_since_last_post).toBe(0);
    });

    it('year change: days, ISO week 2026-W01, Q4 and the years split at 00:00 Shanghai', async () => {
      const [a] = await createScoringAccounts(db, 'weibo', 1);
      await writePosts(db, [
        {
          accountId: a,
          id: '3001',
          day: '2025-12-31',
          publishedAt: new Date('2025-12-31T15:30:00Z'),
          position: null,
        },
        {
          accountId: a,
          id: '3002',
          day: '2026-01-01',
          publishedAt: new Date('2025-12-31T16:00:00Z'),
          position: null,
        },
      ]);
      const week = await run('weibo', 'week', '2026-01-01');
      expect(week).toMatchObject({
        periodKey: '2026-W01',
        periodStart: '2025-12-29',
        periodEnd: '2026-01-04',
      });
      const q4 = await run('weibo', 'quarter', '2025-12-31');
      expect(q4).toMatchObject({
        periodKey: '2025-Q4',
        periodStart: '2025-10-01',
        periodEnd: '2025-12-31',
      });
      await run('weibo', 'year', '2025-06-01');
      await run('weibo', 'year', '2026-06-01');
      await run('weibo', 'day', '2025-12-31');
      const posts = async (type: string, startDay: string) =>
        (await storedScores(db, type, startDay, { accountIds: [a] }))[0].posts;
      expect(await posts('week', '2025-12-29')).toBe(2);
      expect(await posts('quarter', '2025-10-01')).toBe(1);
      expect(await posts('year', '2025-01-01')).toBe(1);
      expect(await posts('year', '2026-01-01')).toBe(1);
      expect(await posts('day', '2025-12-31')).toBe(1);
    });
  });

  describe('Weibo BCI', () => {
    it('sums reposts, comments and likes of the period’s posts; a missing one is reported', async () => {
      const [a, b, none] = await createScoringAccounts(db, 'weibo', 3);
      const day = '2026-11-17';
      await writePosts(db, [
        { accountId: a, id: '4001', day, position: null },
        { accountId: a, id: '4002', day, position: null },
        { accountId: b, id: '4003', day, position: null },
      ]);
      await db.query(
        `INSERT INTO post_metric_snapshots (account_id, observed_day, platform_post_id, published_on, reposts, comments, likes, source)
         VALUES ($1, '2026-11-24', '4001', $3, 100, 50, 1000, 'official_api'),
                ($1, '2026-11-24', '4002', $3, 20, 5, 300, 'official_api'),
                ($2, '2026-11-24', '4003', $3, 7, 3, NULL, 'official_api')`,
        [a, b, day],
      );
      await run('weibo', 'week', day);
      const [ra, rb, rn] = await storedScores(db, 'week', '2026-11-16', {
        accountIds: [a, b, none],
      });
      const ea = computeBci({ posts: 2, reposts: 120, comments: 55, likes: 1300 });
      const eb = computeBci({ posts: 1, reposts: 7, comments: 3, likes: null });
      expect(ra.score).toBeCloseTo(ea.value as number, 9);
      expect(rb.score).toBeCloseTo(eb.value as number, 9);
      expect(rb.score_inputs_missing).toEqual(['likes']);
      expect(rb.score_inputs_used).toEqual(['posts', 'reposts', 'comments']);
      expect(rn.score).toBe(0); // no posts: 0, a BCI all the same
      expect([ra.rank_score, rb.rank_score, rn.rank_score]).toEqual([1, 2, 3]);
      expect(ra.total_reads).toBeNull(); // Weibo gives no reads
      expect(rn.total_reads).toBe('0'); // nothing published, nothing read
    });
  });
});

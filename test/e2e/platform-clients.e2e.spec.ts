import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError, type PlatformErrorClass } from '../../src/platforms/platform-error';
import { WechatClient } from '../../src/platforms/wechat/wechat.client';
import { WeiboClient } from '../../src/platforms/weibo/weibo.client';
import { findAccount, startTestSim, type TestSim } from '../../src/simulator/sim-test-kit';
import type { SimAccount } from '../../src/simulator';

/** The real clients against the simulator over HTTP, compared with the simulator's own truth. */
describe('platform clients against the simulator', () => {
  let t: TestSim;
  let wechat: WechatClient;
  let weibo: WeiboClient;
  let wx: SimAccount;
  let wb: SimAccount;
  let token: string;

  const truth = async (path: string): Promise<any> =>
    (await fetch(`${t.sim.url}/__sim/truth/${path}`)).json();
  const errorClassOf = async (call: Promise<unknown>): Promise<PlatformErrorClass> => {
    const err = await call.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlatformError);
    return (err as PlatformError).errorClass;
  };

  beforeAll(async () => {
    t = await startTestSim();
    const now = () => t.clock.now;
    wechat = new WechatClient({
      baseUrl: t.sim.url,
      timeoutMs: 1_000,
      maxBodyBytes: 2 * 1024 * 1024,
      now,
    });
    weibo = new WeiboClient({
      baseUrl: t.sim.url,
      timeoutMs: 1_000,
      maxBodyBytes: 2 * 1024 * 1024,
      now,
    });
    wx = findAccount(
      t.sim,
      (a) => a.platform === 'wechat' && a.verified && !a.dormant && a.postsPerWeek >= 5,
    );
    wb = findAccount(t.sim, (a) => a.platform === 'weibo' && !a.dormant && a.postsPerWeek >= 5);
    token = (await wechat.fetchStableToken(wx.wechatAppId!, wx.appSecret!, false)).accessToken;
  });
  afterAll(async () => {
    await t.sim.close();
  });
  beforeEach(() => {
    t.sim.faults.clear();
    t.sim.callLog.clear();
  });

  it('stable_token: same token while valid, a new one on force_refresh', async () => {
    const again = await wechat.fetchStableToken(wx.wechatAppId!, wx.appSecret!, false);
    expect(again.accessToken).toBe(token);
    expect(again.expiresInSeconds).toBeGreaterThanOrEqual(300);
    const forced = await wechat.fetchStableToken(wx.wechatAppId!, wx.appSecret!, true);
    expect(forced.accessToken).not.toBe(token);
    token = forced.accessToken;
    expect(
      await errorClassOf(wechat.fetchStableToken(wx.wechatAppId!, 'f'.repeat(32), false)),
    ).toBe('auth');
    const legacy = await wechat.fetchToken(wx.wechatAppId!, wx.appSecret!);
    expect(legacy.expiresInSeconds).toBe(7200);
  });

  it('user summary and cumulate over 20 days: split into 7-day windows, equal to the truth', async () => {
    const rows = await wechat.getUserCumulateRange(token, '2026-11-01', '2026-11-20');
    expect(rows.map((r) => r.refDate)).toHaveLength(20);
    expect(t.sim.callLog.query({ path: '/datacube/getusercumulate' })).toHaveLength(3);
    const summary = await wechat.getUserSummaryRange(token, '2026-11-01', '2026-11-20');
    for (const day of ['2026-11-01', '2026-11-08', '2026-11-20']) {
      const expected = await truth(`wechat/${wx.wechatAppId}/${day}`);
      expect(rows.find((r) => r.refDate === day)?.cumulateUser).toBe(
        expected.followers.cumulate_user,
      );
      const s = summary.find((r) => r.refDate === day);
      expect(s?.newUser).toBe(expected.followers.new_user);
      expect(s?.cancelUser).toBe(expected.followers.cancel_user);
    }
  });

  it('biz summary and article total detail: one day per call, equal to the truth', async () => {
    // A day on which the account published, so the per-post comparison is not empty.
    let day = '';
    let expected: any;
    for (let d = 15; d >= 1 && !day; d--) {
      const candidate = `2026-11-${String(d).padStart(2, '0')}`;
      const found = await truth(`wechat/${wx.wechatAppId}/${candidate}`);
      if (found.posts.length > 0) [day, expected] = [candidate, found];
    }
    expect(day).not.toBe('');
    const biz = await wechat.getBizSummary(token, day);
    expect(biz.rows[0]).toMatchObject({ refDate: day, readUser: expected.bizSummary.readUser });
    const detail = await wechat.getArticleTotalDetail(token, day);
    expect(detail.articles.map((i) => i.msgid).sort()).toEqual(
      expected.posts.map((p: { msgid: string }) => p.msgid).sort(),
    );
    for (const post of expected.posts as {
      msgid: string;
      byAge: { stat_date: string; readUser: number }[];
    }[]) {
      const item = detail.articles.find((i) => i.msgid === post.msgid)!;
      for (const age of post.byAge) {
        expect(item.stats.find((s) => s.statDate === age.stat_date)?.readUser).toBe(age.readUser);
      }
    }
    const range = await wechat.getBizSummaryRange(token, '2026-11-10', '2026-11-12');
    expect(range.rows.map((r) => r.refDate)).toEqual(['2026-11-10', '2026-11-11', '2026-11-12']);
    expect(t.sim.callLog.query({ path: '/datacube/getbizsummary' })).toHaveLength(4);
    expect(Array.isArray(await wechat.getArticleTotal(token, day))).toBe(true);
  });

  it('published list, menu', async () => {
    const batch = await wechat.batchGetPublished(token, 0, 20);
    expect(batch.itemCount).toBeLessThanOrEqual(20);
    expect(batch.totalCount).toBeGreaterThanOrEqual(batch.itemCount);
    expect(await errorClassOf(wechat.batchGetPublished(token, 0, 21))).toBe('config');
    const menu = await wechat.getCurrentSelfMenu(token);
    expect(typeof menu.isMenuOpen).toBe('boolean');
  });

  it('date rules come back as config errors', async () => {
    expect(await errorClassOf(wechat.getUserSummary(token, '2026-11-01', '2026-11-30'))).toBe(
      'config',
    );
    expect(await errorClassOf(wechat.getBizSummary(token, '2026-11-22'))).toBe('config');
  });

  it('maps every fault to its error class', async () => {
    const cases: [Record<string, unknown>, PlatformErrorClass][] = [
      [{ kind: 'rate_limit' }, 'rate_limited'],
      [{ kind: 'quota' }, 'quota_exhausted'],
      [{ kind: 'token_expired' }, 'auth'],
      [{ kind: 'server_error', status: 503 }, 'transient'],
      [{ kind: 'malformed_json' }, 'transient'],
      [{ kind: 'hang' }, 'transient'],
      [{ kind: 'slow_drip', intervalMs: 400 }, 'transient'],
      [{ kind: 'permission' }, 'permission'],
      [{ kind: 'redirect', location: 'http://example.invalid/steal' }, 'config'],
      [{ kind: 'oversized', sizeMb: 3 }, 'unknown'],
      [{ kind: 'bad_data', variant: 'negative' }, 'unknown'],
    ];
    for (const [fault, expected] of cases) {
      t.sim.faults.clear();
      t.sim.faults.add({ scope: { appId: wx.wechatAppId! }, ...fault } as never);
      expect(
        await errorClassOf(wechat.getUserCumulate(token, '2026-11-01', '2026-11-02')),
        JSON.stringify(fault),
      ).toBe(expected);
    }
    t.sim.faults.clear();
    t.sim.faults.add({
      scope: 'global',
      kind: 'rate_limit',
      http429: true,
      retryAfterSeconds: 20,
    } as never);
    const err = await wechat
      .getUserCumulate(token, '2026-11-01', '2026-11-02')
      .catch((e: PlatformError) => e);
    expect(err).toMatchObject({ errorClass: 'rate_limited' });
  });

  it('Weibo: show, counts in chunks of 100, timelines, status counts', async () => {
    const user = await weibo.showUser(wb.weiboAccessToken!, wb.weiboUid!);
    const expected = await truth(`weibo/${wb.weiboUid}/2026-11-21`);
    expect(user.followersCount).toBeGreaterThanOrEqual(expected.followers.followers_count);

    const uids = [...t.sim.population.accounts()]
      .filter((a) => a.platform === 'weibo')
      .slice(0, 150)
      .map((a) => a.weiboUid!);
    const counts = await weibo.userCounts(wb.weiboAccessToken!, uids);
    expect(counts).toHaveLength(150);
    expect(t.sim.callLog.query({ path: '/2/users/counts.json' })).toHaveLength(2);

    const own = await weibo.userTimeline(wb.weiboAccessToken!, { count: 50 });
    expect(own.statuses.length).toBeGreaterThan(0);
    expect(own.statuses[0].createdAt).toBeInstanceOf(Date);
    const other = await weibo.otherUserTimeline(wb.weiboAccessToken!, wb.weiboUid!, { count: 20 });
    expect(other.statuses.map((s) => s.id)).toEqual(
      own.statuses.slice(0, other.statuses.length).map((s) => s.id),
    );

    const ids = own.statuses.map((s) => s.id);
    const statusCounts = await weibo.statusCounts(wb.weiboAccessToken!, ids);
    expect(statusCounts.map((c) => c.id).sort()).toEqual([...ids].sort());

    t.sim.faults.add({ scope: { uid: wb.weiboUid! }, kind: 'rate_limit' } as never);
    expect(await errorClassOf(weibo.showUser(wb.weiboAccessToken!, wb.weiboUid!))).toBe(
      'rate_limited',
    );
    t.sim.faults.clear();
    t.sim.faults.add({ scope: { uid: wb.weiboUid! }, kind: 'token_expired' } as never);
    expect(await errorClassOf(weibo.showUser(wb.weiboAccessToken!, wb.weiboUid!))).toBe('auth');
    t.sim.faults.clear();
    expect(await errorClassOf(weibo.showUser('2.00deadbeef', wb.weiboUid!))).toBe('auth');
    expect(await errorClassOf(weibo.showUser(wb.weiboAccessToken!, '1000000001'))).toBe(
      'not_found',
    );
  });

  it('never puts a token in the simulator call log', () => {
    expect(JSON.stringify(t.sim.callLog.query())).not.toContain(token);
  });
});

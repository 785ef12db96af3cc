import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimAccount } from './population';
import { findAccount, getJson, json, postJson, startTestSim, type TestSim } from './sim-test-kit';

describe('WeChat API simulator', () => {
  let t: TestSim;
  let url: string;
  let account: SimAccount;
  let token: string;

  const tokenFor = async (a: SimAccount): Promise<string> => {
    const r = await getJson(
      `${url}/cgi-bin/token?grant_type=client_credential&appid=${a.wechatAppId}&secret=${a.appSecret}`,
    );
    return r.body.access_token as string;
  };
  const stable = (a: SimAccount, force = false) =>
    postJson(`${url}/cgi-bin/stable_token`, {
      grant_type: 'client_credential',
      appid: a.wechatAppId,
      secret: a.appSecret,
      force_refresh: force,
    });
  const datacube = (path: string, begin: string, end: string, tok = token) =>
    postJson(`${url}/datacube/${path}?access_token=${tok}`, { begin_date: begin, end_date: end });

  beforeAll(async () => {
    t = await startTestSim();
    url = t.sim.url;
    account = findAccount(
      t.sim,
      (a) => a.platform === 'wechat' && a.verified && !a.dormant && a.postsPerWeek > 5,
    );
    token = await tokenFor(account);
  });
  afterAll(async () => {
    await t.sim.close();
  });

  describe('tokens', () => {
    it('issues 7200 s tokens and rejects unknown app ids and wrong secrets', async () => {
      const ok = await getJson(
        `${url}/cgi-bin/token?grant_type=client_credential&appid=${account.wechatAppId}&secret=${account.appSecret}`,
      );
      expect(ok.status).toBe(200);
      expect(ok.body.expires_in).toBe(7200);
      expect(ok.body.access_token.length).toBeGreaterThan(100);
      const wrong = await getJson(
        `${url}/cgi-bin/token?grant_type=client_credential&appid=${account.wechatAppId}&secret=${'0'.repeat(32)}`,
      );
      expect(wrong.body.errcode).toBe(40001);
      const unknown = await getJson(
        `${url}/cgi-bin/token?grant_type=client_credential&appid=wx0123456789abcdef&secret=x`,
      );
      expect(unknown).toEqual({ status: 200, body: { errcode: 40013, errmsg: 'invalid appid' } });
    });

    it('keeps the replaced cgi-bin token valid for 5 minutes, then answers 40001; expiry is 42001', async () => {
      const a = findAccount(t.sim, (x) => x.platform === 'wechat' && x.verified && x.index > 100);
      const first = await tokenFor(a);
      const second = await tokenFor(a);
      expect(second).not.toBe(first);
      const menu = (tok: string) =>
        getJson(`${url}/cgi-bin/get_current_selfmenu_info?access_token=${tok}`);
      expect((await menu(first)).body.errcode).toBeUndefined();
      t.advance(5 * 60_000 + 1000);
      expect((await menu(first)).body.errcode).toBe(40001);
      expect((await menu(second)).body.errcode).toBeUndefined();
      t.advance(7200_000);
      expect((await menu(second)).body.errcode).toBe(42001);
      t.clock.now = new Date('2026-11-22T02:00:00Z');
    });

    it('stable_token returns the same token while ≥ 300 s remain, isolated from cgi-bin tokens', async () => {
      const a = findAccount(t.sim, (x) => x.platform === 'wechat' && x.index > 200);
      const basic = await tokenFor(a);
      const one = await stable(a);
      expect(one.body.expires_in).toBe(7200);
      expect(one.body.access_token).not.toBe(basic);
      t.advance(3600_000);
      const two = await stable(a);
      expect(two.body.access_token).toBe(one.body.access_token);
      expect(two.body.expires_in).toBe(3600);
      t.advance(3400_000); // 200 s left: renewed
      const three = await stable(a);
      expect(three.body.access_token).not.toBe(one.body.access_token);
      expect(three.body.expires_in).toBeGreaterThanOrEqual(300);
      t.clock.now = new Date('2026-11-22T02:00:00Z');
    });

    it('force_refresh issues a new token, overlaps the old one 5 minutes, and is limited', async () => {
      const a = findAccount(t.sim, (x) => x.platform === 'wechat' && x.verified && x.index > 300);
      const old = (await stable(a)).body.access_token;
      const fresh = await stable(a, true);
      expect(fresh.body.access_token).not.toBe(old);
      const menu = (tok: string) =>
        getJson(`${url}/cgi-bin/get_current_selfmenu_info?access_token=${tok}`);
      expect((await menu(old)).body.errcode).toBeUndefined();
      // Too soon after the previous force_refresh.
      expect((await stable(a, true)).body.errcode).toBe(45009);
      t.advance(5 * 60_000);
      expect((await menu(old)).body.errcode).toBe(40001);
      for (let i = 2; i <= 20; i += 1) {
        t.advance(31_000);
        expect((await stable(a, true)).body.access_token).toBeDefined();
      }
      t.advance(31_000);
      expect((await stable(a, true)).body).toEqual({
        errcode: 45009,
        errmsg: 'reach max api daily quota limit',
      });
      t.clock.now = new Date('2026-11-22T02:00:00Z');
    });

    it('answers 41001 without a token and 40014 for an unknown one', async () => {
      expect((await datacube('getusersummary', '2026-11-15', '2026-11-21', '')).body.errcode).toBe(
        41001,
      );
      const res = await postJson(`${url}/datacube/getusersummary`, {});
      expect(res.body.errcode).toBe(41001);
      expect(
        (await datacube('getusersummary', '2026-11-15', '2026-11-21', 'nope')).body.errcode,
      ).toBe(40014);
    });
  });

  describe('datacube', () => {
    it('getusersummary and getusercumulate cover 7 days ending yesterday, consistently', async () => {
      const summary = await datacube('getusersummary', '2026-11-15', '2026-11-21');
      const cumulate = await datacube('getusercumulate', '2026-11-14', '2026-11-20');
      expect(summary.body.list).toHaveLength(7);
      expect(summary.body.list[0]).toEqual({
        ref_date: '2026-11-15',
        user_source: 0,
        new_user: expect.any(Number),
        cancel_user: expect.any(Number),
      });
      const byDate = new Map<string, number>(
        cumulate.body.list.map((r: any) => [r.ref_date, r.cumulate_user]),
      );
      for (const row of summary.body.list.slice(0, 6)) {
        const before = byDate.get(
          new Date(Date.parse(row.ref_date) - 86_400_000).toISOString().slice(0, 10),
        )!;
        expect(byDate.get(row.ref_date)).toBe(before + row.new_user - row.cancel_user);
      }
    });

    it('applies the date rules: 61500 format, 61501 span and today, nothing before 2014-12-01', async () => {
      expect((await datacube('getusersummary', '2026/11/15', '2026-11-21')).body.errcode).toBe(
        61500,
      );
      expect((await datacube('getusersummary', '2026-02-30', '2026-03-01')).body.errcode).toBe(
        61500,
      );
      expect((await datacube('getusersummary', '2026-11-14', '2026-11-21')).body).toEqual({
        errcode: 61501,
        errmsg: 'date range error',
      });
      expect((await datacube('getusercumulate', '2026-11-22', '2026-11-22')).body.errcode).toBe(
        61501,
      );
      expect((await datacube('getusercumulate', '2026-11-21', '2026-11-20')).body.errcode).toBe(
        61501,
      );
      expect((await datacube('getbizsummary', '2026-11-19', '2026-11-20')).body.errcode).toBe(
        61501,
      );
      expect(
        (await datacube('getarticletotaldetail', '2026-11-19', '2026-11-20')).body.errcode,
      ).toBe(61501);
      expect((await datacube('getarticletotal', '2026-11-19', '2026-11-20')).body.errcode).toBe(
        61501,
      );
      expect((await datacube('getusercumulate', '2014-11-25', '2014-11-30')).body).toEqual({
        list: [],
      });
      const res = await fetch(`${url}/datacube/getusersummary?access_token=${token}`, {
        method: 'POST',
        body: '{not json',
      });
      expect((await json(res)).errcode).toBe(47001);
    });

    it('getbizsummary, getarticletotaldetail and getarticletotal agree with the truth', async () => {
      let checkedPosts = 0;
      for (const date of ['2026-11-10', '2026-11-12', '2026-11-16', '2026-11-19']) {
        const truth = await getJson(`${url}/__sim/truth/wechat/${account.wechatAppId}/${date}`);
        if (truth.body.isDelay) continue;
        const biz = await datacube('getbizsummary', date, date);
        expect(biz.body.is_delay).toBe(false);
        expect(biz.body.list[0].detail.read_user).toBe(truth.body.bizSummary.readUser);
        const detail = await datacube('getarticletotaldetail', date, date);
        expect(detail.body.list.map((i: any) => i.msgid)).toEqual(
          truth.body.posts.map((p: any) => p.msgid),
        );
        for (const [i, item] of detail.body.list.entries()) {
          const post = truth.body.posts[i];
          expect(item.detail_list).toHaveLength(post.byAge.length);
          expect(item.detail_list.at(-1).stat_date).toBe('2026-11-21');
          item.detail_list.forEach((d: any, k: number) => {
            expect(d.read_user).toBe(post.byAge[k].readUser);
            expect(d.like_user).toBe(post.byAge[k].likes);
            expect(d.zaikan_user).toBe(post.byAge[k].zaikan);
          });
          checkedPosts += 1;
        }
        const legacy = await datacube('getarticletotal', date, date);
        const broadcast = truth.body.posts.filter((p: any) => p.publishType === 0);
        expect(legacy.body.list).toHaveLength(broadcast.length);
        for (const [i, item] of legacy.body.list.entries()) {
          expect(item.details.length).toBeLessThanOrEqual(7);
          expect(item.details[0].int_page_read_count).toBe(broadcast[i].byAge[0].readCount);
          expect(item.details[0].target_user).toBe(truth.body.followers.cumulate_user);
        }
      }
      expect(checkedPosts).toBeGreaterThan(0);
    });

    it('answers 48001 on datacube for unverified accounts', async () => {
      const unverified = findAccount(t.sim, (a) => a.platform === 'wechat' && !a.verified);
      const tok = await tokenFor(unverified);
      expect((await datacube('getusersummary', '2026-11-15', '2026-11-21', tok)).body).toEqual({
        errcode: 48001,
        errmsg: 'api unauthorized',
      });
    });
  });

  describe('freepublish and menu', () => {
    it('lists 发布 items newest first with count 1..20', async () => {
      const batch = (b: unknown) =>
        postJson(`${url}/cgi-bin/freepublish/batchget?access_token=${token}`, b);
      const page = await batch({ offset: 0, count: 20, no_content: 1 });
      expect(page.body.total_count).toBeGreaterThan(0);
      expect(page.body.item_count).toBe(page.body.item.length);
      const times = page.body.item.map((i: any) => i.update_time);
      expect([...times].sort((a: number, b: number) => b - a)).toEqual(times);
      expect(page.body.item[0].content.news_item[0]).toMatchObject({
        title: expect.any(String),
        url: expect.stringMatching(/^https:\/\/mp\.weixin\.qq\.com\/s\?/),
        content: '',
      });
      const next = await batch({ offset: 1, count: 1, no_content: 0 });
      expect(next.body.item[0].article_id).toBe(page.body.item[1]?.article_id);
      expect((await batch({ offset: 0, count: 21 })).body.errcode).toBe(40097);
      expect((await batch({ offset: 0, count: 0 })).body.errcode).toBe(40097);
    });

    it('serves a deterministic menu; service accounts usually link to 办事', async () => {
      const service = findAccount(
        t.sim,
        (a) => a.platform === 'wechat' && a.wechatType === 'service' && a.index > 500,
      );
      const tok = await tokenFor(service);
      const one = await getJson(`${url}/cgi-bin/get_current_selfmenu_info?access_token=${tok}`);
      const two = await getJson(`${url}/cgi-bin/get_current_selfmenu_info?access_token=${tok}`);
      expect(one.body).toEqual(two.body);
      expect([0, 1]).toContain(one.body.is_menu_open);
      expect(Array.isArray(one.body.selfmenu_info.button)).toBe(true);
      let withServices = 0;
      let services = 0;
      for (const a of t.sim.population.accounts()) {
        if (a.platform !== 'wechat' || a.wechatType !== 'service' || services >= 20) continue;
        services += 1;
        const body = (
          await getJson(
            `${url}/cgi-bin/get_current_selfmenu_info?access_token=${await tokenFor(a)}`,
          )
        ).body;
        if (JSON.stringify(body).includes('办事')) withServices += 1;
      }
      expect(withServices / services).toBeGreaterThan(0.6);
    });
  });
});

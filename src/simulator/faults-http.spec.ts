import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimAccount } from './population';
import { findAccount, getJson, json, postJson, startTestSim, type TestSim } from './sim-test-kit';

describe('fault injection, call log and admin endpoints', () => {
  let t: TestSim;
  let url: string;
  let wx: SimAccount;
  let wb: SimAccount;
  let token: string;

  const usersummary = () =>
    fetch(`${url}/datacube/getusersummary?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify({ begin_date: '2026-11-15', end_date: '2026-11-21' }),
    });
  const show = () =>
    fetch(`${url}/2/users/show.json?access_token=${wb.weiboAccessToken}&uid=${wb.weiboUid}`);

  beforeAll(async () => {
    t = await startTestSim();
    url = t.sim.url;
    wx = findAccount(t.sim, (a) => a.platform === 'wechat' && a.verified);
    wb = findAccount(t.sim, (a) => a.platform === 'weibo');
    const res = await getJson(
      `${url}/cgi-bin/token?grant_type=client_credential&appid=${wx.wechatAppId}&secret=${wx.appSecret}`,
    );
    token = res.body.access_token;
  });
  afterEach(() => {
    t.sim.faults.clear();
  });
  afterAll(async () => {
    await t.sim.close();
  });

  it('rate_limit: 45011 / 10023, or HTTP 429 with Retry-After', async () => {
    t.sim.faults.add({ scope: { appId: wx.wechatAppId! }, kind: 'rate_limit', count: 1 });
    expect((await json(await usersummary())).errcode).toBe(45011);
    expect((await json(await usersummary())).list).toHaveLength(7); // count exhausted
    t.sim.faults.add({ scope: { uid: wb.weiboUid! }, kind: 'rate_limit', count: 1 });
    const weibo = await show();
    expect(weibo.status).toBe(403);
    expect((await json(weibo)).error_code).toBe('10023');
    t.sim.faults.add({ scope: 'global', kind: 'rate_limit', http429: true, retryAfterSeconds: 20 });
    const limited = await usersummary();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
  });

  it('quota, token_expired and permission map to each platform’s codes', async () => {
    const cases = [
      ['quota', 45009, '10024'],
      ['token_expired', 42001, '21327'],
      ['permission', 48001, '10014'],
    ] as const;
    for (const [kind, wechatCode, weiboCode] of cases) {
      t.sim.faults.add({ scope: 'global', kind, count: 2 });
      expect((await json(await usersummary())).errcode).toBe(wechatCode);
      expect((await json(await show())).error_code).toBe(weiboCode);
    }
  });

  it('server_error answers 500/502/503', async () => {
    for (const status of [500, 502, 503] as const) {
      t.sim.faults.add({ scope: 'global', kind: 'server_error', status, count: 1 });
      const res = await usersummary();
      expect(res.status).toBe(status);
      await res.text();
    }
  });

  it('hang never answers; the client has to abort', async () => {
    t.sim.faults.add({ scope: { appId: wx.wechatAppId! }, kind: 'hang', count: 1 });
    const started = Date.now();
    await expect(
      fetch(`${url}/cgi-bin/get_current_selfmenu_info?access_token=${token}`, {
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('slow_drip sends the body one byte at a time', async () => {
    t.sim.faults.add({ scope: 'global', kind: 'slow_drip', intervalMs: 150, count: 1 });
    const started = Date.now();
    const res = await usersummary();
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.value!.length).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await reader.cancel();
  });

  it('malformed_json, oversized, redirect and bad_data', async () => {
    t.sim.faults.add({ scope: 'global', kind: 'malformed_json', count: 1 });
    const broken = await usersummary();
    expect(broken.headers.get('content-type')).toContain('application/json');
    const brokenText = await broken.text();
    expect(() => JSON.parse(brokenText) as unknown).toThrow();

    t.sim.faults.add({ scope: 'global', kind: 'oversized', sizeMb: 3, count: 1 });
    const big = await (await usersummary()).text();
    expect(big.length).toBeGreaterThan(3 * 1024 * 1024 - 100);
    expect((JSON.parse(big) as { list: unknown[] }).list.length).toBeGreaterThan(1000);

    t.sim.faults.add({ scope: 'global', kind: 'redirect', count: 1 });
    const moved = await fetch(`${url}/2/users/show.json?uid=1`, { redirect: 'manual' });
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toMatch(/^http:\/\/attacker\.invalid\//);

    t.sim.faults.add({ scope: 'global', kind: 'bad_data', count: 2 });
    const bad = (await json(await usersummary())) as { list: Record<string, unknown>[] };
    const values = bad.list.flatMap((r) => [r.new_user, r.cancel_user]);
    expect(values.some((v) => typeof v === 'string' || (typeof v === 'number' && v < 0))).toBe(
      true,
    );
    const weibo = await json(await show());
    expect(typeof weibo.followers_count !== 'number' || weibo.followers_count < 0).toBe(true);
  });

  it('is configurable over HTTP and validated', async () => {
    const created = await postJson(`${url}/__sim/faults`, {
      scope: { uid: wb.weiboUid },
      kind: 'quota',
      count: 1,
    });
    expect(created.status).toBe(201);
    expect((await getJson(`${url}/__sim/faults`)).body.faults).toHaveLength(1);
    expect((await json(await show())).error_code).toBe('10024');
    expect((await getJson(`${url}/__sim/faults`)).body.faults).toHaveLength(0);
    expect((await postJson(`${url}/__sim/faults`, { scope: 'global', kind: 'nope' })).status).toBe(
      400,
    );
    await postJson(`${url}/__sim/faults`, { scope: 'global', kind: 'quota' });
    expect((await fetch(`${url}/__sim/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await json(await show())).error_code).toBeUndefined();
  });

  it('logs every platform call with a token hash, never the token', async () => {
    await fetch(`${url}/__sim/calls`, { method: 'DELETE' });
    t.sim.faults.add({ scope: 'global', kind: 'quota', count: 1 });
    await (await usersummary()).text();
    await (await usersummary()).text();
    await (await show()).text();
    const all = await getJson(`${url}/__sim/calls`);
    expect(all.body.calls).toHaveLength(3);
    expect(all.body.calls[0]).toMatchObject({
      method: 'POST',
      path: '/datacube/getusersummary',
      appId: wx.wechatAppId,
      tokenHash: expect.stringMatching(/^[0-9a-f]{12}$/),
      outcome: '45009',
      fault: 'quota',
    });
    expect(all.body.calls[1]).toMatchObject({ outcome: 'ok', status: 200 });
    expect(all.body.calls[2]).toMatchObject({ uid: wb.weiboUid, path: '/2/users/show.json' });
    const text = JSON.stringify(all.body);
    expect(text).not.toContain(token);
    expect(text).not.toContain(wb.weiboAccessToken);
    const filtered = await getJson(`${url}/__sim/calls?uid=${wb.weiboUid}`);
    expect(filtered.body.calls).toHaveLength(1);
    const since = await getJson(`${url}/__sim/calls?since=${all.body.calls[1].seq}`);
    expect(since.body.calls).toHaveLength(1);
    expect((await getJson(`${url}/__sim/calls?path=/datacube`)).body.calls).toHaveLength(2);
    expect(t.sim.callLog.query({ appId: wx.wechatAppId })).toHaveLength(2);
  });

  it('serves truth that equals the data endpoints, the population page and health', async () => {
    const truth = await getJson(`${url}/__sim/truth/wechat/${wx.wechatAppId}/2026-11-20`);
    const summary = (await json(await usersummary())) as { list: any[] };
    const row = summary.list.find((r) => r.ref_date === '2026-11-20');
    expect(truth.body.followers).toMatchObject({
      new_user: row.new_user,
      cancel_user: row.cancel_user,
    });
    expect((await getJson(`${url}/__sim/truth/wechat/wx0000000000000000/2026-11-20`)).status).toBe(
      404,
    );
    expect((await getJson(`${url}/__sim/truth/weibo/${wb.weiboUid}/2026-13-01`)).status).toBe(400);
    const weiboTruth = await getJson(`${url}/__sim/truth/weibo/${wb.weiboUid}/2026-11-21`);
    const profile = await json(await show());
    // users/show serves today's count; truth for today must match it.
    const today = await getJson(`${url}/__sim/truth/weibo/${wb.weiboUid}/2026-11-22`);
    expect(today.body.followers.followers_count).toBe(profile.followers_count);
    expect(weiboTruth.body.uid).toBe(wb.weiboUid);

    const page = await getJson(`${url}/__sim/population?offset=10&limit=5`);
    expect(page.body.accounts).toHaveLength(5);
    expect(page.body.accounts[0].index).toBe(10);
    expect(JSON.stringify(page.body)).not.toMatch(/appSecret|weiboAccessToken/);
    expect((await getJson(`${url}/__sim/population?limit=5000`)).status).toBe(400);
    expect((await getJson(`${url}/__sim/health`)).body).toMatchObject({ status: 'ok', size: 2000 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimAccount } from './population';
import { findAccount, getJson, startTestSim, type TestSim } from './sim-test-kit';

const CREATED_AT =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2} \d{2}:\d{2}:\d{2} \+0800 \d{4}$/;

describe('Weibo API simulator', () => {
  let t: TestSim;
  let url: string;
  let me: SimAccount;
  let other: SimAccount;
  let auth: string;

  beforeAll(async () => {
    t = await startTestSim();
    url = t.sim.url;
    me = findAccount(t.sim, (a) => a.platform === 'weibo' && !a.dormant && a.postsPerWeek > 10);
    other = findAccount(t.sim, (a) => a.platform === 'weibo' && !a.dormant && a.index > me.index);
    auth = `access_token=${me.weiboAccessToken}`;
  });
  afterAll(async () => {
    await t.sim.close();
  });

  it('users/show returns the profile, counts and latest status', async () => {
    const res = await getJson(`${url}/2/users/show.json?${auth}&uid=${other.weiboUid}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: Number(other.weiboUid),
      idstr: other.weiboUid,
      screen_name: other.displayName,
      verified_type: other.verified ? 1 : -1,
    });
    expect(res.body.followers_count).toBeGreaterThan(0);
    expect(res.body.created_at).toMatch(CREATED_AT);
    expect(res.body.status.created_at).toMatch(CREATED_AT);
    const missing = await getJson(`${url}/2/users/show.json?${auth}&uid=1234567890`);
    expect(missing.status).toBe(400);
    expect(missing.body.error_code).toBe('20003');
  });

  it('users/counts takes up to 100 uids', async () => {
    const uids = [...t.sim.population.accounts()]
      .filter((a) => a.platform === 'weibo')
      .map((a) => a.weiboUid!);
    const ok = await getJson(
      `${url}/2/users/counts.json?${auth}&uids=${uids.slice(0, 100).join(',')}`,
    );
    expect(ok.body).toHaveLength(100);
    expect(Object.keys(ok.body[0]).sort()).toEqual(
      ['followers_count', 'friends_count', 'id', 'statuses_count'].sort(),
    );
    const tooMany = await getJson(
      `${url}/2/users/counts.json?${auth}&uids=${uids.slice(0, 101).join(',')}`,
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({
      request: '/users/counts.json',
      error_code: '10017',
      error: 'invalid parameter value (uids)',
    });
  });

  it('user_timeline serves only the token owner, newest first, with since_id/max_id/page', async () => {
    const page1 = await getJson(`${url}/2/statuses/user_timeline.json?${auth}&count=5`);
    const ids = page1.body.statuses.map((s: any) => s.id);
    expect(ids).toHaveLength(5);
    expect([...ids].sort((a: number, b: number) => b - a)).toEqual(ids);
    for (const s of page1.body.statuses) {
      expect(s.created_at).toMatch(CREATED_AT);
      expect(
        Date.parse(
          s.created_at.replace(/^\w+ (\w+) (\d+) ([\d:]+) \+0800 (\d+)$/, '$1 $2 $4 $3 GMT+0800'),
        ),
      ).toBeLessThanOrEqual(Date.parse('2026-11-22T02:00:00Z'));
      expect(s.user.idstr).toBe(me.weiboUid);
    }
    const page2 = await getJson(`${url}/2/statuses/user_timeline.json?${auth}&count=5&page=2`);
    const byMax = await getJson(
      `${url}/2/statuses/user_timeline.json?${auth}&count=5&max_id=${ids[4] - 1}`,
    );
    expect(page2.body.statuses.map((s: any) => s.id)).toEqual(
      byMax.body.statuses.map((s: any) => s.id),
    );
    const since = await getJson(`${url}/2/statuses/user_timeline.json?${auth}&since_id=${ids[2]}`);
    expect(since.body.statuses.map((s: any) => s.id)).toEqual(ids.slice(0, 2));
    const others = await getJson(
      `${url}/2/statuses/user_timeline.json?${auth}&uid=${other.weiboUid}`,
    );
    expect(others.body.statuses).toEqual([]);
    expect(
      (await getJson(`${url}/2/statuses/user_timeline.json?${auth}&count=101`)).body.error_code,
    ).toBe('10017');
  });

  it('user_timeline/other reads anyone, with count ≤ 25 and a time window', async () => {
    const res = await getJson(
      `${url}/2/statuses/user_timeline/other.json?${auth}&uid=${other.weiboUid}&count=25&trim_user=1`,
    );
    expect(res.status).toBe(200);
    expect(res.body.statuses.length).toBeGreaterThan(0);
    expect(res.body.statuses[0].user).toBeUndefined();
    const end = Math.floor(Date.parse('2026-11-22T00:00:00+08:00') / 1000);
    const start = end - 7 * 86_400;
    const windowed = await getJson(
      `${url}/2/statuses/user_timeline/other.json?${auth}&uid=${other.weiboUid}&count=25&start_time=${start}&end_time=${end}`,
    );
    expect(windowed.body.statuses.length).toBeLessThanOrEqual(20);
    for (const s of windowed.body.statuses) {
      const id = s.id as number;
      expect(Math.floor(id / 1e6)).toBeGreaterThanOrEqual(start);
      expect(Math.floor(id / 1e6)).toBeLessThanOrEqual(end);
    }
    expect(
      (
        await getJson(
          `${url}/2/statuses/user_timeline/other.json?${auth}&uid=${other.weiboUid}&count=26`,
        )
      ).status,
    ).toBe(400);
  });

  it('statuses/count returns counters for up to 100 ids, matching the truth', async () => {
    const tl = await getJson(
      `${url}/2/statuses/user_timeline/other.json?${auth}&uid=${other.weiboUid}&count=25`,
    );
    const ids = tl.body.statuses.map((s: any) => s.id);
    const res = await getJson(`${url}/2/statuses/count.json?${auth}&ids=${ids.join(',')},999`);
    expect(res.body).toHaveLength(ids.length);
    const oldest = tl.body.statuses.at(-1);
    const row = res.body.find((r: any) => r.id === oldest.id);
    expect(row).toEqual({
      id: oldest.id,
      comments: oldest.comments_count,
      reposts: oldest.reposts_count,
      attitudes: oldest.attitudes_count,
    });
    const date = new Date(Math.floor(oldest.id / 1e6) * 1000 + 8 * 3600_000)
      .toISOString()
      .slice(0, 10);
    const truth = await getJson(`${url}/__sim/truth/weibo/${other.weiboUid}/${date}`);
    const post = truth.body.posts.find((p: any) => p.id === oldest.id);
    expect(post.created_at).toBe(oldest.created_at);
    expect(post.byAge.at(-1).reposts).toBeLessThanOrEqual(oldest.reposts_count);
    const many = Array.from({ length: 101 }, (_, i) => ids[0] + i).join(',');
    expect(
      (await getJson(`${url}/2/statuses/count.json?${auth}&ids=${many}`)).body.error_code,
    ).toBe('10017');
  });

  it('rejects missing and unknown tokens', async () => {
    const missing = await getJson(`${url}/2/users/show.json?uid=${other.weiboUid}`);
    expect(missing.status).toBe(400);
    expect(missing.body.error_code).toBe('10006');
    const unknown = await getJson(
      `${url}/2/users/show.json?access_token=2.00deadbeef&uid=${other.weiboUid}`,
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({
      request: '/users/show.json',
      error_code: '21332',
      error: 'invalid_access_token',
    });
  });
});

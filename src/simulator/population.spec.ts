import { describe, expect, it } from 'vitest';
import { followersOn, growth, postCountOn } from './activity';
import { dayNumber } from './dates';
import { decodeStatusId, encodeAppId } from './ids';
import { SimPopulation } from './population';
import { wechatCountersAt, wechatPosts, weiboCountersAt, weiboPosts } from './truth';

describe('SimPopulation', () => {
  it('derives the same accounts from the same seed and different ones from another seed', () => {
    const a = new SimPopulation({ seed: 7, size: 500 });
    const b = new SimPopulation({ seed: 7, size: 500 });
    const c = new SimPopulation({ seed: 8, size: 500 });
    expect([...a.accounts()]).toEqual([...b.accounts()]);
    const differing = [...a.accounts()].filter(
      (acc, i) => JSON.stringify(acc) !== JSON.stringify(c.account(i)),
    );
    expect(differing.length).toBeGreaterThan(490);
  });

  it('round-trips every id and rejects foreign or mismatched ids', () => {
    const pop = new SimPopulation({ seed: 3, size: 2000 });
    for (const acc of pop.accounts()) {
      if (acc.platform === 'wechat') {
        expect(acc.wechatAppId).toMatch(/^wx[0-9a-f]{16}$/);
        expect(acc.wechatOriginalId).toMatch(/^gh_[0-9a-f]{12}$/);
        expect(acc.appSecret).toMatch(/^[0-9a-f]{32}$/);
        expect(pop.findByAppId(acc.wechatAppId!)?.index).toBe(acc.index);
        expect(pop.findByOriginalId(acc.wechatOriginalId!)?.index).toBe(acc.index);
      } else {
        expect(acc.weiboUid).toMatch(/^\d{10}$/);
        expect(pop.findByUid(acc.weiboUid!)?.index).toBe(acc.index);
        expect(pop.findByWeiboToken(acc.weiboAccessToken!)?.index).toBe(acc.index);
      }
    }
    const other = new SimPopulation({ seed: 4, size: 2000 });
    const foreign = [...other.accounts()].filter((a) => a.platform === 'wechat').slice(0, 50);
    expect(foreign.filter((a) => pop.findByAppId(a.wechatAppId!) !== undefined)).toHaveLength(0);
    expect(pop.findByAppId('wx0000000000000000')).toBeUndefined();
    expect(pop.findByAppId('wxd8b1c4e0f2a3b4c5')).toBeUndefined();
    expect(pop.findByUid('1234567890')).toBeUndefined();
    expect(pop.findByWeiboToken('2.00abc')).toBeUndefined();
    // An index beyond the size is rejected even with a valid check part.
    expect(pop.findByAppId(encodeAppId(3, 5000))).toBeUndefined();
    // A Weibo account's index encoded as an AppID is not a WeChat account.
    const weibo = [...pop.accounts()].find((a) => a.platform === 'weibo')!;
    expect(pop.findByAppId(encodeAppId(3, weibo.index))).toBeUndefined();
  });

  it('matches the seeds’ proportions on 20,000 accounts', () => {
    const pop = new SimPopulation({ seed: 1, size: 20_000 });
    let wechat = 0;
    let policeHealth = 0;
    let service = 0;
    let dormant = 0;
    let verified = 0;
    let millionProvincial = 0;
    const names = new Set<string>();
    for (const acc of pop.accounts()) {
      names.add(acc.displayName);
      if (acc.dormant) dormant += 1;
      if (acc.verified) verified += 1;
      if (acc.level === 'provincial' && acc.followerScale >= 1_000_000) millionProvincial += 1;
      if (acc.platform !== 'wechat') continue;
      wechat += 1;
      if (acc.sector === 'public_security' || acc.sector === 'health') policeHealth += 1;
      if (acc.wechatType === 'service') service += 1;
    }
    expect(wechat / pop.size).toBeGreaterThan(0.52);
    expect(wechat / pop.size).toBeLessThan(0.58);
    expect(Math.abs(policeHealth / wechat - 0.37)).toBeLessThan(0.03);
    expect(Math.abs(service / wechat - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(dormant / pop.size - 0.08)).toBeLessThan(0.015);
    expect(verified / pop.size).toBeGreaterThan(0.85);
    expect(millionProvincial).toBeGreaterThan(10);
    expect(names.size).toBe(pop.size);
  });

  it('keeps dormant accounts silent for the last 90 days and active ones posting', () => {
    const pop = new SimPopulation({ seed: 1, size: 3000, anchorDate: '2026-11-22' });
    const anchor = dayNumber('2026-11-22');
    let activeSilent = 0;
    let active = 0;
    for (const acc of pop.accounts()) {
      let posts = 0;
      for (let day = anchor - 90; day < anchor; day += 1) posts += postCountOn(pop.seed, acc, day);
      if (acc.dormant) expect(posts).toBe(0);
      else {
        active += 1;
        if (posts === 0) activeSilent += 1;
      }
    }
    expect(activeSilent / active).toBeLessThan(0.01);
  });

  it('answers account(299,999) of a 300,000 population at once', () => {
    const started = performance.now();
    const pop = new SimPopulation({ seed: 9, size: 300_000 });
    const acc = pop.account(299_999);
    expect(acc.index).toBe(299_999);
    const id = acc.platform === 'wechat' ? acc.wechatAppId! : acc.weiboUid!;
    const found = acc.platform === 'wechat' ? pop.findByAppId(id) : pop.findByUid(id);
    expect(found).toEqual(acc);
    expect(performance.now() - started).toBeLessThan(200);
    expect(() => pop.account(300_000)).toThrow(RangeError);
  });
});

describe('daily facts', () => {
  const pop = new SimPopulation({ seed: 1, size: 400 });
  const days = Array.from({ length: 60 }, (_, i) => dayNumber('2026-09-01') + i);

  it('keeps cumulate(d) = cumulate(d−1) + new − cancel with non-negative flows', () => {
    for (const acc of pop.accounts()) {
      const opened = dayNumber(acc.openedOn);
      for (const day of [...days, opened - 1, opened, opened + 1]) {
        const today = followersOn(pop.seed, acc, day);
        const before = followersOn(pop.seed, acc, day - 1);
        expect(today.newUsers).toBeGreaterThanOrEqual(0);
        expect(today.cancelUsers).toBeGreaterThanOrEqual(0);
        expect(today.cumulate).toBe(before.cumulate + today.newUsers - today.cancelUsers);
      }
    }
  });

  it('grows counters monotonically with age and saturates after 7 days', () => {
    expect(growth(-1)).toBe(0);
    expect(growth(7)).toBe(1);
    expect(growth(30)).toBe(1);
    let checked = 0;
    let decreasing = 0;
    let grew = 0;
    for (const acc of [...pop.accounts()].slice(0, 150)) {
      for (const day of days.slice(0, 10)) {
        const posts =
          acc.platform === 'wechat' ? wechatPosts(pop, acc, day) : weiboPosts(pop, acc, day);
        for (const post of posts) {
          const at = (age: number): number[] =>
            Object.values(
              acc.platform === 'wechat'
                ? wechatCountersAt(pop, acc, post as never, age)
                : weiboCountersAt(pop, acc, post as never, age),
            );
          for (let age = 1; age <= 30; age += 1) {
            const prev = at(age - 1);
            if (at(age).some((v, k) => v < prev[k])) decreasing += 1;
          }
          expect(at(7)).toEqual(at(29));
          const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);
          if (sum(at(0)) < sum(at(7))) grew += 1;
          checked += 1;
        }
      }
    }
    expect(decreasing).toBe(0);
    expect(grew / checked).toBeGreaterThan(0.9);
    expect(checked).toBeGreaterThan(100);
  });

  it('gives big accounts some 100,000+ read posts, and few of them', () => {
    const big = new SimPopulation({ seed: 1, size: 20_000 });
    let posts = 0;
    let viral = 0;
    for (const acc of big.accounts()) {
      if (acc.platform !== 'wechat' || acc.followerScale < 1_000_000) continue;
      for (const day of days) {
        for (const post of wechatPosts(big, acc, day)) {
          posts += 1;
          if (wechatCountersAt(big, acc, post, 7).readCount >= 100_000) viral += 1;
        }
      }
    }
    expect(viral).toBeGreaterThan(0);
    expect(viral / posts).toBeLessThan(0.1);
  });

  it('gives Weibo posts time-ordered ids that encode the account', () => {
    const acc = [...pop.accounts()].find((a) => a.platform === 'weibo' && !a.dormant)!;
    const ids = days.flatMap((day) => weiboPosts(pop, acc, day).map((p) => p.id));
    expect(ids.length).toBeGreaterThan(0);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(decodeStatusId(id).index).toBe(acc.index);
  });

  it('keeps account identities when served on another day (demo re-registration changes nothing)', () => {
    const today = new SimPopulation({ seed: 1, size: 200, anchorDate: '2026-11-22' });
    const later = new SimPopulation({ seed: 1, size: 200, anchorDate: '2027-03-01' });
    for (let i = 0; i < 200; i++) {
      // Dormancy is measured back from the serving day; everything else is the account itself.
      const identity = (acc: ReturnType<SimPopulation['account']>) => ({
        ...acc,
        dormant: null,
        dormantSince: null,
      });
      expect(identity(later.account(i))).toEqual(identity(today.account(i)));
    }
  });
});

import {
  followersOn,
  scaleCounters,
  wechatPostsOn,
  wechatTotals,
  weiboPostsOn,
  weiboTotals,
  type WechatCounters,
  type WechatPost,
  type WeiboCounters,
  type WeiboPost,
} from './activity';
import { dateOfDay, dayNumber, weiboCreatedAt } from './dates';
import type { SimAccount, SimPopulation } from './population';

// What the simulator serves for one account and day: the oracle tests compare stored data with.

/** WeChat datacube serves per-article details for at most this many days (getarticletotaldetail). */
export const DETAIL_MAX_DAYS = 30;

export interface BizSummary {
  readUser: number;
  shareUser: number;
  zaikanUser: number;
  likeUser: number;
  commentCount: number;
  collectionUser: number;
}

export interface WechatTruth {
  appId: string;
  date: string;
  followers: { cumulate_user: number; new_user: number; cancel_user: number };
  bizSummary: BizSummary;
  posts: (WechatPost & {
    totals: WechatCounters;
    byAge: (WechatCounters & { age: number; stat_date: string })[];
  })[];
}

export interface WeiboTruth {
  uid: string;
  date: string;
  followers: { followers_count: number; new_followers: number; lost_followers: number };
  posts: (WeiboPost & {
    created_at: string;
    totals: WeiboCounters;
    byAge: (WeiboCounters & { age: number; stat_date: string })[];
  })[];
}

export function wechatCountersAt(
  population: SimPopulation,
  account: SimAccount,
  post: WechatPost,
  age: number,
): WechatCounters {
  return scaleCounters(wechatTotals(population.seed, account, post), age);
}

export function weiboCountersAt(
  population: SimPopulation,
  account: SimAccount,
  post: WeiboPost,
  age: number,
): WeiboCounters {
  return scaleCounters(weiboTotals(population.seed, account, post), age);
}

export function wechatPosts(population: SimPopulation, account: SimAccount, day: number) {
  return wechatPostsOn(population.seed, account, day, dateOfDay(day));
}

export function weiboPosts(population: SimPopulation, account: SimAccount, day: number) {
  return weiboPostsOn(population.seed, account, day, dateOfDay(day));
}

/** Account-level activity on a day: the increments of every post still growing. */
export function bizSummaryOn(
  population: SimPopulation,
  account: SimAccount,
  day: number,
): BizSummary {
  const sum: BizSummary = {
    readUser: 0,
    shareUser: 0,
    zaikanUser: 0,
    likeUser: 0,
    commentCount: 0,
    collectionUser: 0,
  };
  for (let age = 0; age <= 7; age += 1) {
    for (const post of wechatPosts(population, account, day - age)) {
      const totals = wechatTotals(population.seed, account, post);
      const now = scaleCounters(totals, age);
      const before = scaleCounters(totals, age - 1);
      sum.readUser += now.readUser - before.readUser;
      sum.shareUser += now.shareUser - before.shareUser;
      sum.zaikanUser += now.zaikan - before.zaikan;
      sum.likeUser += now.likes - before.likes;
      sum.commentCount += now.comments - before.comments;
      sum.collectionUser += now.favUser - before.favUser;
    }
  }
  return sum;
}

/** `lastStatDay` bounds the ages listed (usually yesterday: what datacube can serve). */
export function wechatTruth(
  population: SimPopulation,
  account: SimAccount,
  date: string,
  lastStatDay: number,
): WechatTruth {
  const day = dayNumber(date);
  const f = followersOn(population.seed, account, day);
  return {
    appId: account.wechatAppId ?? '',
    date,
    followers: { cumulate_user: f.cumulate, new_user: f.newUsers, cancel_user: f.cancelUsers },
    bizSummary: bizSummaryOn(population, account, day),
    posts: wechatPosts(population, account, day).map((post) => {
      const totals = wechatTotals(population.seed, account, post);
      const byAge = [];
      for (let age = 0; age < DETAIL_MAX_DAYS && day + age <= lastStatDay; age += 1) {
        byAge.push({ age, stat_date: dateOfDay(day + age), ...scaleCounters(totals, age) });
      }
      return { ...post, totals, byAge };
    }),
  };
}

export function weiboTruth(
  population: SimPopulation,
  account: SimAccount,
  date: string,
  lastStatDay: number,
): WeiboTruth {
  const day = dayNumber(date);
  const f = followersOn(population.seed, account, day);
  return {
    uid: account.weiboUid ?? '',
    date,
    followers: {
      followers_count: f.cumulate,
      new_followers: f.newUsers,
      lost_followers: f.cancelUsers,
    },
    posts: weiboPosts(population, account, day).map((post) => {
      const totals = weiboTotals(population.seed, account, post);
      const byAge = [];
      for (let age = 0; age < DETAIL_MAX_DAYS && day + age <= lastStatDay; age += 1) {
        byAge.push({ age, stat_date: dateOfDay(day + age), ...scaleCounters(totals, age) });
      }
      return { ...post, created_at: weiboCreatedAt(post.publishedAt), totals, byAge };
    }),
  };
}

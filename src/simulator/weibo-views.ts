import { followersOn, postCountOn, type WeiboPost } from './activity';
import { dayNumber, shanghaiDay, weiboCreatedAt } from './dates';
import { decodeStatusId } from './ids';
import type { SimAccount, SimPopulation } from './population';
import { hash32, salt } from './rng';
import { weiboCountersAt, weiboPosts } from './truth';

// Weibo JSON shapes (users/show, statuses) as pure functions of the population and the clock.

const SALT_FRIENDS = salt('friends');

export interface TimelineQuery {
  sinceId?: number;
  maxId?: number;
  startMs?: number;
  endMs?: number;
  count: number;
  page: number;
}

/** Posts before `today` per (seed, account, today): the sum walks years of days, so it is memoised. */
const postsBefore = new Map<string, number>();
const POSTS_BEFORE_MAX = 50_000;

function postsBeforeDay(population: SimPopulation, account: SimAccount, today: number): number {
  const key = `${population.seed}:${population.anchorDate}:${account.index}:${today}`;
  let total = postsBefore.get(key);
  if (total === undefined) {
    total = 0;
    for (let day = dayNumber(account.openedOn); day < today; day += 1) {
      total += postCountOn(population.seed, account, day);
    }
    if (postsBefore.size >= POSTS_BEFORE_MAX) postsBefore.clear();
    postsBefore.set(key, total);
  }
  return total;
}

/** Posts published up to `now` (the current day's later posts do not exist yet). */
export function statusesCount(population: SimPopulation, account: SimAccount, now: Date): number {
  const today = shanghaiDay(now);
  const total = postsBeforeDay(population, account, today);
  return (
    total +
    weiboPosts(population, account, today).filter((p) => p.publishedAt <= now.getTime()).length
  );
}

function dayOfStatus(id: number): number {
  return shanghaiDay(new Date(decodeStatusId(id).unixSeconds * 1000));
}

/** Newest first, filtered like the v2 timelines; scans days backwards and stops early. */
export function timeline(
  population: SimPopulation,
  account: SimAccount,
  now: Date,
  q: TimelineQuery,
): WeiboPost[] {
  const nowMs = Math.min(now.getTime(), q.endMs ?? Infinity);
  let day = shanghaiDay(new Date(nowMs));
  if (q.maxId !== undefined) day = Math.min(day, dayOfStatus(q.maxId));
  let stop = dayNumber(account.openedOn);
  if (q.sinceId !== undefined) stop = Math.max(stop, dayOfStatus(q.sinceId));
  if (q.startMs !== undefined) stop = Math.max(stop, shanghaiDay(new Date(q.startMs)));
  const skip = (q.page - 1) * q.count;
  const out: WeiboPost[] = [];
  let seen = 0;
  for (; day >= stop && out.length < q.count; day -= 1) {
    const posts = weiboPosts(population, account, day).reverse();
    for (const post of posts) {
      if (post.publishedAt > nowMs) continue;
      if (q.maxId !== undefined && post.id > q.maxId) continue;
      if (q.sinceId !== undefined && post.id <= q.sinceId) continue;
      if (q.startMs !== undefined && post.publishedAt < q.startMs) continue;
      seen += 1;
      if (seen > skip && out.length < q.count) out.push(post);
    }
  }
  return out;
}

export function statusJson(
  population: SimPopulation,
  account: SimAccount,
  post: WeiboPost,
  now: Date,
  user?: unknown,
) {
  const age = shanghaiDay(now) - post.day;
  const c = weiboCountersAt(population, account, post, age);
  return {
    created_at: weiboCreatedAt(post.publishedAt),
    id: post.id,
    idstr: String(post.id),
    mid: String(post.id),
    text: post.text,
    textLength: post.text.length * 2,
    source: '<a href="https://weibo.com/" rel="nofollow">微博 weibo.com</a>',
    favorited: false,
    truncated: false,
    in_reply_to_status_id: '',
    in_reply_to_user_id: '',
    pic_urls: [],
    geo: null,
    reposts_count: c.reposts,
    comments_count: c.comments,
    attitudes_count: c.attitudes,
    mlevel: 0,
    visible: { type: 0, list_id: 0 },
    ...(user === undefined ? {} : { user }),
  };
}

export function userJson(
  population: SimPopulation,
  account: SimAccount,
  now: Date,
  withStatus: boolean,
) {
  const uid = Number(account.weiboUid);
  const followers = followersOn(population.seed, account, shanghaiDay(now)).cumulate;
  const friends = 50 + (hash32(population.seed, account.index, SALT_FRIENDS) % 900);
  const name = account.displayName;
  const base = {
    id: uid,
    idstr: String(uid),
    class: 1,
    screen_name: name,
    name,
    province: account.regionCode.slice(0, 2),
    city: String(Number(account.regionCode.slice(2, 4)) || 1000),
    location: account.regionName,
    description: `${name}官方微博`,
    url: '',
    profile_image_url: `https://tvax1.sinaimg.cn/crop.0.0.180.180.50/${uid}.jpg`,
    profile_url: `u/${uid}`,
    domain: '',
    weihao: '',
    gender: 'm',
    followers_count: followers,
    friends_count: friends,
    statuses_count: statusesCount(population, account, now),
    favourites_count: 0,
    created_at: weiboCreatedAt(Date.parse(`${account.openedOn}T09:00:00+08:00`)),
    following: false,
    allow_all_act_msg: false,
    geo_enabled: true,
    verified: account.verified,
    // 1 = 政府 (government); unverified accounts are ordinary users.
    verified_type: account.verified ? 1 : -1,
    verified_reason: account.verified ? `${name.split('·')[0]}官方微博` : '',
    follow_me: false,
    online_status: 0,
    bi_followers_count: Math.floor(friends / 3),
    lang: 'zh-cn',
    avatar_large: `https://tvax1.sinaimg.cn/crop.0.0.180.180.180/${uid}.jpg`,
  };
  if (!withStatus) return base;
  const [latest] = timeline(population, account, now, { count: 1, page: 1 });
  return latest === undefined
    ? base
    : { ...base, status: statusJson(population, account, latest, now) };
}

import { SECTOR_LABELS } from '../accounts/account-taxonomy';
import { dayNumber, shanghaiInstant, weekday } from './dates';
import { encodeMsgDataId, encodeStatusId } from './ids';
import type { SimAccount } from './population';
import { hash32, hexDigits, normal, poisson, salt, unit } from './rng';

// Daily facts as pure functions of (seed, account, day). Days are Asia/Shanghai day numbers.

const S = {
  jitter: salt('follower-jitter'),
  cancel: salt('cancel'),
  count: salt('post-count'),
  hour: salt('push-hour'),
  time: salt('post-time'),
  publishType: salt('publish-type'),
  title: salt('title'),
  original: salt('original'),
  reads: salt('reads'),
  viral: salt('viral'),
  ratio: salt('ratio'),
  url: salt('url'),
};

const MAX_WECHAT_ARTICLES = 8;
const MAX_WEIBO_POSTS = 30;
/** Counters reach their totals this many days after publishing. */
export const SATURATION_DAYS = 7;

const TOPICS = [
  '关于做好近期安全防范工作的提示',
  '一图读懂最新政策',
  '便民服务事项办理指南',
  '工作动态:推进重点任务落实',
  '权威发布:本周重要通知',
  '这些新规下月起施行',
  '办事指南|线上即可办理',
  '防范电信网络诈骗提醒',
  '基层走访纪实',
  '公开征求意见的公告',
  '假期出行温馨提示',
  '专项行动取得阶段性成效',
  '文明城市创建进行时',
  '暖心故事:身边的榜样',
  '政策问答十问十答',
  '重要提醒!请相互转告',
];

export interface FollowerDay {
  cumulate: number;
  newUsers: number;
  cancelUsers: number;
}

function curve(seed: number, account: SimAccount, day: number): number {
  const opened = dayNumber(account.openedOn);
  if (day < opened) return 0;
  const t = day - opened + 1;
  const base = (account.followerScale * t) / (t + account.followerHalfLifeDays);
  const jitter = Math.sqrt(base) * (unit(seed, account.index, day, S.jitter) - 0.5);
  return Math.max(0, Math.round(base + jitter));
}

/** cumulate(d) = cumulate(d−1) + new(d) − cancel(d), with new, cancel ≥ 0. */
export function followersOn(seed: number, account: SimAccount, day: number): FollowerDay {
  const cumulate = curve(seed, account, day);
  const previous = curve(seed, account, day - 1);
  const churn = Math.floor(previous * 0.0004 * unit(seed, account.index, day, S.cancel));
  const delta = cumulate - previous;
  const cancelUsers = churn + Math.max(0, -delta);
  return { cumulate, newUsers: delta + cancelUsers, cancelUsers };
}

/** Number of posts (WeChat articles / Weibo statuses) published on a day. */
export function postCountOn(seed: number, account: SimAccount, day: number): number {
  if (day < dayNumber(account.openedOn)) return 0;
  if (account.dormantSince !== undefined && day >= dayNumber(account.dormantSince)) return 0;
  const wd = weekday(day);
  const weekend = wd === 0 || wd === 6 ? 0.6 : 1.1;
  const mean = (account.postsPerWeek / 7) * weekend;
  const cap = account.platform === 'wechat' ? MAX_WECHAT_ARTICLES : MAX_WEIBO_POSTS;
  return Math.min(cap, poisson(mean, seed, account.index, day, S.count));
}

interface PostBase {
  accountIndex: number;
  date: string;
  day: number;
  /** 1-based position within the day (WeChat: 1 = headline). */
  position: number;
  publishedAt: number;
  title: string;
}

export interface WechatPost extends PostBase {
  msgDataId: number;
  msgid: string;
  url: string;
  /** 0 群发 (broadcast with notification), 1 发布 (freepublish). */
  publishType: 0 | 1;
  articleId: string;
  isOriginal: boolean;
  headline: boolean;
}

export interface WeiboPost extends PostBase {
  id: number;
  text: string;
  isOriginal: boolean;
}

function title(seed: number, account: SimAccount, day: number, position: number): string {
  const topic = TOPICS[hash32(seed, account.index, day, position, S.title) % TOPICS.length];
  return `【${SECTOR_LABELS[account.sector]}】${topic}`;
}

export function wechatPostsOn(
  seed: number,
  account: SimAccount,
  day: number,
  date: string,
): WechatPost[] {
  const n = postCountOn(seed, account, day);
  if (n === 0) return [];
  // One push a day: accounts keep a habitual hour (07–21h) with some drift.
  const habit = 7 + (hash32(seed, account.index, S.hour) % 15);
  const seconds = Math.min(
    86_399,
    habit * 3600 + Math.floor(unit(seed, account.index, day, S.time) * 5400),
  );
  const publishType = unit(seed, account.index, day, S.publishType) < 0.25 ? 1 : 0;
  const msgDataId = encodeMsgDataId(day, account.index);
  const biz = Buffer.from(String(account.index + 3_000_000_000)).toString('base64');
  const posts: WechatPost[] = [];
  for (let position = 1; position <= n; position += 1) {
    const sn = hexDigits(32, seed, account.index, day, position, S.url);
    posts.push({
      accountIndex: account.index,
      date,
      day,
      position,
      publishedAt: shanghaiInstant(day, seconds),
      title: title(seed, account, day, position),
      msgDataId,
      msgid: `${msgDataId}_${position}`,
      url: `https://mp.weixin.qq.com/s?__biz=${biz}&mid=${msgDataId}&idx=${position}&sn=${sn}`,
      publishType,
      articleId: `${hexDigits(24, seed, account.index, day, S.url)}`,
      isOriginal: unit(seed, account.index, day, position, S.original) < 0.6,
      headline: position === 1,
    });
  }
  return posts;
}

export function weiboPostsOn(
  seed: number,
  account: SimAccount,
  day: number,
  date: string,
): WeiboPost[] {
  const n = postCountOn(seed, account, day);
  if (n === 0) return [];
  const seconds = new Set<number>();
  for (let k = 0; seconds.size < n; k += 1) {
    // 07:00–23:00, distinct seconds so status ids are unique.
    seconds.add(7 * 3600 + Math.floor(unit(seed, account.index, day, k, S.time) * 16 * 3600));
  }
  return [...seconds]
    .sort((a, b) => a - b)
    .map((second, i) => {
      const publishedAt = shanghaiInstant(day, second);
      const topic = title(seed, account, day, i + 1);
      return {
        accountIndex: account.index,
        date,
        day,
        position: i + 1,
        publishedAt,
        title: topic,
        id: encodeStatusId(publishedAt / 1000, account.index),
        text: `#${account.displayName.split('·')[0]}# ${topic}`,
        isOriginal: unit(seed, account.index, day, i, S.original) < 0.7,
      };
    });
}

/** Share of the final total reached at an age in days (0 = publish day), never decreasing. */
export function growth(age: number): number {
  if (age < 0) return 0;
  if (age >= SATURATION_DAYS) return 1;
  return 1 - Math.exp(-(age + 1) / 2);
}

export interface WechatCounters {
  readCount: number;
  readUser: number;
  oriReadCount: number;
  oriReadUser: number;
  shareCount: number;
  shareUser: number;
  favCount: number;
  favUser: number;
  likes: number; // 拇指赞
  zaikan: number; // 在看 (爱心赞)
  comments: number;
}

export interface WeiboCounters {
  reposts: number;
  comments: number;
  attitudes: number;
}

function lognormal(sigma: number, ...parts: number[]): number {
  return Math.exp(sigma * normal(...parts) - (sigma * sigma) / 2);
}

export function wechatTotals(seed: number, account: SimAccount, post: WechatPost): WechatCounters {
  const followers = followersOn(seed, account, post.day).cumulate;
  const p = [seed, account.index, post.day, post.position];
  const viral = unit(...p, S.viral) < 0.015 ? 15 : 1;
  // Read rates fall with audience size, as with real accounts.
  const sizeFactor = Math.min(1, (20_000 / Math.max(followers, 1)) ** 0.3);
  const rate = (post.headline ? 0.06 : 0.015) * sizeFactor * viral;
  const readCount = Math.round(followers * rate * lognormal(0.9, ...p, S.reads)) + 3;
  const r = (k: number, share: number): number =>
    Math.floor(readCount * share * (0.5 + unit(...p, S.ratio, k)));
  const readUser = Math.floor(readCount * (0.8 + 0.15 * unit(...p, S.ratio, 0)));
  const shareCount = r(1, 0.02);
  const favCount = r(2, 0.004);
  return {
    readCount,
    readUser,
    oriReadCount: post.isOriginal ? r(3, 0.01) : 0,
    oriReadUser: post.isOriginal ? r(3, 0.008) : 0,
    shareCount,
    shareUser: Math.floor(shareCount * 0.8),
    favCount,
    favUser: Math.floor(favCount * 0.9),
    likes: r(4, 0.01),
    zaikan: r(5, 0.004),
    comments: r(6, 0.001),
  };
}

export function weiboTotals(seed: number, account: SimAccount, post: WeiboPost): WeiboCounters {
  const followers = followersOn(seed, account, post.day).cumulate;
  const p = [seed, account.index, post.day, post.position];
  const viral = unit(...p, S.viral) < 0.01 ? 30 : 1;
  const base = followers * viral * lognormal(1.2, ...p, S.reads);
  return {
    reposts: Math.floor(base * 0.0002 * (0.5 + unit(...p, S.ratio, 1))),
    comments: Math.floor(base * 0.00015 * (0.5 + unit(...p, S.ratio, 2))),
    attitudes: Math.floor(base * 0.0006 * (0.5 + unit(...p, S.ratio, 3))),
  };
}

export function scaleCounters<T extends object>(totals: T, age: number): T {
  const g = growth(age);
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(totals)) out[key] = Math.floor(Number(value) * g);
  return out as T;
}

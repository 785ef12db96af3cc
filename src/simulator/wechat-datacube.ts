import { followersOn, type WechatCounters } from './activity';
import { dateOfDay, dayNumber, isCalendarDate, shanghaiHour } from './dates';
import { wechatError, type SimResponse } from './fault-responses';
import type { SimAccount, SimPopulation } from './population';
import { unit, salt } from './rng';
import { DETAIL_MAX_DAYS, bizSummaryOn, wechatCountersAt, wechatPosts } from './truth';

// Datacube answers as pure functions of (population, account, body, clock).

/** Legacy data starts here; earlier days return nothing. */
export const LEGACY_FROM_DAY = dayNumber('2014-12-01');
/** The 发表内容 APIs store data from this day. */
export const NEW_API_FROM_DAY = dayNumber('2025-11-01');
const LEGACY_ARTICLE_DAYS = 7;
const SALT_DELAY = salt('is-delay');

export interface DatacubeClock {
  today: number;
  now: Date;
}

type Range = { ok: true; days: number[] } | { ok: false; error: SimResponse };

/** begin/end validation shared by every datacube endpoint. */
export function parseRange(body: unknown, maxSpanDays: number, clock: DatacubeClock): Range {
  const b = (body ?? {}) as { begin_date?: unknown; end_date?: unknown };
  const day = (value: unknown): value is string =>
    typeof value === 'string' && isCalendarDate(value);
  if (!day(b.begin_date) || !day(b.end_date)) {
    return { ok: false, error: wechatError(61500, 'date format error') };
  }
  const begin = dayNumber(b.begin_date);
  const end = dayNumber(b.end_date);
  if (end < begin || end - begin >= maxSpanDays || end >= clock.today) {
    return { ok: false, error: wechatError(61501, 'date range error') };
  }
  const days: number[] = [];
  for (let d = Math.max(begin, LEGACY_FROM_DAY); d <= end; d += 1) days.push(d);
  return { ok: true, days };
}

export function userSummary(population: SimPopulation, account: SimAccount, days: number[]) {
  return {
    list: days.map((day) => {
      const f = followersOn(population.seed, account, day);
      return {
        ref_date: dateOfDay(day),
        user_source: 0,
        new_user: f.newUsers,
        cancel_user: f.cancelUsers,
      };
    }),
  };
}

export function userCumulate(population: SimPopulation, account: SimAccount, days: number[]) {
  return {
    list: days.map((day) => ({
      ref_date: dateOfDay(day),
      user_source: 0,
      cumulate_user: followersOn(population.seed, account, day).cumulate,
    })),
  };
}

/** is_delay: yesterday before 08:00, or a small deterministic share of recent days. */
export function isDelayed(
  population: SimPopulation,
  account: SimAccount,
  day: number,
  clock: DatacubeClock,
): boolean {
  if (day === clock.today - 1 && shanghaiHour(clock.now) < 8) return true;
  return day >= clock.today - 2 && unit(population.seed, account.index, day, SALT_DELAY) < 0.03;
}

/** 阅读来源: 0 会话, 1 好友, 2 朋友圈, 4 历史消息页, 5 其他, 6 看一看, 7 搜一搜. */
function readUserSource(readUser: number) {
  const shares: [number, number][] = [
    [0, 0.5],
    [1, 0.08],
    [2, 0.2],
    [4, 0.08],
    [6, 0.04],
    [7, 0.05],
  ];
  const rows = shares.map(([source, share]) => ({
    user_source: source,
    read_user: Math.floor(readUser * share),
  }));
  const rest = readUser - rows.reduce((sum, r) => sum + r.read_user, 0);
  return [...rows, { user_source: 5, read_user: rest }].sort(
    (a, b) => a.user_source - b.user_source,
  );
}

function newApiDetail(c: WechatCounters) {
  return {
    read_user: c.readUser,
    read_user_source: readUserSource(c.readUser),
    share_user: c.shareUser,
    zaikan_user: c.zaikan,
    like_user: c.likes,
    comment_count: c.comments,
    collection_user: c.favUser,
  };
}

export function bizSummary(
  population: SimPopulation,
  account: SimAccount,
  day: number,
  clock: DatacubeClock,
) {
  const isDelay = isDelayed(population, account, day, clock);
  if (isDelay || day < NEW_API_FROM_DAY) return { list: [], is_delay: isDelay };
  const s = bizSummaryOn(population, account, day);
  return {
    list: [
      {
        ref_date: dateOfDay(day),
        detail: {
          read_user: s.readUser,
          read_user_source: readUserSource(s.readUser),
          share_user: s.shareUser,
          zaikan_user: s.zaikanUser,
          like_user: s.likeUser,
          comment_count: s.commentCount,
          collection_user: s.collectionUser,
        },
      },
    ],
    is_delay: isDelay,
  };
}

export function articleTotalDetail(
  population: SimPopulation,
  account: SimAccount,
  day: number,
  clock: DatacubeClock,
) {
  const isDelay = isDelayed(population, account, clock.today - 1, clock);
  if (day < NEW_API_FROM_DAY) return { list: [], is_delay: isDelay };
  // While yesterday is delayed its stat_date is not served yet.
  const lastStat = Math.min(day + DETAIL_MAX_DAYS - 1, clock.today - (isDelay ? 2 : 1));
  return {
    list: wechatPosts(population, account, day).map((post) => ({
      ref_date: post.date,
      msgid: post.msgid,
      title: post.title,
      publish_type: post.publishType,
      detail_list: statDays(day, lastStat).map((statDay) => ({
        stat_date: dateOfDay(statDay),
        ...newApiDetail(wechatCountersAt(population, account, post, statDay - day)),
      })),
    })),
    is_delay: isDelay,
  };
}

/** Legacy getarticletotal: 群发 articles only, details for 7 days after publishing. */
export function articleTotal(
  population: SimPopulation,
  account: SimAccount,
  day: number,
  clock: DatacubeClock,
) {
  const lastStat = Math.min(day + LEGACY_ARTICLE_DAYS - 1, clock.today - 1);
  const targetUser = followersOn(population.seed, account, day).cumulate;
  return {
    list: wechatPosts(population, account, day)
      .filter((post) => post.publishType === 0)
      .map((post) => ({
        ref_date: post.date,
        msgid: post.msgid,
        title: post.title,
        details: statDays(day, lastStat).map((statDay) =>
          legacyDetail(
            dateOfDay(statDay),
            targetUser,
            wechatCountersAt(population, account, post, statDay - day),
          ),
        ),
      })),
  };
}

function statDays(from: number, to: number): number[] {
  const days: number[] = [];
  for (let d = from; d <= to; d += 1) days.push(d);
  return days;
}

function legacyDetail(statDate: string, targetUser: number, c: WechatCounters) {
  const part = (v: number, share: number): number => Math.floor(v * share);
  return {
    stat_date: statDate,
    target_user: targetUser,
    int_page_read_user: c.readUser,
    int_page_read_count: c.readCount,
    ori_page_read_user: c.oriReadUser,
    ori_page_read_count: c.oriReadCount,
    share_user: c.shareUser,
    share_count: c.shareCount,
    add_to_fav_user: c.favUser,
    add_to_fav_count: c.favCount,
    int_page_from_session_read_user: part(c.readUser, 0.5),
    int_page_from_session_read_count: part(c.readCount, 0.5),
    int_page_from_hist_msg_read_user: part(c.readUser, 0.08),
    int_page_from_hist_msg_read_count: part(c.readCount, 0.08),
    int_page_from_feed_read_user: part(c.readUser, 0.2),
    int_page_from_feed_read_count: part(c.readCount, 0.2),
    int_page_from_friends_read_user: part(c.readUser, 0.08),
    int_page_from_friends_read_count: part(c.readCount, 0.08),
    int_page_from_other_read_user: part(c.readUser, 0.14),
    int_page_from_other_read_count: part(c.readCount, 0.14),
    feed_share_from_session_user: part(c.shareUser, 0.5),
    feed_share_from_session_cnt: part(c.shareCount, 0.5),
    feed_share_from_feed_user: part(c.shareUser, 0.3),
    feed_share_from_feed_cnt: part(c.shareCount, 0.3),
    feed_share_from_other_user: part(c.shareUser, 0.2),
    feed_share_from_other_cnt: part(c.shareCount, 0.2),
  };
}

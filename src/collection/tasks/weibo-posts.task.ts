import { Injectable } from '@nestjs/common';
import { businessDate, businessDayStart } from '../../common/business-date';
import { addDays } from '../../common/calendar-date';
import { CredentialsService } from '../../credentials/credentials.service';
import type { DailyMetricRow, PostRow, PostSnapshotRow } from '../../metrics/metric-rows';
import { upsertDailyMetrics, upsertPostSnapshots, upsertPosts } from '../../metrics/metric-writers';
import { WeiboClient } from '../../platforms/weibo/weibo.client';
import type { WeiboStatus } from '../../platforms/weibo/weibo.schemas';
import { addBackfillProgress, advanceBookmark, readBookmarks, type Bookmark } from '../bookmarks';
import type { AccountOutcome, AccountTarget } from '../collection-contracts';
import { type DayRange, chunkRange, daysOf, pendingRanges } from './collection-windows';
import {
  type TaskHandler,
  type TaskRunContext,
  failedOutcome,
  settleAbandonedBackfill,
} from './task-handler';
import {
  type WeiboTokenRef,
  checkBookmark,
  firstWeiboToken,
  noWeiboToken,
  ownWeiboToken,
  uidOf,
  weiboRequest,
} from './weibo-task-support';

/** Days per timeline window; each window's rows and bookmark commit together (R13 overlap). */
export const WEIBO_POSTS_WINDOW_DAYS = 7;
/** user_timeline/other returns at most 20 posts per call when a time window is given. */
export const WEIBO_WINDOW_PAGE_SIZE = 20;
/** A window never needs more pages than this (30 posts a day at most); beyond it the API loops. */
const MAX_PAGES = 100;
const TITLE_CHARS = 120;

/**
 * Weibo posts (commercial user_timeline/other) by windows of whole business days, oldest first:
 * the posts published in the window, a snapshot of each post's counters observed today, and the
 * daily `posts` count of every day the window fully covers. Each window commits with its bookmark.
 *
 * The bookmark's cursor is the instant (epoch ms) up to which posts were read. A window that ends
 * today is covered through today but read only up to now, so the next run re-reads that day (and
 * only that day: the overlap is one window), also after midnight, when the day becomes complete and
 * its `posts` count is written.
 */
@Injectable()
export class WeiboPostsTask implements TaskHandler {
  readonly task = 'weibo.posts' as const;

  constructor(
    private readonly client: WeiboClient,
    private readonly credentials: CredentialsService,
  ) {}

  async run(targets: readonly AccountTarget[], ctx: TaskRunContext): Promise<AccountOutcome[]> {
    const bookmarks = await readBookmarks(
      ctx.dataSource,
      this.task,
      targets.map((t) => t.accountId),
    );
    // The batch's fallback token for accounts without their own, looked up once when needed.
    let shared: Promise<WeiboTokenRef | null> | undefined;
    const sharedToken = () =>
      (shared ??= firstWeiboToken(
        this.credentials,
        targets.map((t) => t.accountId),
      ));
    return Promise.all(
      targets.map((target) =>
        ctx.limit(() =>
          this.collectAccount(target, bookmarks.get(target.accountId), ctx, sharedToken),
        ),
      ),
    );
  }

  private async collectAccount(
    target: AccountTarget,
    bookmark: Bookmark | undefined,
    ctx: TaskRunContext,
    sharedToken: () => Promise<WeiboTokenRef | null>,
  ): Promise<AccountOutcome> {
    let daysDone = 0;
    let pendingDays = 0;
    let dataAsOf: string | undefined;
    try {
      checkBookmark(bookmark);
      const uid = uidOf(target);
      // A bookmark past today is not ours to extend or fill in (R14): nothing to do.
      if (bookmark?.coveredThrough && bookmark.coveredThrough > ctx.today) {
        return { accountId: target.accountId, ok: true, daysDone };
      }
      const { head, tail } = pendingRanges(ctx.job, this.reopened(bookmark));
      // Never past today: later days have no posts yet and must not be marked covered.
      const tailRange =
        tail && tail.from <= ctx.today ? { ...tail, to: minDay(tail.to, ctx.today) } : null;
      if (!head && !tailRange) return { accountId: target.accountId, ok: true, daysDone };
      pendingDays = (head ? daysOf(head).length : 0) + (tailRange ? daysOf(tailRange).length : 0);

      const own = await ownWeiboToken(this.credentials, target.accountId);
      const token =
        own === null ? await sharedToken() : { accountId: target.accountId, token: own };
      if (token === null) throw noWeiboToken();
      const isNew = (day: string) =>
        !bookmark?.coveredFrom ||
        !bookmark.coveredThrough ||
        day < bookmark.coveredFrom ||
        day > bookmark.coveredThrough;

      if (tailRange) {
        for (const window of chunkRange(tailRange, WEIBO_POSTS_WINDOW_DAYS)) {
          const readThrough = Math.min(ctx.now.getTime(), dayEndMs(window.to));
          const statuses = await this.fetchWindow(ctx, token, uid, window, readThrough);
          const newDays = daysOf(window).filter(isNew).length;
          await this.write(target, statuses, window, readThrough, ctx, {
            cover: { coveredFrom: window.from, coveredThrough: window.to },
            cursor: String(readThrough),
            newDays,
          });
          daysDone += newDays;
          dataAsOf = window.to;
        }
      }
      if (head) {
        const through = bookmark?.coveredThrough ?? head.to;
        for (const window of chunkRange(head, WEIBO_POSTS_WINDOW_DAYS, true)) {
          const readThrough = dayEndMs(window.to);
          const statuses = await this.fetchWindow(ctx, token, uid, window, readThrough);
          const newDays = daysOf(window).filter(isNew).length;
          await this.write(target, statuses, window, readThrough, ctx, {
            cover: { coveredFrom: window.from, coveredThrough: through },
            newDays,
          });
          daysDone += newDays;
        }
      }
      return { accountId: target.accountId, ok: true, dataAsOf, daysDone };
    } catch (err) {
      return settleAbandonedBackfill(
        ctx,
        failedOutcome(target.accountId, err, daysDone),
        pendingDays,
      );
    }
  }

  /**
   * A bookmark whose last day was read only part-way (cursor before that day's end) counts as
   * covered through the day before, so the tail starts with that day again.
   */
  private reopened(bookmark: Bookmark | undefined): Bookmark | undefined {
    if (!bookmark?.coveredThrough || bookmark.cursor === null) return bookmark;
    if (Number(bookmark.cursor) >= dayEndMs(bookmark.coveredThrough)) return bookmark;
    return { ...bookmark, coveredThrough: addDays(bookmark.coveredThrough, -1) };
  }

  /** Every post published in the window up to `readThrough`, paging until a short page. */
  private async fetchWindow(
    ctx: TaskRunContext,
    token: WeiboTokenRef,
    uid: string,
    window: DayRange,
    readThrough: number,
  ): Promise<WeiboStatus[]> {
    const startMs = businessDayStart(window.from).getTime();
    const startTime = Math.floor(startMs / 1000);
    const endTime = Math.floor(readThrough / 1000) - (readThrough % 1000 === 0 ? 1 : 0);
    const byId = new Map<string, WeiboStatus>();
    for (let page = 1; ; page += 1) {
      if (page > MAX_PAGES) throw new Error(`user_timeline/other: more than ${MAX_PAGES} pages`);
      const { statuses } = await weiboRequest(ctx, token, (t) =>
        this.client.otherUserTimeline(t, uid, {
          startTime,
          endTime,
          count: WEIBO_WINDOW_PAGE_SIZE,
          page,
        }),
      );
      for (const s of statuses) {
        const at = s.createdAt.getTime();
        // A post created between two pages shifts the next one: ids de-duplicate.
        if (at >= startMs && at < readThrough) byId.set(s.id, s);
      }
      if (statuses.length < WEIBO_WINDOW_PAGE_SIZE) break;
    }
    return [...byId.values()];
  }

  private async write(
    target: AccountTarget,
    statuses: WeiboStatus[],
    window: DayRange,
    readThrough: number,
    ctx: TaskRunContext,
    progress: {
      cover: { coveredFrom: string; coveredThrough: string };
      cursor?: string;
      newDays: number;
    },
  ): Promise<void> {
    const accountId = target.accountId;
    const uid = target.weiboUid ?? '';
    const source = ctx.source;
    const posts: PostRow[] = statuses.map((s) => ({
      accountId,
      platformPostId: s.id,
      publishedAt: s.createdAt,
      position: null,
      isRepost: s.isRepost,
      title: [...s.text].slice(0, TITLE_CHARS).join(''),
      url: `https://weibo.com/${uid}/${s.mid ?? s.id}`,
      source,
    }));
    // The counters as served now: one snapshot observed today (Weibo gives no reads or shares).
    const snapshots: PostSnapshotRow[] = statuses.map((s) => ({
      accountId,
      platformPostId: s.id,
      publishedOn: businessDate(s.createdAt),
      observedDay: ctx.today,
      reposts: s.repostsCount,
      comments: s.commentsCount,
      likes: s.attitudesCount ?? null,
      source,
    }));
    const perDay = new Map<string, number>();
    for (const s of statuses) {
      const day = businessDate(s.createdAt);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    // Only days read to their end get a count; the others stay as stored until then.
    const daily: DailyMetricRow[] = daysOf(window)
      .filter((day) => dayEndMs(day) <= readThrough)
      .map((day) => ({ accountId, day, posts: perDay.get(day) ?? 0, source }));
    await ctx.dataSource.transaction(async (tx) => {
      await upsertPosts(tx, posts);
      await upsertPostSnapshots(tx, snapshots);
      await upsertDailyMetrics(tx, daily);
      await advanceBookmark(tx, {
        accountId,
        task: this.task,
        ...progress.cover,
        ...(progress.cursor === undefined ? {} : { cursor: progress.cursor }),
      });
      await addBackfillProgress(tx, ctx.job.backfillRunId, progress.newDays);
    });
  }
}

/** The first instant after a business day (epoch ms). */
function dayEndMs(day: string): number {
  return businessDayStart(addDays(day, 1)).getTime();
}

const minDay = (a: string, b: string) => (a < b ? a : b);

import { Injectable } from '@nestjs/common';
import { businessDayStart } from '../../common/business-date';
import { addDays, dayNumber } from '../../common/calendar-date';
import { WechatTokenService } from '../../credentials/wechat-token.service';
import type { DailyMetricRow, PostRow, PostSnapshotRow } from '../../metrics/metric-rows';
import { DATACUBE_MAX_SPAN_DAYS } from '../../platforms/date-windows';
import { WechatClient } from '../../platforms/wechat/wechat.client';
import type {
  WechatArticleTotalDetail,
  WechatUserCumulateRow,
  WechatUserSummaryRow,
} from '../../platforms/wechat/wechat.schemas';
import { addBackfillProgress, readBookmarks, type Bookmark } from '../bookmarks';
import type { AccountOutcome, AccountTarget } from '../collection-contracts';
import { type DayRange, chunkRange, daysOf, pendingRanges } from './collection-windows';
import {
  CollectionConfigError,
  type TaskHandler,
  type TaskRunContext,
  failedOutcome,
  platformRequest,
  settleAbandonedBackfill,
} from './task-handler';

type Article = WechatArticleTotalDetail['articles'][number];

/** What one chunk of days fetched for one account, before it is written. */
interface ChunkData {
  /** Days whose account summary is final, oldest first (stops at the first is_delay day). */
  finalDays: string[];
  summary: WechatUserSummaryRow[];
  cumulate: WechatUserCumulateRow[];
  biz: Map<string, BizRow>;
  articles: Article[];
}

interface BizRow {
  readUser: number;
  shareUser: number;
  zaikanUser?: number;
  likeUser?: number;
  commentCount?: number;
  collectionUser?: number;
}

/**
 * WeChat datacube for whole business days (事务: 用户分析 + 图文分析): per account and day the
 * followers (getusercumulate, getusersummary), the account summary (getbizsummary) and the day's
 * articles with their counters by age (getarticletotaldetail); plus a re-poll of the articles
 * published `repollAges` days before the first day collected, for their counters at those ages.
 * Days are collected oldest first in chunks of 7 (usercumulate's span); each chunk's rows and the
 * bookmark commit in one transaction, so an interrupted run resumes after the last chunk (R13).
 * A day the platform marks is_delay ends the run before it; the next run picks it up.
 */
@Injectable()
export class WechatDailyTask implements TaskHandler {
  readonly task = 'wechat.daily' as const;

  constructor(
    private readonly client: WechatClient,
    private readonly tokens: WechatTokenService,
  ) {}

  async run(targets: readonly AccountTarget[], ctx: TaskRunContext): Promise<AccountOutcome[]> {
    const bookmarks = await readBookmarks(
      ctx.dataSource,
      this.task,
      targets.map((t) => t.accountId),
    );
    // One round of token reads/refreshes for the whole job instead of ~9 queries per account.
    await this.tokens.prefetch(
      targets.flatMap((t) => (t.wechatAppId === null ? [] : [t.wechatAppId])),
    );
    return Promise.all(
      targets.map((target) =>
        ctx.limit(() => this.collectAccount(target, bookmarks.get(target.accountId), ctx)),
      ),
    );
  }

  private async collectAccount(
    target: AccountTarget,
    bookmark: Bookmark | undefined,
    ctx: TaskRunContext,
  ): Promise<AccountOutcome> {
    let daysDone = 0;
    let pendingDays = 0;
    let dataAsOf: string | undefined;
    try {
      const appId = target.wechatAppId;
      if (appId === null) {
        throw new CollectionConfigError('no_app_id', 'The account has no WeChat AppID.');
      }
      // A bookmark past today is abnormal state: no requests, no writes, not even older days (R14).
      if (bookmark?.coveredThrough && bookmark.coveredThrough > ctx.today) {
        return { accountId: target.accountId, ok: true, daysDone };
      }
      const { head, tail } = pendingRanges(ctx.job, bookmark);
      pendingDays = (head ? daysOf(head).length : 0) + (tail ? daysOf(tail).length : 0);
      const call = <T>(fn: (token: string) => Promise<T>): Promise<T> =>
        this.tokens.withToken(appId, (token) =>
          platformRequest(ctx, 'wechat', `wechat:${appId}`, () => fn(token)),
        );

      if (tail) {
        const chunks = chunkRange(tail, DATACUBE_MAX_SPAN_DAYS.getusercumulate);
        for (const [index, chunk] of chunks.entries()) {
          const repoll = index === 0 ? this.repollDays(tail.from, ctx.repollAges) : [];
          const data = await this.fetchChunk(call, chunk, repoll);
          if (data.finalDays.length > 0) {
            await this.write(target.accountId, data, ctx, {
              coveredFrom: chunk.from,
              coveredThrough: data.finalDays[data.finalDays.length - 1],
            });
            daysDone += data.finalDays.length;
            dataAsOf = data.finalDays[data.finalDays.length - 1];
          }
          if (data.finalDays.length < daysOf(chunk).length) {
            // is_delay: stop here. The deferred days count as done for backfill progress: the
            // daily runs collect them once the platform publishes them.
            const deferred =
              daysOf({ from: chunk.from, to: tail.to }).length - data.finalDays.length;
            await ctx.dataSource.transaction((tx) =>
              addBackfillProgress(tx, ctx.job.backfillRunId, deferred),
            );
            break;
          }
        }
      }
      if (head) {
        const through = bookmark?.coveredThrough ?? head.to;
        for (const chunk of chunkRange(head, DATACUBE_MAX_SPAN_DAYS.getusercumulate, true)) {
          const data = await this.fetchChunk(call, chunk, []);
          // Old days are final; a delay here would leave a hole, so the head stops at once.
          if (data.finalDays.length < daysOf(chunk).length) break;
          await this.write(target.accountId, data, ctx, {
            coveredFrom: chunk.from,
            coveredThrough: through,
          });
          daysDone += data.finalDays.length;
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

  /** Publish days re-polled for counters at the configured ages, before the first day collected. */
  private repollDays(firstDay: string, ages: readonly number[]): string[] {
    return ages.filter((age) => age > 0).map((age) => addDays(firstDay, -age));
  }

  private async fetchChunk(
    call: <T>(fn: (token: string) => Promise<T>) => Promise<T>,
    chunk: DayRange,
    repollDays: string[],
  ): Promise<ChunkData> {
    const summary = await call((t) => this.client.getUserSummary(t, chunk.from, chunk.to));
    const cumulate = await call((t) => this.client.getUserCumulate(t, chunk.from, chunk.to));
    const finalDays: string[] = [];
    const biz = new Map<string, BizRow>();
    const articles: Article[] = [];
    for (const day of daysOf(chunk)) {
      const summaryOfDay = await call((t) => this.client.getBizSummary(t, day));
      if (summaryOfDay.isDelay) break;
      const row = summaryOfDay.rows.find((r) => r.refDate === day);
      if (row) biz.set(day, row);
      const detail = await call((t) => this.client.getArticleTotalDetail(t, day));
      articles.push(...detail.articles.filter((a) => a.publishDate === day));
      finalDays.push(day);
    }
    for (const day of repollDays) {
      const detail = await call((t) => this.client.getArticleTotalDetail(t, day));
      articles.push(...detail.articles.filter((a) => a.publishDate === day));
    }
    return { finalDays, summary, cumulate, biz, articles };
  }

  private async write(
    accountId: number,
    data: ChunkData,
    ctx: TaskRunContext,
    cover: { coveredFrom: string; coveredThrough: string },
  ): Promise<void> {
    const source = ctx.source;
    const final = new Set(data.finalDays);
    const ages = new Set([0, ...ctx.repollAges]);
    const articles = data.articles.filter(
      (a) => final.has(a.publishDate) || a.publishDate < data.finalDays[0],
    );
    const daily: DailyMetricRow[] = data.finalDays.map((day) => {
      const news = data.summary.filter((r) => r.refDate === day);
      const cumulate = data.cumulate.find((r) => r.refDate === day);
      const biz = data.biz.get(day);
      return {
        accountId,
        day,
        followers: cumulate?.cumulateUser ?? null,
        // The summary lists only sources with changes: no row for a day means no new followers.
        newFollowers: news.reduce((sum, r) => sum + r.newUser, 0),
        cancelledFollowers: news.reduce((sum, r) => sum + r.cancelUser, 0),
        posts: articles.filter((a) => a.publishDate === day).length,
        reads: biz?.readUser ?? null,
        shares: biz?.shareUser ?? null,
        likes: biz?.likeUser ?? null,
        zaikan: biz?.zaikanUser ?? null,
        comments: biz?.commentCount ?? null,
        favourites: biz?.collectionUser ?? null,
        // WeChat has no reposts: stays NULL.
        source,
        partial: biz === undefined,
      };
    });
    const posts: PostRow[] = articles.map((a) => ({
      accountId,
      platformPostId: a.msgid,
      publishedAt: businessDayStart(a.publishDate),
      position: positionOf(a.msgid),
      source,
    }));
    const snapshots: PostSnapshotRow[] = articles.flatMap((a) =>
      a.stats
        // Every served stat date is final (datacube serves up to yesterday), also those after this
        // chunk: an article published near the chunk's end gets its later ages now, not never.
        .filter(
          (s) =>
            s.statDate < ctx.today && ages.has(dayNumber(s.statDate) - dayNumber(a.publishDate)),
        )
        .map((s) => ({
          accountId,
          platformPostId: a.msgid,
          publishedOn: a.publishDate,
          observedDay: s.statDate,
          reads: s.readUser,
          shares: s.shareUser,
          likes: s.likeUser ?? null,
          zaikan: s.zaikanUser ?? null,
          comments: s.commentCount ?? null,
          favourites: s.collectionUser ?? null,
          source,
        })),
    );
    await ctx.writes.write({
      daily,
      posts,
      snapshots,
      bookmark: { accountId, task: this.task, ...cover },
      backfillRunId: ctx.job.backfillRunId,
      days: data.finalDays.length,
    });
  }
}

/** A msgid is `<msg_data_id>_<index>`; the index is the position in the push (1 = 头条). */
export function positionOf(msgid: string): number | null {
  const match = /_(\d{1,4})$/.exec(msgid);
  return match ? Number(match[1]) : null;
}

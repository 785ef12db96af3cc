import { Injectable } from '@nestjs/common';
import { addDays } from '../../common/calendar-date';
import { CredentialsService } from '../../credentials/credentials.service';
import type { PostSnapshotRow } from '../../metrics/metric-rows';
import { upsertPostSnapshots } from '../../metrics/metric-writers';
import { WEIBO_BATCH_SIZE, WeiboClient } from '../../platforms/weibo/weibo.client';
import type { WeiboStatusCounts } from '../../platforms/weibo/weibo.schemas';
import { advanceBookmark, readBookmarks } from '../bookmarks';
import type { AccountOutcome, AccountTarget } from '../collection-contracts';
import { type TaskHandler, type TaskRunContext, failedOutcome } from './task-handler';
import {
  checkBookmark,
  firstWeiboToken,
  inTargetOrder,
  noWeiboToken,
  weiboRequest,
} from './weibo-task-support';

interface StoredPost {
  account_id: number;
  platform_post_id: string;
  published_on: string;
}

const NUMERIC_ID = /^\d{1,20}$/;

/**
 * Weibo counters by age (statuses/count): the stored posts of the job's accounts published
 * `repollAges` days before today, 100 ids a call, stored as snapshots observed today. A post the
 * platform no longer returns (deleted) is skipped. Rows and bookmarks of the batch commit in one
 * transaction; an account whose bookmark already reached today is not asked for again.
 */
@Injectable()
export class WeiboCountersTask implements TaskHandler {
  readonly task = 'weibo.counters' as const;

  constructor(
    private readonly client: WeiboClient,
    private readonly credentials: CredentialsService,
  ) {}

  async run(targets: readonly AccountTarget[], ctx: TaskRunContext): Promise<AccountOutcome[]> {
    const today = ctx.today;
    const bookmarks = await readBookmarks(
      ctx.dataSource,
      this.task,
      targets.map((t) => t.accountId),
    );
    const outcomes = new Map<number, AccountOutcome>();
    const due: number[] = [];
    for (const target of targets) {
      const bookmark = bookmarks.get(target.accountId);
      try {
        checkBookmark(bookmark);
        if (bookmark?.coveredThrough && bookmark.coveredThrough >= today) {
          outcomes.set(target.accountId, { accountId: target.accountId, ok: true, daysDone: 0 });
        } else {
          due.push(target.accountId);
        }
      } catch (err) {
        outcomes.set(target.accountId, failedOutcome(target.accountId, err));
      }
    }
    if (due.length > 0) await this.collect(due, ctx, outcomes);
    return inTargetOrder(targets, outcomes);
  }

  private async collect(
    due: number[],
    ctx: TaskRunContext,
    outcomes: Map<number, AccountOutcome>,
  ): Promise<void> {
    const today = ctx.today;
    const days = [...new Set(ctx.repollAges.filter((a) => a > 0))].map((a) => addDays(today, -a));
    const failed = new Map<number, unknown>();
    const snapshots: PostSnapshotRow[] = [];
    try {
      const posts =
        days.length === 0
          ? []
          : await ctx.dataSource.query<StoredPost[]>(
              `SELECT account_id, platform_post_id, published_on::text
               FROM posts WHERE account_id = ANY($1::int[]) AND published_on = ANY($2::date[])
               ORDER BY account_id, published_on, platform_post_id`,
              [due, days],
            );
      const polled = posts.filter((p) => NUMERIC_ID.test(p.platform_post_id));
      const byId = new Map<string, StoredPost[]>();
      for (const p of polled)
        byId.set(p.platform_post_id, [...(byId.get(p.platform_post_id) ?? []), p]);
      const ids = [...byId.keys()];
      if (ids.length > 0) {
        const token = await firstWeiboToken(this.credentials, due);
        if (token === null) throw noWeiboToken();
        const chunks: string[][] = [];
        for (let i = 0; i < ids.length; i += WEIBO_BATCH_SIZE) {
          chunks.push(ids.slice(i, i + WEIBO_BATCH_SIZE));
        }
        await Promise.all(
          chunks.map(async (chunk) => {
            let counts: WeiboStatusCounts[];
            try {
              counts = await ctx.limit(() =>
                weiboRequest(ctx, token, (t) => this.client.statusCounts(t, chunk)),
              );
            } catch (err) {
              // Only the accounts with a post in this chunk fail.
              for (const id of chunk) {
                for (const p of byId.get(id) ?? []) failed.set(p.account_id, err);
              }
              return;
            }
            for (const c of counts) {
              for (const p of byId.get(c.id) ?? []) {
                snapshots.push({
                  accountId: p.account_id,
                  platformPostId: p.platform_post_id,
                  publishedOn: p.published_on,
                  observedDay: today,
                  reposts: c.repostsCount,
                  comments: c.commentsCount,
                  likes: c.attitudesCount ?? null,
                  source: ctx.source,
                });
              }
            }
          }),
        );
      }
      const stored = due.filter((id) => !failed.has(id));
      const rows = snapshots.filter((s) => !failed.has(s.accountId));
      await ctx.dataSource.transaction(async (tx) => {
        await upsertPostSnapshots(tx, rows);
        for (const accountId of stored) {
          await advanceBookmark(tx, {
            accountId,
            task: this.task,
            coveredFrom: today,
            coveredThrough: today,
          });
        }
      });
      for (const accountId of stored) {
        outcomes.set(accountId, { accountId, ok: true, dataAsOf: today, daysDone: 1 });
      }
    } catch (err) {
      for (const accountId of due) {
        if (!failed.has(accountId)) failed.set(accountId, err);
      }
    }
    for (const [accountId, err] of failed) outcomes.set(accountId, failedOutcome(accountId, err));
  }
}

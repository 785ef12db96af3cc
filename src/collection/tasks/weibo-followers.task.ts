import { Injectable } from '@nestjs/common';
import { CredentialsService } from '../../credentials/credentials.service';
import type { DailyMetricRow } from '../../metrics/metric-rows';
import { upsertDailyMetrics } from '../../metrics/metric-writers';
import { PlatformError } from '../../platforms/platform-error';
import { WeiboClient } from '../../platforms/weibo/weibo.client';
import { advanceBookmark, readBookmarks } from '../bookmarks';
import type { AccountOutcome, AccountTarget } from '../collection-contracts';
import { type TaskHandler, type TaskRunContext, failedOutcome } from './task-handler';
import {
  checkBookmark,
  firstWeiboToken,
  inTargetOrder,
  noWeiboToken,
  uidOf,
  weiboRequest,
} from './weibo-task-support';

/**
 * Weibo followers (users/counts): one call for the job's ≤ 100 uids, with the token of the first
 * account of the batch that has one. The platform gives today's value only, so it is stored for
 * `job.throughDay` (today); accounts already covered through that day are not asked for again.
 * All rows and bookmarks of the batch commit in one transaction.
 */
@Injectable()
export class WeiboFollowersTask implements TaskHandler {
  readonly task = 'weibo.followers' as const;

  constructor(
    private readonly client: WeiboClient,
    private readonly credentials: CredentialsService,
  ) {}

  async run(targets: readonly AccountTarget[], ctx: TaskRunContext): Promise<AccountOutcome[]> {
    const day = ctx.job.throughDay;
    const bookmarks = await readBookmarks(
      ctx.dataSource,
      this.task,
      targets.map((t) => t.accountId),
    );
    const outcomes = new Map<number, AccountOutcome>();
    const due: { target: AccountTarget; uid: string }[] = [];
    for (const target of targets) {
      const bookmark = bookmarks.get(target.accountId);
      try {
        checkBookmark(bookmark);
        const uid = uidOf(target);
        if (bookmark?.coveredThrough && bookmark.coveredThrough >= day) {
          outcomes.set(target.accountId, { accountId: target.accountId, ok: true, daysDone: 0 });
        } else {
          due.push({ target, uid });
        }
      } catch (err) {
        outcomes.set(target.accountId, failedOutcome(target.accountId, err));
      }
    }
    if (due.length > 0) await this.collect(due, day, ctx, outcomes);
    return inTargetOrder(targets, outcomes);
  }

  private async collect(
    due: { target: AccountTarget; uid: string }[],
    day: string,
    ctx: TaskRunContext,
    outcomes: Map<number, AccountOutcome>,
  ): Promise<void> {
    const failAll = (err: unknown) => {
      for (const { target } of due) {
        if (!outcomes.has(target.accountId)) {
          outcomes.set(target.accountId, failedOutcome(target.accountId, err));
        }
      }
    };
    try {
      const token = await firstWeiboToken(
        this.credentials,
        due.map((d) => d.target.accountId),
      );
      if (token === null) throw noWeiboToken();
      const counts = await ctx.limit(() =>
        weiboRequest(ctx, token, (t) =>
          this.client.userCounts(
            t,
            due.map((d) => d.uid),
          ),
        ),
      );
      const byUid = new Map(counts.map((c) => [c.uid, c]));
      const rows: DailyMetricRow[] = [];
      const stored: number[] = [];
      for (const { target, uid } of due) {
        const found = byUid.get(uid);
        if (found === undefined) {
          outcomes.set(
            target.accountId,
            failedOutcome(
              target.accountId,
              new PlatformError('weibo', {
                errorClass: 'not_found',
                code: 'uid_not_returned',
                message: `users/counts did not return uid ${uid}`,
              }),
            ),
          );
          continue;
        }
        // users/counts gives the follower total only; every other counter stays NULL.
        rows.push({
          accountId: target.accountId,
          day,
          followers: found.followersCount,
          source: ctx.source,
        });
        stored.push(target.accountId);
      }
      if (stored.length === 0) return;
      await ctx.dataSource.transaction(async (tx) => {
        await upsertDailyMetrics(tx, rows);
        for (const accountId of stored) {
          await advanceBookmark(tx, {
            accountId,
            task: this.task,
            coveredFrom: day,
            coveredThrough: day,
          });
        }
      });
      for (const accountId of stored) {
        outcomes.set(accountId, { accountId, ok: true, dataAsOf: day, daysDone: 1 });
      }
    } catch (err) {
      failAll(err);
    }
  }
}

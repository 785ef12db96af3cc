import { CredentialsService } from '../../credentials/credentials.service';
import { CredentialsException } from '../../credentials/credentials.exception';
import type { AccountOutcome, AccountTarget } from '../collection-contracts';
import type { Bookmark } from '../bookmarks';
import {
  CollectionConfigError,
  type TaskRunContext,
  failedOutcome,
  platformRequest,
} from './task-handler';

/*
 * What the Weibo tasks share: whose token a batch call uses, the budgeted and timed request, and
 * the bookmark sanity check (R14).
 */

/** A Weibo access token and the account it belongs to (its budget key is `weibo:<accountId>`). */
export interface WeiboTokenRef {
  accountId: number;
  token: string;
}

/**
 * The token of the first of `accountIds` (in order) that has a usable one; null when none has.
 * An account without a token (or with one that cannot be decrypted) is skipped.
 */
export async function firstWeiboToken(
  credentials: CredentialsService,
  accountIds: readonly number[],
): Promise<WeiboTokenRef | null> {
  for (const accountId of accountIds) {
    const token = await ownWeiboToken(credentials, accountId);
    if (token !== null) return { accountId, token };
  }
  return null;
}

/** The account's own Weibo token, or null when it has none usable. */
export async function ownWeiboToken(
  credentials: CredentialsService,
  accountId: number,
): Promise<string | null> {
  try {
    return await credentials.weiboAccessToken(accountId);
  } catch (err) {
    if (err instanceof CredentialsException) return null;
    throw err;
  }
}

export function noWeiboToken(): CollectionConfigError {
  return new CollectionConfigError('no_weibo_token', 'No account of the batch has a Weibo token.');
}

/** One Weibo request under the token owner's shared budget, in a request slot, timed. */
export function weiboRequest<T>(
  ctx: TaskRunContext,
  token: WeiboTokenRef,
  fn: (token: string) => Promise<T>,
): Promise<T> {
  return platformRequest(ctx, 'weibo', `weibo:${token.accountId}`, () => fn(token.token));
}

/** A bookmark the tasks cannot reason about: a job on it fails as config_error, 0 writes (R14). */
export function checkBookmark(bookmark: Bookmark | undefined): void {
  if (!bookmark) return;
  const { coveredFrom, coveredThrough, cursor } = bookmark;
  if (coveredFrom !== null && coveredThrough !== null && coveredFrom > coveredThrough) {
    throw new CollectionConfigError(
      'corrupt_bookmark',
      `Bookmark of ${bookmark.task} starts (${coveredFrom}) after it ends (${coveredThrough}).`,
    );
  }
  if (cursor !== null && !/^\d{1,16}$/.test(cursor)) {
    throw new CollectionConfigError(
      'corrupt_bookmark',
      `Bookmark cursor of ${bookmark.task} is not an epoch-ms instant.`,
    );
  }
}

/** An account that cannot be collected by a Weibo task: no uid. */
export function uidOf(target: AccountTarget): string {
  if (target.weiboUid === null) {
    throw new CollectionConfigError('no_weibo_uid', 'The account has no Weibo uid.');
  }
  return target.weiboUid;
}

/** Outcomes in the order of `targets`. */
export function inTargetOrder(
  targets: readonly AccountTarget[],
  outcomes: Map<number, AccountOutcome>,
): AccountOutcome[] {
  return targets.map(
    (t) =>
      outcomes.get(t.accountId) ??
      failedOutcome(t.accountId, new Error('internal: the task left the account without outcome')),
  );
}

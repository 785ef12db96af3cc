import type { EntityManager } from 'typeorm';
import type { CollectionTask } from './collection-contracts';
import type { Queryable } from './schedule-ledger';

/** How far collection of one task got for one account (collection_bookmarks). */
export interface Bookmark {
  accountId: number;
  task: CollectionTask;
  /** First business day stored (the backfill start). */
  coveredFrom: string | null;
  /** Last business day whose rows are stored; every day from coveredFrom on is stored. */
  coveredThrough: string | null;
  /** Task-specific position (e.g. the newest Weibo post time seen, epoch ms). */
  cursor: string | null;
}

interface BookmarkRow {
  account_id: number;
  covered_from: string | null;
  covered_through: string | null;
  cursor: string | null;
}

/** The bookmarks of `accountIds` for `task` (absent accounts have none). */
export async function readBookmarks(
  db: Queryable,
  task: CollectionTask,
  accountIds: readonly number[],
): Promise<Map<number, Bookmark>> {
  const rows = await db.query<BookmarkRow[]>(
    `SELECT account_id, covered_from::text, covered_through::text, cursor
     FROM collection_bookmarks WHERE task = $1 AND account_id = ANY($2::int[])`,
    [task, accountIds],
  );
  return new Map(
    rows.map((r) => [
      r.account_id,
      {
        accountId: r.account_id,
        task,
        coveredFrom: r.covered_from,
        coveredThrough: r.covered_through,
        cursor: r.cursor,
      },
    ]),
  );
}

/**
 * Advances a bookmark inside the transaction that wrote the rows it covers (R1, R13). Monotonic:
 * covered_through never moves back and covered_from never forward, so two runs of the same job
 * (at-least-once delivery) cannot rewind it. A given `cursor` replaces the stored one; none (or
 * null) keeps it.
 */
export async function advanceBookmark(
  tx: EntityManager,
  bookmark: Omit<Bookmark, 'cursor'> & { cursor?: string | null },
): Promise<void> {
  await advanceBookmarks(tx, [bookmark]);
}

/** advanceBookmark for many accounts in one statement (one row per account and task). */
export async function advanceBookmarks(
  tx: EntityManager,
  bookmarks: readonly (Omit<Bookmark, 'cursor'> & { cursor?: string | null })[],
): Promise<void> {
  if (bookmarks.length === 0) return;
  await tx.query(
    `INSERT INTO collection_bookmarks AS b (account_id, task, covered_from, covered_through, cursor)
     SELECT account_id, task, covered_from, covered_through, cursor
     FROM unnest($1::int[], $2::text[], $3::date[], $4::date[], $5::text[])
          AS u(account_id, task, covered_from, covered_through, cursor)
     ON CONFLICT (account_id, task) DO UPDATE SET
       covered_from = LEAST(b.covered_from, EXCLUDED.covered_from),
       covered_through = GREATEST(b.covered_through, EXCLUDED.covered_through),
       cursor = coalesce(EXCLUDED.cursor, b.cursor),
       updated_at = now()`,
    [
      bookmarks.map((b) => b.accountId),
      bookmarks.map((b) => b.task),
      bookmarks.map((b) => b.coveredFrom),
      bookmarks.map((b) => b.coveredThrough),
      bookmarks.map((b) => b.cursor ?? null),
    ],
  );
}

/**
 * Counts `days` newly covered on a backfill run, in the same transaction as the rows (so progress
 * is exact after a crash); marks the run finished when every day is done.
 */
export async function addBackfillProgress(
  tx: EntityManager,
  runId: number | undefined,
  days: number,
): Promise<void> {
  if (runId === undefined || days <= 0) return;
  await tx.query(
    `UPDATE backfill_runs SET done_days = LEAST(total_days, done_days + $2),
       finished_at = CASE WHEN done_days + $2 >= total_days THEN coalesce(finished_at, now()) END
     WHERE id = $1`,
    [runId, days],
  );
}

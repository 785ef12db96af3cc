import type { ImportRowError } from '../../accounts/import/import-row.validator';
import type { DailyMetricRow, MetricSource, PostRow, PostSnapshotRow } from '../metric-rows';
import type { DailyImportRow, PostImportRow } from './metric-import-row.validator';

/**
 * Turns validated rows whose accounts are resolved into writer rows. Pure: a key that repeats in
 * the file (same account and day, or same post and observed day) is a row error, as is a post
 * whose rows disagree on what the post is.
 */
export function planDailyRows(
  rows: DailyImportRow[],
  accountIds: (number | null)[],
  source: MetricSource,
): { daily: DailyMetricRow[]; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  const daily: DailyMetricRow[] = [];
  const seen = new Map<string, number>();
  rows.forEach((r, i) => {
    const accountId = accountIds[i];
    if (accountId === null) return;
    const key = `${accountId}|${r.day}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        row: r.row,
        column: 'day',
        message: `account ${accountId} on ${r.day} also appears in row ${first}`,
      });
      return;
    }
    seen.set(key, r.row);
    daily.push({ accountId, day: r.day, ...r.counters, source });
  });
  return { daily, errors };
}

const POST_FIELDS = ['position', 'isRepost', 'title', 'url'] as const;

export function planPostRows(
  rows: PostImportRow[],
  accountIds: (number | null)[],
  source: MetricSource,
): { posts: PostRow[]; snapshots: PostSnapshotRow[]; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  const posts = new Map<string, { post: PostRow; row: number }>();
  const snapshots: PostSnapshotRow[] = [];
  const seenObservations = new Map<string, number>();
  rows.forEach((r, i) => {
    const accountId = accountIds[i];
    if (accountId === null) return;
    const observation = `${accountId}|${r.platformPostId}|${r.observedDay}`;
    const firstObservation = seenObservations.get(observation);
    if (firstObservation !== undefined) {
      errors.push({
        row: r.row,
        column: 'observedDay',
        message: `post ${r.platformPostId} of account ${accountId} observed on ${r.observedDay} also appears in row ${firstObservation}`,
      });
      return;
    }
    seenObservations.set(observation, r.row);

    const postKey = `${accountId}|${r.platformPostId}`;
    const known = posts.get(postKey);
    if (!known) {
      posts.set(postKey, {
        row: r.row,
        post: {
          accountId,
          platformPostId: r.platformPostId,
          publishedAt: r.publishedAt,
          position: r.position,
          isRepost: r.isRepost,
          title: r.title,
          url: r.url,
          source,
        },
      });
    } else if (known.post.publishedAt.getTime() !== r.publishedAt.getTime()) {
      errors.push({
        row: r.row,
        column: 'publishedAt',
        message: `row ${known.row} gives post ${r.platformPostId} another publication time`,
      });
      return;
    } else {
      for (const field of POST_FIELDS) {
        const stored = known.post[field] ?? null;
        if (r[field] === null) continue;
        if (stored === null) known.post[field] = r[field] as never;
        else if (stored !== r[field])
          errors.push({
            row: r.row,
            column: field,
            message: `row ${known.row} gives post ${r.platformPostId} another ${field}`,
          });
      }
    }
    snapshots.push({
      accountId,
      platformPostId: r.platformPostId,
      publishedOn: r.publishedOn,
      observedDay: r.observedDay,
      ...r.counters,
      source,
    });
  });
  return { posts: [...posts.values()].map((p) => p.post), snapshots, errors };
}

import { isCalendarDate } from '../common/calendar-date';

/** Where a fact came from (same list as accounts.data_source). */
export const METRIC_SOURCES = ['official_api', 'vendor', 'manual', 'simulated'] as const;
export type MetricSource = (typeof METRIC_SOURCES)[number];

/** A counter: `null` (or absent) when the source does not give it, never 0 in its place. */
export type Count = number | null | undefined;

export interface DailyMetricRow {
  accountId: number;
  /** Asia/Shanghai business date, YYYY-MM-DD. */
  day: string;
  /** Cumulative followers at the end of the day (累计关注). */
  followers?: Count;
  newFollowers?: Count;
  cancelledFollowers?: Count;
  posts?: Count;
  reads?: Count;
  shares?: Count;
  likes?: Count;
  /** 在看 */
  zaikan?: Count;
  comments?: Count;
  reposts?: Count;
  favourites?: Count;
  source: MetricSource;
  /** The source says the day is not final yet (datacube `is_delay`). */
  isDelay?: boolean;
  /** Only some of the source's metrics for the day were fetched. */
  partial?: boolean;
  collectedAt?: Date;
}

export interface PostRow {
  accountId: number;
  platformPostId: string;
  /** published_on (the partition key) is its Asia/Shanghai date. */
  publishedAt: Date;
  /** 1-based position in its push; 1 is the headline (头条). NULL where pushes do not exist (Weibo). */
  position?: number | null;
  /** Repost / reprint (转发, 转载); NULL when the source does not say. */
  isRepost?: boolean | null;
  title?: string | null;
  url?: string | null;
  source: MetricSource;
  collectedAt?: Date;
}

/** Cumulative counters of one post as observed on one day; age_days = observedDay − publishedOn. */
export interface PostSnapshotRow {
  accountId: number;
  platformPostId: string;
  publishedOn: string;
  observedDay: string;
  reads?: Count;
  shares?: Count;
  likes?: Count;
  zaikan?: Count;
  comments?: Count;
  reposts?: Count;
  favourites?: Count;
  source: MetricSource;
  collectedAt?: Date;
}

/** A row the writer refuses before any SQL runs; names the row index and field. */
export class MetricRowError extends Error {
  constructor(
    readonly index: number,
    readonly field: string,
    problem: string,
  ) {
    super(`rows[${index}].${field} ${problem}`);
    this.name = 'MetricRowError';
  }
}

export function checkAccountId(value: number, index: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new MetricRowError(index, 'accountId', `must be a positive integer, got ${value}`);
  }
}

export function checkDay(value: string, index: number, field: string): void {
  if (!isCalendarDate(value)) {
    throw new MetricRowError(index, field, `must be a calendar date (YYYY-MM-DD), got ${value}`);
  }
}

export function checkSource(value: string, index: number): void {
  if (!(METRIC_SOURCES as readonly string[]).includes(value)) {
    throw new MetricRowError(index, 'source', `must be one of ${METRIC_SOURCES.join(', ')}`);
  }
}

/** A counter as it goes to SQL: a non-negative safe integer or null. */
export function count(value: Count, index: number, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new MetricRowError(index, field, `must be a non-negative integer or null, got ${value}`);
  }
  return value;
}

/** ON CONFLICT DO UPDATE fails (21000) when one statement touches a key twice; say which rows. */
export function checkUniqueKeys(keys: string[], field: string): void {
  const seen = new Map<string, number>();
  keys.forEach((key, index) => {
    const first = seen.get(key);
    if (first !== undefined) {
      throw new MetricRowError(index, field, `repeats the key of rows[${first}]`);
    }
    seen.set(key, index);
  });
}

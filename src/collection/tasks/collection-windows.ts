import { addDays } from '../../common/calendar-date';
import type { CollectionJobData } from '../collection-contracts';
import type { Bookmark } from '../bookmarks';

/** A range of business days, both ends included. */
export interface DayRange {
  from: string;
  to: string;
}

/** A daily job without `fromDay` still fills a gap this many days long (missed runs, R12). */
export const CATCH_UP_DAYS = 7;

/**
 * The day ranges a job must still collect for one account, given its bookmark:
 * - the tail after `coveredThrough` (or from `fromDay`, or just `throughDay`, when there is none),
 *   never earlier than `fromDay` (backfill) or CATCH_UP_DAYS before `throughDay` (daily);
 * - with `fromDay` before `coveredFrom`, the head before the stored history, which is collected
 *   newest first so the stored days stay contiguous after every commit.
 * A bookmark at or past `throughDay` (even in the future, R14) leaves nothing to do.
 */
export function pendingRanges(
  job: Pick<CollectionJobData, 'throughDay' | 'fromDay'>,
  bookmark: Pick<Bookmark, 'coveredFrom' | 'coveredThrough'> | undefined,
): { head: DayRange | null; tail: DayRange | null } {
  const end = job.throughDay;
  const floor = job.fromDay ?? addDays(end, -(CATCH_UP_DAYS - 1));
  const through = bookmark?.coveredThrough ?? null;
  const from = bookmark?.coveredFrom ?? null;
  if (through === null) {
    return { head: null, tail: { from: job.fromDay ?? end, to: end } };
  }
  let tail: DayRange | null = null;
  const tailFrom = maxDay(addDays(through, 1), floor);
  if (tailFrom <= end) tail = { from: tailFrom, to: end };
  let head: DayRange | null = null;
  if (job.fromDay !== undefined && from !== null && job.fromDay < from) {
    const headTo = minDay(addDays(from, -1), end);
    if (job.fromDay <= headTo) head = { from: job.fromDay, to: headTo };
  }
  return { head, tail };
}

/** Splits a range into chunks of at most `span` days, oldest first (or newest first). */
export function chunkRange(range: DayRange, span: number, newestFirst = false): DayRange[] {
  if (!Number.isInteger(span) || span < 1) throw new RangeError(`bad span ${span}`);
  const chunks: DayRange[] = [];
  if (newestFirst) {
    for (let to = range.to; to >= range.from; to = addDays(to, -span)) {
      const from = maxDay(addDays(to, -(span - 1)), range.from);
      chunks.push({ from, to });
    }
  } else {
    for (let from = range.from; from <= range.to; from = addDays(from, span)) {
      chunks.push({ from, to: minDay(addDays(from, span - 1), range.to) });
    }
  }
  return chunks;
}

/** Every day of a range, oldest first. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let d = range.from; d <= range.to; d = addDays(d, 1)) days.push(d);
  return days;
}

const maxDay = (a: string, b: string) => (a > b ? a : b);
const minDay = (a: string, b: string) => (a < b ? a : b);

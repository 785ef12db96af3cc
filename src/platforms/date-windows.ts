import { dateOfDay, dayNumber } from '../common/calendar-date';
/** An inclusive range of Asia/Shanghai calendar days, as YYYY-MM-DD. */
export interface DateRange {
  begin: string;
  end: string;
}

/** Legacy datacube data starts here; earlier dates return nothing or dirty data. */
export const DATACUBE_EARLIEST_DATE = '2014-12-01';

/** Max days per call (begin and end inclusive), per datacube endpoint (reference §3.3, §3.4). */
export const DATACUBE_MAX_SPAN_DAYS = {
  getusersummary: 7,
  getusercumulate: 7,
  getbizsummary: 1,
  getarticletotaldetail: 1,
  getarticletotal: 1,
  getarticlesummary: 1,
  getuserread: 3,
} as const satisfies Record<string, number>;
export type DatacubeEndpoint = keyof typeof DATACUBE_MAX_SPAN_DAYS;

/** Inclusive number of days in a range. */
export function spanDays(range: DateRange): number {
  return dayNumber(range.end) - dayNumber(range.begin) + 1;
}

/**
 * Splits [begin, end] into consecutive windows of at most `maxSpanDays` days each, in order,
 * without gaps or overlaps. Calendar-day arithmetic, so the time zone cannot shift a day.
 */
export function splitDateRange(begin: string, end: string, maxSpanDays: number): DateRange[] {
  if (!Number.isInteger(maxSpanDays) || maxSpanDays < 1) {
    throw new RangeError(`maxSpanDays must be a positive integer, got ${maxSpanDays}`);
  }
  const first = dayNumber(begin);
  const last = dayNumber(end);
  if (first > last) throw new RangeError(`begin ${begin} is after end ${end}`);
  const windows: DateRange[] = [];
  for (let start = first; start <= last; start += maxSpanDays) {
    windows.push({
      begin: dateOfDay(start),
      end: dateOfDay(Math.min(start + maxSpanDays - 1, last)),
    });
  }
  return windows;
}

/**
 * Clamps a range to what the platform can serve: end ≤ yesterday (relative to the Asia/Shanghai
 * business day `today`) and begin ≥ `earliest`. Returns null when nothing is left.
 */
export function clampToAvailable(
  range: DateRange,
  bounds: { today: string; earliest?: string },
): DateRange | null {
  const earliest = dayNumber(bounds.earliest ?? DATACUBE_EARLIEST_DATE);
  const yesterday = dayNumber(bounds.today) - 1;
  const begin = Math.max(dayNumber(range.begin), earliest);
  const end = Math.min(dayNumber(range.end), yesterday);
  return begin > end ? null : { begin: dateOfDay(begin), end: dateOfDay(end) };
}

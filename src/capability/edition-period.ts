import { isCalendarDate, addDays, dayNumber } from '../common/calendar-date';
import type { FieldError } from '../common/domain.exception';
import { parsePeriodKey, periodOf } from '../scoring/periods';

export const EDITION_PERIOD_KINDS = ['year', 'quarter', 'month', 'custom'] as const;
export type EditionPeriodKind = (typeof EDITION_PERIOD_KINDS)[number];

/** The evaluation period of an edition: Asia/Shanghai business days, `end` inclusive. */
export interface EditionPeriod {
  kind: EditionPeriodKind;
  /** '2019', '2019-Q4', '2019-11'; null for a custom range. */
  key: string | null;
  start: string;
  end: string;
  days: number;
}

export interface EditionPeriodInput {
  period?: string;
  periodStart?: string;
  periodEnd?: string;
}

export const MAX_EDITION_DAYS = 731;

/**
 * An edition covers a calendar year, quarter or month (`period` as its key) or a custom range
 * (`periodStart`..`periodEnd`); a range that is exactly a calendar period becomes that period, so
 * it reads the matching stored WCI rows.
 */
export function resolveEditionPeriod(input: EditionPeriodInput): EditionPeriod | FieldError[] {
  const { period, periodStart, periodEnd } = input;
  if (period !== undefined) {
    if (periodStart !== undefined || periodEnd !== undefined) {
      return [{ field: 'period', message: 'give period or periodStart/periodEnd, not both' }];
    }
    const parsed = parsePeriodKey(period);
    if (parsed === null || parsed.type === 'day' || parsed.type === 'week') {
      return [
        {
          field: 'period',
          message: `period must be a year (2019), quarter (2019-Q4) or month (2019-11) key, or use periodStart/periodEnd`,
        },
      ];
    }
    return {
      kind: parsed.type,
      key: parsed.key,
      start: parsed.start,
      end: parsed.end,
      days: parsed.days,
    };
  }
  const errors: FieldError[] = [];
  for (const [field, value] of [
    ['periodStart', periodStart],
    ['periodEnd', periodEnd],
  ] as const) {
    if (value === undefined) errors.push({ field, message: `${field} is required without period` });
    else if (!isCalendarDate(value)) errors.push({ field, message: `${field} must be YYYY-MM-DD` });
  }
  if (errors.length > 0) return errors;
  const start = periodStart!;
  const end = periodEnd!;
  const days = dayNumber(end) - dayNumber(start) + 1;
  if (days < 1)
    return [{ field: 'periodEnd', message: 'periodEnd must not be before periodStart' }];
  if (days > MAX_EDITION_DAYS) {
    return [{ field: 'periodEnd', message: `a period spans at most ${MAX_EDITION_DAYS} days` }];
  }
  for (const kind of ['year', 'quarter', 'month'] as const) {
    const calendar = periodOf(kind, start);
    if (calendar.start === start && calendar.end === end) {
      return { kind, key: calendar.key, start, end, days };
    }
  }
  return { kind: 'custom', key: null, start, end, days };
}

/**
 * The last day the activity measures look at: the period's end, or yesterday while the period is
 * still running (future days are not "days without update"). null before the period starts.
 */
export function measurementEnd(
  period: Pick<EditionPeriod, 'start' | 'end'>,
  today: string,
): string | null {
  const yesterday = addDays(today, -1);
  const end = period.end < yesterday ? period.end : yesterday;
  return end < period.start ? null : end;
}

/** Monday–Sunday weeks that [start, end] touches, partial edge weeks included. */
export function weeksTouched(start: string, end: string): number {
  const monday = (day: number): number => day - ((((day + 3) % 7) + 7) % 7);
  return (monday(dayNumber(end)) - monday(dayNumber(start))) / 7 + 1;
}

export function daysBetween(start: string, end: string): number {
  return dayNumber(end) - dayNumber(start) + 1;
}

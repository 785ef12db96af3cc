import { addDays, dayNumber } from '../../common/calendar-date';
import { type FieldError, ValidationFailedException } from '../../common/domain.exception';

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Default window: the 30 days ending yesterday. */
export const DEFAULT_SPAN_DAYS = 30;

/** Longest range per granularity, in days (inclusive): ~13 months of days, 5 years of weeks or months. */
export const MAX_SPAN_DAYS: Record<Granularity, number> = {
  day: 400,
  week: 5 * 366,
  month: 5 * 366,
};

export interface MetricsRange {
  from: string;
  to: string;
  granularity: Granularity;
}

/**
 * Fills in the defaults (to = yesterday, from = to − 29 days) and checks the order and span.
 * `today` is the Asia/Shanghai business date.
 */
export function resolveMetricsRange(
  query: { from?: string; to?: string; granularity?: Granularity },
  today: string,
): MetricsRange {
  const granularity = query.granularity ?? 'day';
  const to = query.to ?? addDays(today, -1);
  const from = query.from ?? addDays(to, -(DEFAULT_SPAN_DAYS - 1));
  const errors: FieldError[] = [];
  const span = dayNumber(to) - dayNumber(from) + 1;
  if (span < 1) {
    errors.push({ field: 'from', message: `from (${from}) must not be after to (${to})` });
  } else if (span > MAX_SPAN_DAYS[granularity]) {
    errors.push({
      field: 'from',
      message: `the range ${from}..${to} has ${span} days; granularity=${granularity} allows at most ${MAX_SPAN_DAYS[granularity]} (use a coarser granularity or a shorter range)`,
    });
  }
  if (errors.length > 0)
    throw new ValidationFailedException(errors, `Invalid range: ${errors[0].message}.`);
  return { from, to, granularity };
}

/** Days from the latest stored day to yesterday: 0 when current, null when nothing is stored. */
export function lagDays(dataAsOf: string | null, today: string): number | null {
  if (dataAsOf === null) return null;
  return Math.max(0, dayNumber(today) - 1 - dayNumber(dataAsOf));
}

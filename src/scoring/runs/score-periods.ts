import { addDays, dayNumber } from '../../common/calendar-date';
import {
  PERIOD_TYPES,
  type Period,
  type PeriodType,
  type WeekStart,
  parsePeriodKey,
  periodOf,
  previousPeriod,
} from '../periods';

/** The week start a period's rows are stored under: only weeks have one ('monday' otherwise). */
export function storedWeekStart(period: Period): WeekStart {
  if (period.type !== 'week') return 'monday';
  return new Date(`${period.start}T00:00:00Z`).getUTCDay() === 0 ? 'sunday' : 'monday';
}

export type PeriodRequest =
  | { periodType: PeriodType; date: string; weekStart?: WeekStart }
  | { periodType: PeriodType; periodKey: string };

export type PeriodResolution = { period: Period } | { field: string; message: string };

/**
 * The period of a recompute request: `date` (any day in it) or its canonical `periodKey`
 * (which fixes the week start: a 'YYYY-MM-DD~YYYY-MM-DD' key is a Sunday week).
 */
export function resolvePeriod(request: PeriodRequest, today: string): PeriodResolution {
  let period: Period | null;
  if ('periodKey' in request) {
    period = parsePeriodKey(request.periodKey);
    if (period === null) {
      return {
        field: 'periodKey',
        message:
          "periodKey must be a canonical key: '2026-12-01', '2026-W48', '2026-11-29~2026-12-05', '2026-11', '2026-Q4' or '2026'",
      };
    }
    if (period.type !== request.periodType) {
      return {
        field: 'periodKey',
        message: `periodKey ${request.periodKey} is a ${period.type}, not a ${request.periodType}`,
      };
    }
  } else {
    period = periodOf(request.periodType, request.date, { weekStart: request.weekStart });
  }
  if (period.start > today) {
    return {
      field: 'periodKey' in request ? 'periodKey' : 'date',
      message: `the ${period.type} ${period.key} has not started yet (Asia/Shanghai)`,
    };
  }
  return { period };
}

/**
 * What the daily schedule scores on business day `today`: yesterday, and the current and previous
 * week, month, quarter and year (the caller skips those without stored data).
 */
export function scheduledPeriods(today: string, weekStart: WeekStart): Period[] {
  const periods: Period[] = [periodOf('day', addDays(today, -1))];
  for (const type of PERIOD_TYPES) {
    if (type === 'day') continue;
    const current = periodOf(type, today, { weekStart });
    periods.push(previousPeriod(current), current);
  }
  return periods;
}

/**
 * Every period of every type that overlaps [from, to], in scoring order: by type (day, week, month,
 * quarter, year), oldest first, so each period's previous ranks exist when it is scored.
 */
export function periodsOverlapping(from: string, to: string, weekStart: WeekStart): Period[] {
  if (dayNumber(from) > dayNumber(to)) return [];
  const periods: Period[] = [];
  for (const type of PERIOD_TYPES) {
    for (let p = periodOf(type, from, { weekStart }); p.start <= to;) {
      periods.push(p);
      p = periodOf(type, addDays(p.end, 1), { weekStart });
    }
  }
  return periods;
}

/** The period right after `p` (same type and week start). */
export function nextPeriod(p: Period): Period {
  return periodOf(p.type, addDays(p.end, 1), { weekStart: storedWeekStart(p) });
}

import { businessDate, businessDayStart } from '../common/business-date';
import { addDays, dateOfDay, dayNumber } from '../common/calendar-date';

export const PERIOD_TYPES = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];
/** Monday–Sunday by default (Weibo, local boards); Sunday–Saturday as 清博 uses. */
export type WeekStart = 'monday' | 'sunday';

/**
 * A ranking period of Asia/Shanghai business days, `end` inclusive. Keys: day '2026-12-01',
 * Monday week ISO 8601 '2026-W53' (the ISO week-year, so 2027-01-01 is in 2026-W53), Sunday week
 * '2026-11-29~2026-12-05' (start~end: no standard numbering exists), month '2026-11',
 * quarter '2026-Q4', year '2026'.
 */
export interface Period {
  type: PeriodType;
  start: string;
  end: string;
  key: string;
  days: number;
}

export interface PeriodOptions {
  weekStart?: WeekStart;
}

export function periodOf(type: PeriodType, date: string, options: PeriodOptions = {}): Period {
  const day = dayNumber(date);
  const { year, month } = ymd(date);
  switch (type) {
    case 'day':
      return make(type, date, date, date);
    case 'week': {
      const weekStart = options.weekStart ?? 'monday';
      const start = dateOfDay(day - ((weekday(day) - FIRST_WEEKDAY[weekStart] + 7) % 7));
      const end = addDays(start, 6);
      if (weekStart === 'sunday') return make(type, start, end, `${start}~${end}`);
      const { weekYear, week } = weekNumber(start);
      return make(type, start, end, `${weekYear}-W${pad(week)}`);
    }
    case 'month':
      return make(type, monthStart(year, month), monthEnd(year, month), `${year}-${pad(month)}`);
    case 'quarter': {
      const q = Math.ceil(month / 3);
      const first = 3 * q - 2;
      return make(type, monthStart(year, first), monthEnd(year, first + 2), `${year}-Q${q}`);
    }
    case 'year':
      return make(type, monthStart(year, 1), monthEnd(year, 12), `${year}`);
  }
}

/** The inverse of `Period.key`; null for anything that is not a canonical key. */
export function parsePeriodKey(key: string): Period | null {
  try {
    const period = periodFromKey(key);
    // Round trip: rejects 2026-W54, 2026-13, a "Sunday week" that does not start on a Sunday.
    return period?.key === key ? period : null;
  } catch {
    return null; // not a calendar date
  }
}

function periodFromKey(key: string): Period | null {
  const isoWeek = /^(\d{4})-W(\d{2})$/.exec(key);
  if (isoWeek)
    return periodOf('week', weekStartIn(Number(isoWeek[1]), Number(isoWeek[2]), 'monday'));
  const sundayWeek = /^(\d{4}-\d{2}-\d{2})~\d{4}-\d{2}-\d{2}$/.exec(key);
  if (sundayWeek) return periodOf('week', sundayWeek[1], { weekStart: 'sunday' });
  const quarter = /^(\d{4})-Q([1-4])$/.exec(key);
  if (quarter) return periodOf('quarter', `${quarter[1]}-${pad(3 * Number(quarter[2]) - 2)}-01`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(key)) return periodOf('day', key);
  if (/^\d{4}-\d{2}$/.test(key)) return periodOf('month', `${key}-01`);
  if (/^\d{4}$/.test(key)) return periodOf('year', `${key}-01-01`);
  return null;
}

export function previousPeriod(p: Period): Period {
  return periodOf(p.type, addDays(p.start, -1), { weekStart: weekStartOf(p) });
}

/**
 * The same period one year earlier: a day keeps its month and day (29 Feb → 28 Feb); a week keeps
 * its week number in the previous week-year (week 53 → 52 when that year has none).
 */
export function samePeriodLastYear(p: Period): Period {
  const { year, month, day } = ymd(p.start);
  if (p.type === 'week') {
    const weekStart = weekStartOf(p);
    const { weekYear, week } = weekNumber(p.start);
    const start = weekStartIn(
      weekYear - 1,
      Math.min(week, weeksIn(weekYear - 1, weekStart)),
      weekStart,
    );
    return periodOf('week', start, { weekStart });
  }
  const shifted = month === 2 && day === 29 ? 28 : day;
  return periodOf(p.type, `${year - 1}-${pad(month)}-${pad(shifted)}`);
}

/**
 * d in the WCI formulas: 清博 fixes week 7, month 30 and year 365 whatever the calendar (reference
 * §1, §5.1) and uses the real length otherwise; we count a day as 1 and a quarter by its real days.
 */
export function wciDays(p: Pick<Period, 'type' | 'days'>): number {
  switch (p.type) {
    case 'day':
      return 1;
    case 'week':
      return 7;
    case 'month':
      return 30;
    case 'quarter':
      return p.days;
    case 'year':
      return 365;
  }
}

/** Post age (observed day − published day) whose snapshot values a ranking uses. */
export interface SnapshotAge {
  age: number;
  /** Used for a post whose preferred snapshot is absent. */
  fallbackAge: number | null;
}

/**
 * Daily rankings use T+1 values (T+2 for a post missed on T+1); longer periods use T+7 for every
 * post (清博's monthly rule, reference §5.1), so late-period posts are not ranked on young counters.
 */
export function snapshotAgeFor(type: PeriodType): SnapshotAge {
  return type === 'day' ? { age: 1, fallbackAge: 2 } : { age: 7, fallbackAge: null };
}

/**
 * The instant a period can be ranked: when business day `end + age` is over, since the age-`age`
 * snapshot of a post published on the last day is observed at some time during that day. This is
 * stricter than 清博's publishing times: a week or month waits for the T+7 values of its last day.
 */
export function rankableFrom(p: Period, age: number = snapshotAgeFor(p.type).age): Date {
  return businessDayStart(addDays(p.end, age + 1));
}

export function isPeriodClosed(
  p: Period,
  now: Date,
  age: number = snapshotAgeFor(p.type).age,
): boolean {
  return dayNumber(businessDate(now)) > dayNumber(p.end) + age;
}

// Day 0 (1970-01-01) was a Thursday; weekdays count from Sunday = 0.
const FIRST_WEEKDAY: Record<WeekStart, number> = { sunday: 0, monday: 1 };

function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function weekStartOf(p: Period): WeekStart {
  return weekday(dayNumber(p.start)) === 0 ? 'sunday' : 'monday';
}

/**
 * ISO 8601 numbering, generalised: a week belongs to the year of its 4th day (Thursday for Monday
 * weeks, Wednesday for Sunday weeks) and week 1 holds that year's first such day.
 */
function weekNumber(start: string): { weekYear: number; week: number } {
  const middle = dayNumber(start) + 3;
  const weekYear = ymd(dateOfDay(middle)).year;
  const week = Math.floor((middle - dayNumber(`${weekYear}-01-01`)) / 7) + 1;
  return { weekYear, week };
}

function firstMiddle(year: number, weekStart: WeekStart): number {
  const jan1 = dayNumber(`${year}-01-01`);
  const middleWeekday = FIRST_WEEKDAY[weekStart] + 3;
  return jan1 + ((middleWeekday - weekday(jan1) + 7) % 7);
}

function weekStartIn(year: number, week: number, weekStart: WeekStart): string {
  return dateOfDay(firstMiddle(year, weekStart) + 7 * (week - 1) - 3);
}

function weeksIn(year: number, weekStart: WeekStart): number {
  return Math.floor((dayNumber(`${year}-12-31`) - firstMiddle(year, weekStart)) / 7) + 1;
}

function make(type: PeriodType, start: string, end: string, key: string): Period {
  return { type, start, end, key, days: dayNumber(end) - dayNumber(start) + 1 };
}

function ymd(date: string): { year: number; month: number; day: number } {
  return {
    year: Number(date.slice(0, 4)),
    month: Number(date.slice(5, 7)),
    day: Number(date.slice(8, 10)),
  };
}

function monthStart(year: number, month: number): string {
  const y = year + Math.floor((month - 1) / 12);
  const m = ((month - 1) % 12) + 1;
  return `${y}-${pad(m)}-01`;
}

function monthEnd(year: number, month: number): string {
  return addDays(monthStart(year, month + 1), -1);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

// Calendar-day arithmetic lives in common/calendar-date; re-exported for the simulator's modules.
export { addDays, dateOfDay, dayNumber, isCalendarDate } from '../common/calendar-date';

// Asia/Shanghai has used a fixed +08:00 offset since 1991, so plain arithmetic is exact here.
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function shanghaiDay(at: Date): number {
  return Math.floor((at.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS);
}

export function shanghaiHour(at: Date): number {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).getUTCHours();
}

/** Unix milliseconds of a Shanghai wall-clock time on a day number. */
export function shanghaiInstant(day: number, secondsOfDay: number): number {
  return day * DAY_MS + secondsOfDay * 1000 - SHANGHAI_OFFSET_MS;
}

/** Weekday of a day number, 0 = Sunday. */
export function weekday(day: number): number {
  return (day + 4) % 7;
}

/** A real calendar date in strict YYYY-MM-DD form. */

/** Weibo's created_at: `Tue May 31 17:46:55 +0800 2011`. */
export function weiboCreatedAt(unixMs: number): string {
  const d = new Date(unixMs + SHANGHAI_OFFSET_MS);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${time} +0800 ${d.getUTCFullYear()}`;
}

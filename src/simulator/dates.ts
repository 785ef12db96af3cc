// Asia/Shanghai has used a fixed +08:00 offset since 1991, so plain arithmetic is exact here.
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Days since 1970-01-01 of a YYYY-MM-DD calendar date. */
export function dayNumber(date: string): number {
  return Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY_MS;
}

export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOfDay(dayNumber(date) + days);
}

/** The Asia/Shanghai calendar day of an instant. */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

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
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** Weibo's created_at: `Tue May 31 17:46:55 +0800 2011`. */
export function weiboCreatedAt(unixMs: number): string {
  const d = new Date(unixMs + SHANGHAI_OFFSET_MS);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${time} +0800 ${d.getUTCFullYear()}`;
}

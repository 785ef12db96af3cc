import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

export const BUSINESS_TIME_ZONE = 'Asia/Shanghai';

const MINUTE_MS = 60_000;
let memoMinute = Number.NaN;
let memoDay = '';

/**
 * The Asia/Shanghai calendar day of an instant, as YYYY-MM-DD. Memoised per minute (exact: the
 * zone's offset is whole hours, so a minute never straddles midnight): collection asks for it on
 * every platform call.
 */
export function businessDate(at: Date = new Date()): string {
  const minute = Math.floor(at.getTime() / MINUTE_MS);
  if (minute !== memoMinute) {
    memoDay = format(new TZDate(at.getTime(), BUSINESS_TIME_ZONE), 'yyyy-MM-dd');
    memoMinute = minute;
  }
  return memoDay;
}

/** 00:00 Asia/Shanghai of a business date (YYYY-MM-DD), as an instant. */
export function businessDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(new TZDate(y, m - 1, d, 0, 0, 0, BUSINESS_TIME_ZONE).getTime());
}

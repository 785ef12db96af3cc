import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

export const BUSINESS_TIME_ZONE = 'Asia/Shanghai';

/** The Asia/Shanghai calendar day of an instant, as YYYY-MM-DD. */
export function businessDate(at: Date = new Date()): string {
  return format(new TZDate(at.getTime(), BUSINESS_TIME_ZONE), 'yyyy-MM-dd');
}

/** 00:00 Asia/Shanghai of a business date (YYYY-MM-DD), as an instant. */
export function businessDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(new TZDate(y, m - 1, d, 0, 0, 0, BUSINESS_TIME_ZONE).getTime());
}

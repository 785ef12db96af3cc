import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

export const BUSINESS_TIME_ZONE = 'Asia/Shanghai';

/** The Asia/Shanghai calendar day of an instant, as YYYY-MM-DD. */
export function businessDate(at: Date = new Date()): string {
  return format(new TZDate(at.getTime(), BUSINESS_TIME_ZONE), 'yyyy-MM-dd');
}

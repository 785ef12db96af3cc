const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
// EEE MMM dd HH:mm:ss Z yyyy, e.g. "Tue May 31 17:46:55 +0800 2011".
const WEIBO_DATE =
  /^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/;

/** Parses Weibo's `created_at`; null when the text is not a real instant in that format. */
export function parseWeiboDate(text: string): Date | null {
  const m = WEIBO_DATE.exec(text.trim());
  if (!m) return null;
  const [, weekday, monthName, day, hh, mm, ss, sign, offH, offM, year] = m;
  const month = MONTHS.indexOf(monthName);
  if (month < 0 || !WEEKDAYS.includes(weekday)) return null;
  const [d, h, min, s, oh, om] = [day, hh, mm, ss, offH, offM].map(Number);
  if (h > 23 || min > 59 || s > 59 || oh > 14 || om > 59) return null;
  const local = Date.UTC(Number(year), month, d, h, min, s);
  const check = new Date(local);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== month) return null; // e.g. Feb 30
  const offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  return new Date(local - offsetMs);
}

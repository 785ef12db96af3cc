/** 清博 counts a displayed "10万+" as 100001 (reference §1, §5.1). */
export const TEN_WAN_PLUS = 100001;

// Capped displays seen on article pages, 清博 exports and vendor feeds.
const CAPPED = /^(?:10万|100000|10w)\+$/i;
const DIGITS = /^\d+$/;

/**
 * A read count as displayed or delivered: a non-negative integer, its decimal string, or a capped
 * display ("10万+", "100000+", "10w+") → 100001. Anything else (negative, fractional, "1.2万", empty)
 * is null, never 0. Exact counts above 100000 (datacube) stay exact: only the display is capped.
 */
export function parseReadCount(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : null;
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (CAPPED.test(text)) return TEN_WAN_PLUS;
  if (!DIGITS.test(text)) return null;
  const count = Number(text);
  return Number.isSafeInteger(count) ? count : null;
}

/**
 * Measured inputs of the index, raw as read from storage for one account and the edition's
 * period. null = not measurable (no stored data), which leaves the leaf missing, never 0.
 */
export interface MeasuredRaw {
  /** WCI of the period (see the basis); 0 when the account published nothing. */
  wci: number | null;
  /** Where the WCI came from: 'year', 'quarter', 'month' (the matching row) or 'monthly_mean'. */
  wciBasis: string | null;
  /** Months averaged for 'monthly_mean'. */
  wciMonths: number | null;
  /** Days (of the measured days) with at least one post. */
  activeDays: number | null;
  /** Longest run of measured days without a post, the period's edges included. */
  longestGapDays: number | null;
  weeksWithPost: number | null;
  /**
   * First measured day: the period start, or the account's first stored day in it when its
   * collection began later. Days and Monday weeks measured run from it to the period end (to
   * yesterday while the period runs).
   */
  measuredFrom: string | null;
  measuredDays: number;
  measuredWeeks: number;
}

// 国办秘函〔2019〕19号: no update for two weeks is a failure of the account.
export const STALE_GAP_DAYS = 14;

/** 更新频率: the share of the measured days with at least one post, 0–100. */
export function updateFrequencyScore(raw: MeasuredRaw): number | null {
  if (raw.activeDays === null || raw.measuredDays <= 0) return null;
  return clamp((100 * raw.activeDays) / raw.measuredDays);
}

/** 连续未更新天数: 100 without a gap, falling linearly to 0 at a gap of two weeks or more. */
export function daysWithoutUpdateScore(raw: MeasuredRaw): number | null {
  if (raw.longestGapDays === null) return null;
  return clamp(100 * (1 - raw.longestGapDays / STALE_GAP_DAYS));
}

/** 及时性: the share of the measured (Monday–Sunday) weeks with at least one post, 0–100. */
export function timelinessScore(raw: MeasuredRaw): number | null {
  if (raw.weeksWithPost === null || raw.measuredWeeks <= 0) return null;
  return clamp((100 * raw.weeksWithPost) / raw.measuredWeeks);
}

function clamp(x: number): number {
  return Math.min(100, Math.max(0, x));
}

import type { Platform } from '../../accounts/account-taxonomy';
import { isCalendarDate } from '../../common/calendar-date';
import { type FieldError, ValidationFailedException } from '../../common/domain.exception';
import { BCI_VERSIONS, DEFAULT_BCI_VERSION } from '../formulas/bci';
import { WCI_VERSIONS, type WciVersion } from '../formulas/wci';
import { type Period, type PeriodType, type WeekStart, parsePeriodKey, periodOf } from '../periods';

export const FORMULA_VERSIONS = [...WCI_VERSIONS, ...BCI_VERSIONS] as const;
export type FormulaVersion = (typeof FORMULA_VERSIONS)[number];

/** What a score board is keyed on in score_runs / account_scores (minus the period). */
export interface ScoreBoardKey {
  platform: Platform;
  periodType: PeriodType;
  formulaVersion: FormulaVersion;
  /** 'monday' for every period but a Sunday week (the column's default). */
  weekStart: WeekStart;
}

export interface ScorePeriodRequest {
  platform: Platform;
  period: PeriodType;
  /** A day inside the period (YYYY-MM-DD) or the period's key (2026-W48, 2026-11, 2026-Q4, 2026). */
  date?: string;
  weekStart?: WeekStart;
  formulaVersion?: FormulaVersion;
}

/** What a request leaves out: the configured scoring defaults (SCORING_WCI_VERSION, SCORING_WEEK_START). */
export interface ScoringDefaults {
  wciVersion: WciVersion;
  weekStart: WeekStart;
}

export interface ResolvedScorePeriod {
  key: ScoreBoardKey;
  /** null: the latest closed period with a finished run (else the latest). */
  period: Period | null;
}

export function defaultFormulaVersion(
  platform: Platform,
  defaults: ScoringDefaults,
): FormulaVersion {
  return platform === 'wechat' ? defaults.wciVersion : DEFAULT_BCI_VERSION;
}

function formulaFits(platform: Platform, version: FormulaVersion): boolean {
  return platform === 'wechat'
    ? (WCI_VERSIONS as readonly string[]).includes(version)
    : (BCI_VERSIONS as readonly string[]).includes(version);
}

/**
 * Validates the platform/formula pair and resolves `date` into a period. `today` is the
 * Asia/Shanghai business date: a period that starts after it cannot have been scored.
 */
export function resolveScorePeriod(
  request: ScorePeriodRequest,
  today: string,
  defaults: ScoringDefaults,
): ResolvedScorePeriod {
  const errors: FieldError[] = [];
  const resolved = collectScorePeriod(request, today, defaults, errors);
  if (errors.length > 0) throw new ValidationFailedException(errors);
  return resolved;
}

/** resolveScorePeriod that adds its problems to `errors` (for callers validating more fields). */
export function collectScorePeriod(
  request: ScorePeriodRequest,
  today: string,
  defaults: ScoringDefaults,
  errors: FieldError[],
): ResolvedScorePeriod {
  const formulaVersion =
    request.formulaVersion ?? defaultFormulaVersion(request.platform, defaults);
  if (!formulaFits(request.platform, formulaVersion)) {
    errors.push({
      field: 'formulaVersion',
      message: `${formulaVersion} is not a ${request.platform} formula; use one of ${(request.platform === 'wechat' ? WCI_VERSIONS : BCI_VERSIONS).join(', ')}`,
    });
  }
  let period: Period | null = null;
  let weekStart = request.weekStart ?? defaults.weekStart;
  if (request.date !== undefined) {
    const resolved = periodOfDate(request.period, request.date, weekStart, request.weekStart);
    if (typeof resolved === 'string') {
      errors.push({ field: 'date', message: resolved });
    } else if (resolved.start > today) {
      errors.push({
        field: 'date',
        message: `${request.date} is in a period that has not started yet (today is ${today}, Asia/Shanghai)`,
      });
    } else {
      period = resolved.period;
      weekStart = resolved.weekStart;
    }
  }
  return {
    key: {
      platform: request.platform,
      periodType: request.period,
      formulaVersion,
      weekStart: request.period === 'week' ? weekStart : 'monday',
    },
    period,
  };
}

/** The period a `date` parameter names, or the message explaining why it names none. */
function periodOfDate(
  type: PeriodType,
  date: string,
  weekStart: WeekStart,
  requestedWeekStart: WeekStart | undefined,
): { period: Period; start: string; weekStart: WeekStart } | string {
  if (isCalendarDate(date)) {
    const period = periodOf(type, date, { weekStart });
    return { period, start: period.start, weekStart };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(date)) return `${date} is not a calendar date`;
  const period = parsePeriodKey(date);
  if (period === null) {
    return `date must be a day (YYYY-MM-DD) or a period key such as 2026-W48, 2026-11, 2026-Q4 or 2026; got "${date}"`;
  }
  if (period.type !== type) {
    return `"${date}" is a ${period.type} key but period is ${type}`;
  }
  const keyWeekStart: WeekStart = period.key.includes('~') ? 'sunday' : 'monday';
  // A week key names its own start; only an explicit, different weekStart contradicts it.
  if (type === 'week' && requestedWeekStart !== undefined && keyWeekStart !== requestedWeekStart) {
    return `"${date}" is a ${keyWeekStart === 'sunday' ? 'Sunday' : 'Monday'} week key but weekStart is ${requestedWeekStart}`;
  }
  return { period, start: period.start, weekStart: keyWeekStart };
}

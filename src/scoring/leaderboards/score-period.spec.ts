import { describe, expect, it } from 'vitest';
import { ValidationFailedException } from '../../common/domain.exception';
import { resolveScorePeriod } from './score-period';

const TODAY = '2026-12-02';
const DEFAULTS = { wciVersion: 'wci-v14.2', weekStart: 'monday' } as const;

function errorsOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationFailedException) {
      return (err.details as { errors: { field: string; message: string }[] }).errors;
    }
    throw err;
  }
  throw new Error('expected a validation error');
}

describe('resolveScorePeriod', () => {
  it('takes a day inside the period, or nothing (the latest run)', () => {
    const week = resolveScorePeriod(
      { platform: 'wechat', period: 'week', date: '2026-11-25' },
      TODAY,
      DEFAULTS,
    );
    expect(week.key).toEqual({
      platform: 'wechat',
      periodType: 'week',
      formulaVersion: 'wci-v14.2',
      weekStart: 'monday',
    });
    expect(week.period).toMatchObject({ key: '2026-W48', start: '2026-11-23', end: '2026-11-29' });
    const latest = resolveScorePeriod({ platform: 'weibo', period: 'month' }, TODAY, DEFAULTS);
    expect(latest).toEqual({
      key: {
        platform: 'weibo',
        periodType: 'month',
        formulaVersion: 'bci-2021',
        weekStart: 'monday',
      },
      period: null,
    });
  });

  it('takes period keys, and a Sunday week key sets the week start', () => {
    expect(
      resolveScorePeriod(
        { platform: 'wechat', period: 'quarter', date: '2026-Q3' },
        TODAY,
        DEFAULTS,
      ).period,
    ).toMatchObject({ start: '2026-07-01', end: '2026-09-30' });
    const sunday = resolveScorePeriod(
      { platform: 'wechat', period: 'week', date: '2026-11-22~2026-11-28' },
      TODAY,
      DEFAULTS,
    );
    expect(sunday.key.weekStart).toBe('sunday');
    expect(sunday.period?.start).toBe('2026-11-22');
  });

  it('follows the configured defaults; non-week periods are stored under monday', () => {
    const sundayDefaults = { wciVersion: 'wci-v13', weekStart: 'sunday' } as const;
    const week = resolveScorePeriod(
      { platform: 'wechat', period: 'week', date: '2026-11-25' },
      TODAY,
      sundayDefaults,
    );
    expect(week.key).toMatchObject({ formulaVersion: 'wci-v13', weekStart: 'sunday' });
    expect(week.period?.key).toBe('2026-11-22~2026-11-28');
    expect(
      resolveScorePeriod({ platform: 'wechat', period: 'month' }, TODAY, sundayDefaults).key
        .weekStart,
    ).toBe('monday');
  });

  it('explains bad dates, keys of another type, future periods and foreign formulas', () => {
    expect(
      errorsOf(() =>
        resolveScorePeriod(
          { platform: 'wechat', period: 'day', date: '2026-02-30' },
          TODAY,
          DEFAULTS,
        ),
      ),
    ).toEqual([{ field: 'date', message: '2026-02-30 is not a calendar date' }]);
    expect(
      errorsOf(() =>
        resolveScorePeriod(
          { platform: 'wechat', period: 'week', date: 'last week' },
          TODAY,
          DEFAULTS,
        ),
      )[0].message,
    ).toMatch(/^date must be a day \(YYYY-MM-DD\) or a period key/);
    expect(
      errorsOf(() =>
        resolveScorePeriod(
          { platform: 'wechat', period: 'week', date: '2026-11' },
          TODAY,
          DEFAULTS,
        ),
      ),
    ).toEqual([{ field: 'date', message: '"2026-11" is a month key but period is week' }]);
    expect(
      errorsOf(() =>
        resolveScorePeriod(
          { platform: 'wechat', period: 'week', date: '2026-W48', weekStart: 'sunday' },
          TODAY,
          DEFAULTS,
        ),
      )[0].message,
    ).toBe('"2026-W48" is a Monday week key but weekStart is sunday');
    expect(
      errorsOf(() =>
        resolveScorePeriod(
          { platform: 'wechat', period: 'month', date: '2027-01-05' },
          TODAY,
          DEFAULTS,
        ),
      )[0].message,
    ).toMatch(/has not started yet/);
    expect(
      errorsOf(() =>
        resolveScorePeriod(
          { platform: 'weibo', period: 'week', formulaVersion: 'wci-v14.2' },
          TODAY,
          DEFAULTS,
        ),
      ),
    ).toEqual([
      { field: 'formulaVersion', message: 'wci-v14.2 is not a weibo formula; use one of bci-2021' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { measurementEnd, resolveEditionPeriod, weeksTouched } from './edition-period';

describe('resolveEditionPeriod', () => {
  it('takes a year, quarter or month key', () => {
    expect(resolveEditionPeriod({ period: '2019' })).toEqual({
      kind: 'year',
      key: '2019',
      start: '2019-01-01',
      end: '2019-12-31',
      days: 365,
    });
    expect(resolveEditionPeriod({ period: '2019-Q4' })).toMatchObject({
      kind: 'quarter',
      start: '2019-10-01',
      end: '2019-12-31',
    });
    expect(resolveEditionPeriod({ period: '2020-02' })).toMatchObject({
      kind: 'month',
      end: '2020-02-29',
      days: 29,
    });
  });

  it('refuses days, weeks, malformed keys and mixing key and range', () => {
    for (const period of ['2019-11-01', '2019-W48', '2019-13', '19', 'x']) {
      expect(resolveEditionPeriod({ period })).toEqual([
        { field: 'period', message: expect.stringContaining('year (2019)') },
      ]);
    }
    expect(resolveEditionPeriod({ period: '2019', periodStart: '2019-01-01' })).toEqual([
      { field: 'period', message: 'give period or periodStart/periodEnd, not both' },
    ]);
  });

  it('a custom range; exactly a calendar period becomes that period', () => {
    expect(resolveEditionPeriod({ periodStart: '2018-12-01', periodEnd: '2019-01-31' })).toEqual({
      kind: 'custom',
      key: null,
      start: '2018-12-01',
      end: '2019-01-31',
      days: 62,
    });
    expect(
      resolveEditionPeriod({ periodStart: '2019-01-01', periodEnd: '2019-12-31' }),
    ).toMatchObject({
      kind: 'year',
      key: '2019',
    });
    expect(
      resolveEditionPeriod({ periodStart: '2019-04-01', periodEnd: '2019-06-30' }),
    ).toMatchObject({
      kind: 'quarter',
      key: '2019-Q2',
    });
  });

  it('reports a missing, malformed, reversed or too long range', () => {
    expect(resolveEditionPeriod({})).toEqual([
      { field: 'periodStart', message: 'periodStart is required without period' },
      { field: 'periodEnd', message: 'periodEnd is required without period' },
    ]);
    expect(resolveEditionPeriod({ periodStart: '2019-02-30', periodEnd: '2019-03-01' })).toEqual([
      { field: 'periodStart', message: 'periodStart must be YYYY-MM-DD' },
    ]);
    expect(resolveEditionPeriod({ periodStart: '2019-03-01', periodEnd: '2019-02-01' })).toEqual([
      { field: 'periodEnd', message: 'periodEnd must not be before periodStart' },
    ]);
    expect(resolveEditionPeriod({ periodStart: '2017-01-01', periodEnd: '2019-01-02' })).toEqual([
      { field: 'periodEnd', message: 'a period spans at most 731 days' },
    ]);
  });
});

describe('measurementEnd', () => {
  const year = { start: '2026-01-01', end: '2026-12-31' };
  it('is the period end once it is over, else yesterday, else null', () => {
    expect(measurementEnd(year, '2027-03-01')).toBe('2026-12-31');
    expect(measurementEnd(year, '2027-01-01')).toBe('2026-12-31');
    expect(measurementEnd(year, '2026-12-01')).toBe('2026-11-30');
    expect(measurementEnd(year, '2026-01-02')).toBe('2026-01-01');
    expect(measurementEnd(year, '2026-01-01')).toBeNull();
  });
});

describe('weeksTouched', () => {
  it('counts Monday–Sunday weeks, partial edge weeks included', () => {
    // 2025-01-01 is a Wednesday, 2025-01-06 a Monday.
    expect(weeksTouched('2025-01-01', '2025-01-05')).toBe(1);
    expect(weeksTouched('2025-01-01', '2025-01-06')).toBe(2);
    expect(weeksTouched('2025-01-06', '2025-01-12')).toBe(1);
    expect(weeksTouched('2025-01-01', '2025-12-31')).toBe(53);
    expect(weeksTouched('2025-01-05', '2025-01-05')).toBe(1);
  });
});

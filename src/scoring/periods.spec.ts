import { describe, expect, it } from 'vitest';
import { businessDate } from '../common/business-date';
import {
  isPeriodClosed,
  parsePeriodKey,
  periodOf,
  PERIOD_TYPES,
  previousPeriod,
  rankableFrom,
  samePeriodLastYear,
  snapshotAgeFor,
  wciDays,
  type Period,
} from './periods';

const span = (p: Period) => [p.start, p.end, p.key, p.days];
const sunday = { weekStart: 'sunday' } as const;

describe('periodOf', () => {
  it('day', () => {
    expect(periodOf('day', '2026-12-01')).toEqual({
      type: 'day',
      start: '2026-12-01',
      end: '2026-12-01',
      key: '2026-12-01',
      days: 1,
    });
  });

  it('weeks start on Monday (ISO key) by default, or on Sunday (start~end key)', () => {
    // 2026-11-29 is a Sunday, 2026-11-30 a Monday.
    expect(span(periodOf('week', '2026-12-01'))).toEqual([
      '2026-11-30',
      '2026-12-06',
      '2026-W49',
      7,
    ]);
    expect(span(periodOf('week', '2026-11-29'))).toEqual([
      '2026-11-23',
      '2026-11-29',
      '2026-W48',
      7,
    ]);
    expect(span(periodOf('week', '2026-11-29', sunday))).toEqual([
      '2026-11-29',
      '2026-12-05',
      '2026-11-29~2026-12-05',
      7,
    ]);
    expect(periodOf('week', '2026-12-05', sunday).start).toBe('2026-11-29');
    expect(periodOf('week', '2026-12-06', sunday).start).toBe('2026-12-06');
  });

  it('the week across the year change is ISO 2026-W53', () => {
    for (const day of ['2026-12-28', '2026-12-31', '2027-01-01', '2027-01-03']) {
      expect(span(periodOf('week', day))).toEqual(['2026-12-28', '2027-01-03', '2026-W53', 7]);
    }
    expect(periodOf('week', '2027-01-04').key).toBe('2027-W01');
    expect(periodOf('week', '2025-12-29').key).toBe('2026-W01');
    expect(periodOf('week', '2027-01-01', sunday).key).toBe('2026-12-27~2027-01-02');
  });

  it('months end on their real last day (February 2028 is a leap month)', () => {
    expect(span(periodOf('month', '2028-02-15'))).toEqual([
      '2028-02-01',
      '2028-02-29',
      '2028-02',
      29,
    ]);
    expect(span(periodOf('month', '2027-02-28'))).toEqual([
      '2027-02-01',
      '2027-02-28',
      '2027-02',
      28,
    ]);
    expect(span(periodOf('month', '2026-12-31'))).toEqual([
      '2026-12-01',
      '2026-12-31',
      '2026-12',
      31,
    ]);
  });

  it('quarters and years', () => {
    expect(span(periodOf('quarter', '2026-03-31'))).toEqual([
      '2026-01-01',
      '2026-03-31',
      '2026-Q1',
      90,
    ]);
    expect(span(periodOf('quarter', '2026-04-01'))).toEqual([
      '2026-04-01',
      '2026-06-30',
      '2026-Q2',
      91,
    ]);
    expect(span(periodOf('quarter', '2026-09-30'))).toEqual([
      '2026-07-01',
      '2026-09-30',
      '2026-Q3',
      92,
    ]);
    expect(span(periodOf('quarter', '2026-12-31'))).toEqual([
      '2026-10-01',
      '2026-12-31',
      '2026-Q4',
      92,
    ]);
    expect(periodOf('quarter', '2028-02-29').days).toBe(91);
    expect(span(periodOf('year', '2026-12-31'))).toEqual(['2026-01-01', '2026-12-31', '2026', 365]);
    expect(periodOf('year', '2028-06-01').days).toBe(366);
  });

  it('takes the day from Asia/Shanghai business time', () => {
    const day = businessDate(new Date('2026-11-30T16:00:00Z'));
    expect(day).toBe('2026-12-01');
    expect(periodOf('month', day).key).toBe('2026-12');
    expect(periodOf('month', businessDate(new Date('2026-11-30T15:59:59Z'))).key).toBe('2026-11');
  });

  it('rejects what is not a calendar date', () => {
    expect(() => periodOf('day', '2026-02-29')).toThrow(RangeError);
    expect(() => periodOf('month', '2026-11')).toThrow(RangeError);
  });
});

describe('previousPeriod', () => {
  it('steps back one period of the same kind', () => {
    expect(previousPeriod(periodOf('day', '2027-01-01')).key).toBe('2026-12-31');
    expect(previousPeriod(periodOf('week', '2027-01-04')).key).toBe('2026-W53');
    expect(previousPeriod(periodOf('week', '2026-12-06', sunday)).key).toBe(
      '2026-11-29~2026-12-05',
    );
    expect(span(previousPeriod(periodOf('month', '2028-03-01')))).toEqual([
      '2028-02-01',
      '2028-02-29',
      '2028-02',
      29,
    ]);
    expect(previousPeriod(periodOf('quarter', '2026-01-01')).key).toBe('2025-Q4');
    expect(previousPeriod(periodOf('year', '2026-05-05')).key).toBe('2025');
  });
});

describe('samePeriodLastYear', () => {
  it('keeps day, month, quarter; 29 February maps to 28 February', () => {
    expect(samePeriodLastYear(periodOf('day', '2026-12-01')).key).toBe('2025-12-01');
    expect(samePeriodLastYear(periodOf('day', '2028-02-29')).key).toBe('2027-02-28');
    expect(samePeriodLastYear(periodOf('month', '2028-02-10')).days).toBe(28);
    expect(samePeriodLastYear(periodOf('quarter', '2026-11-01')).key).toBe('2025-Q4');
    expect(samePeriodLastYear(periodOf('year', '2026-11-01')).key).toBe('2025');
  });

  it('keeps the week number; week 53 maps to 52 when the year before has none', () => {
    expect(samePeriodLastYear(periodOf('week', '2026-12-01')).key).toBe('2025-W49');
    expect(span(samePeriodLastYear(periodOf('week', '2026-12-31')))).toEqual([
      '2025-12-22',
      '2025-12-28',
      '2025-W52',
      7,
    ]);
    expect(samePeriodLastYear(periodOf('week', '2021-01-01')).key).toBe('2019-W52'); // 2020-W53
    expect(samePeriodLastYear(periodOf('week', '2027-01-04')).key).toBe('2026-W01');
    expect(samePeriodLastYear(periodOf('week', '2026-11-29', sunday)).key).toBe(
      '2025-11-23~2025-11-29',
    );
  });
});

describe('parsePeriodKey', () => {
  it('round-trips every kind of key', () => {
    const periods = [
      ...PERIOD_TYPES.map((type) => periodOf(type, '2026-12-31')),
      periodOf('week', '2026-12-31', sunday),
      periodOf('week', '2020-12-31'),
    ];
    for (const p of periods) expect(parsePeriodKey(p.key)).toEqual(p);
  });

  it('rejects keys that are not canonical', () => {
    for (const key of [
      '2026-W54',
      '2025-W53',
      '2026-W00',
      '2026-W1',
      '2026-13',
      '2026-02-29',
      '2026-Q5',
      '2026-11-30~2026-12-06',
      '2026-11-29~2026-12-04',
      '26',
      '',
    ]) {
      expect(parsePeriodKey(key)).toBeNull();
    }
  });
});

describe('wciDays', () => {
  it('is 1, 7, 30, the real quarter length and 365', () => {
    expect(wciDays(periodOf('day', '2026-12-01'))).toBe(1);
    expect(wciDays(periodOf('week', '2026-12-01'))).toBe(7);
    expect(wciDays(periodOf('month', '2028-02-01'))).toBe(30);
    expect(wciDays(periodOf('month', '2026-12-01'))).toBe(30);
    expect(wciDays(periodOf('quarter', '2026-01-01'))).toBe(90);
    expect(wciDays(periodOf('quarter', '2026-12-01'))).toBe(92);
    expect(wciDays(periodOf('year', '2028-01-01'))).toBe(365);
  });
});

describe('snapshot age and closing', () => {
  it('daily rankings use T+1 (fallback T+2), longer periods T+7', () => {
    expect(snapshotAgeFor('day')).toEqual({ age: 1, fallbackAge: 2 });
    for (const type of ['week', 'month', 'quarter', 'year'] as const) {
      expect(snapshotAgeFor(type)).toEqual({ age: 7, fallbackAge: null });
    }
  });

  it('a day closes when business day end+1 is over (Asia/Shanghai midnight)', () => {
    const day = periodOf('day', '2026-12-01');
    expect(rankableFrom(day).toISOString()).toBe('2026-12-02T16:00:00.000Z');
    expect(isPeriodClosed(day, new Date('2026-12-02T15:59:59.999Z'))).toBe(false);
    expect(isPeriodClosed(day, new Date('2026-12-02T16:00:00.000Z'))).toBe(true);
    // With the T+2 fallback one day later.
    expect(isPeriodClosed(day, new Date('2026-12-03T15:59:59.999Z'), 2)).toBe(false);
    expect(isPeriodClosed(day, new Date('2026-12-03T16:00:00.000Z'), 2)).toBe(true);
  });

  it('a week or month closes when business day end+7 is over', () => {
    const week = periodOf('week', '2026-12-01'); // ends Sunday 2026-12-06
    expect(rankableFrom(week).toISOString()).toBe('2026-12-13T16:00:00.000Z');
    expect(isPeriodClosed(week, new Date('2026-12-13T15:59:59Z'))).toBe(false);
    expect(isPeriodClosed(week, new Date('2026-12-13T16:00:00Z'))).toBe(true);

    const month = periodOf('month', '2026-11-15');
    expect(rankableFrom(month).toISOString()).toBe('2026-12-07T16:00:00.000Z');
    expect(isPeriodClosed(month, new Date('2026-12-07T15:59:59Z'))).toBe(false);
    expect(isPeriodClosed(month, new Date('2026-12-07T16:00:00Z'))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { periodOf } from '../periods';
import {
  nextPeriod,
  periodsOverlapping,
  resolvePeriod,
  scheduledPeriods,
  storedWeekStart,
} from './score-periods';

const keys = (ps: { type: string; key: string }[]) => ps.map((p) => `${p.type} ${p.key}`);

describe('score periods', () => {
  it('stores a week start only for weeks', () => {
    expect(storedWeekStart(periodOf('week', '2026-11-08', { weekStart: 'sunday' }))).toBe('sunday');
    expect(storedWeekStart(periodOf('week', '2026-11-08'))).toBe('monday');
    expect(storedWeekStart(periodOf('month', '2026-11-01'))).toBe('monday');
  });

  it('the daily schedule: yesterday and the previous and current longer periods', () => {
    expect(keys(scheduledPeriods('2026-01-01', 'monday'))).toEqual([
      'day 2025-12-31',
      'week 2025-W52',
      'week 2026-W01',
      'month 2025-12',
      'month 2026-01',
      'quarter 2025-Q4',
      'quarter 2026-Q1',
      'year 2025',
      'year 2026',
    ]);
    expect(keys(scheduledPeriods('2026-12-01', 'sunday')).slice(1, 3)).toEqual([
      'week 2026-11-22~2026-11-28',
      'week 2026-11-29~2026-12-05',
    ]);
  });

  it('a backfill sweep: every period overlapping the range, by type, oldest first', () => {
    expect(keys(periodsOverlapping('2026-02-27', '2026-03-02', 'monday'))).toEqual([
      'day 2026-02-27',
      'day 2026-02-28',
      'day 2026-03-01',
      'day 2026-03-02',
      'week 2026-W09',
      'week 2026-W10',
      'month 2026-02',
      'month 2026-03',
      'quarter 2026-Q1',
      'year 2026',
    ]);
    expect(periodsOverlapping('2026-03-02', '2026-03-01', 'monday')).toEqual([]);
    expect(periodsOverlapping('2026-01-01', '2026-12-31', 'sunday').length).toBe(
      365 + 53 + 12 + 4 + 1,
    );
  });

  it('the next period keeps type and week start', () => {
    expect(nextPeriod(periodOf('week', '2026-11-08', { weekStart: 'sunday' })).key).toBe(
      '2026-11-15~2026-11-21',
    );
    expect(nextPeriod(periodOf('quarter', '2026-12-31')).key).toBe('2027-Q1');
  });

  it('resolves a recompute request by date or canonical key; refuses mismatches and the future', () => {
    const today = '2026-12-01';
    expect(
      resolvePeriod({ periodType: 'week', date: '2026-11-08', weekStart: 'sunday' }, today),
    ).toMatchObject({
      period: { key: '2026-11-08~2026-11-14' },
    });
    expect(resolvePeriod({ periodType: 'week', periodKey: '2026-W45' }, today)).toMatchObject({
      period: { start: '2026-11-02', end: '2026-11-08' },
    });
    expect(resolvePeriod({ periodType: 'month', periodKey: '2026-W45' }, today)).toMatchObject({
      field: 'periodKey',
    });
    expect(resolvePeriod({ periodType: 'month', periodKey: '2026-13' }, today)).toMatchObject({
      field: 'periodKey',
    });
    expect(resolvePeriod({ periodType: 'day', date: '2026-12-02' }, today)).toMatchObject({
      field: 'date',
      message: expect.stringContaining('has not started'),
    });
    // The current (open) month may be scored.
    expect(resolvePeriod({ periodType: 'month', date: '2026-12-01' }, today)).toMatchObject({
      period: { key: '2026-12' },
    });
  });
});

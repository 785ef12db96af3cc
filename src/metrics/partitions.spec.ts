import { describe, expect, it } from 'vitest';
import { addMonths, monthlyPartitionsFor } from './partitions';

describe('monthlyPartitionsFor', () => {
  it('covers a month end with its own month only', () => {
    expect(monthlyPartitionsFor('2026-11-30', '2026-11-30', ['account_daily_metrics'])).toEqual([
      {
        table: 'account_daily_metrics',
        name: 'account_daily_metrics_2026_11',
        from: '2026-11-01',
        to: '2026-12-01',
      },
    ]);
  });

  it('crosses a year change', () => {
    expect(
      monthlyPartitionsFor('2026-12-31', '2027-01-01', ['posts']).map((p) => [
        p.name,
        p.from,
        p.to,
      ]),
    ).toEqual([
      ['posts_2026_12', '2026-12-01', '2027-01-01'],
      ['posts_2027_01', '2027-01-01', '2027-02-01'],
    ]);
  });

  it('takes a leap February as one month and rejects a day that does not exist', () => {
    expect(monthlyPartitionsFor('2028-02-29', '2028-03-01', ['post_metric_snapshots'])).toEqual([
      {
        table: 'post_metric_snapshots',
        name: 'post_metric_snapshots_2028_02',
        from: '2028-02-01',
        to: '2028-03-01',
      },
      {
        table: 'post_metric_snapshots',
        name: 'post_metric_snapshots_2028_03',
        from: '2028-03-01',
        to: '2028-04-01',
      },
    ]);
    expect(() => monthlyPartitionsFor('2027-02-29', '2027-03-01')).toThrow(RangeError);
  });

  it('lists every table by default, nothing for an inverted range, and refuses runaway ranges', () => {
    expect(monthlyPartitionsFor('2026-01-15', '2026-03-02').map((p) => p.name)).toEqual([
      'account_daily_metrics_2026_01',
      'account_daily_metrics_2026_02',
      'account_daily_metrics_2026_03',
      'posts_2026_01',
      'posts_2026_02',
      'posts_2026_03',
      'post_metric_snapshots_2026_01',
      'post_metric_snapshots_2026_02',
      'post_metric_snapshots_2026_03',
    ]);
    expect(monthlyPartitionsFor('2026-03-01', '2026-02-28')).toEqual([]);
    expect(() => monthlyPartitionsFor('2026-01-01', '2226-01-01')).toThrow(/refusing/);
  });

  it('adds months across year boundaries in both directions', () => {
    expect(addMonths('2026-11-21', 3)).toBe('2027-02-01');
    expect(addMonths('2026-11-21', -13)).toBe('2025-10-01');
    expect(addMonths('2026-01-31', -1)).toBe('2025-12-01');
  });
});

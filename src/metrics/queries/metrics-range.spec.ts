import { describe, expect, it } from 'vitest';
import { ValidationFailedException } from '../../common/domain.exception';
import { lagDays, resolveMetricsRange } from './metrics-range';
import { decodePostCursor, encodePostCursor } from './post-cursor';

describe('resolveMetricsRange', () => {
  it('defaults to the 30 days ending yesterday, by day', () => {
    expect(resolveMetricsRange({}, '2026-03-01')).toEqual({
      from: '2026-01-30',
      to: '2026-02-28',
      granularity: 'day',
    });
  });

  it('takes from relative to a given to', () => {
    expect(resolveMetricsRange({ to: '2026-01-30', granularity: 'week' }, '2026-06-01')).toEqual({
      from: '2026-01-01',
      to: '2026-01-30',
      granularity: 'week',
    });
  });

  it('accepts a one-day range and rejects from after to', () => {
    expect(resolveMetricsRange({ from: '2026-01-05', to: '2026-01-05' }, '2026-06-01').from).toBe(
      '2026-01-05',
    );
    expect(() =>
      resolveMetricsRange({ from: '2026-01-06', to: '2026-01-05' }, '2026-06-01'),
    ).toThrow(ValidationFailedException);
  });

  it('limits the span per granularity and says so', () => {
    expect(() =>
      resolveMetricsRange({ from: '2025-01-01', to: '2026-02-05' }, '2026-06-01'),
    ).toThrow(/at most 400/);
    expect(resolveMetricsRange({ from: '2025-01-01', to: '2026-02-04' }, '2026-06-01').to).toBe(
      '2026-02-04',
    );
    expect(
      resolveMetricsRange(
        { from: '2021-01-01', to: '2025-12-31', granularity: 'month' },
        '2026-06-01',
      ).granularity,
    ).toBe('month');
    expect(() =>
      resolveMetricsRange(
        { from: '2020-01-01', to: '2025-12-31', granularity: 'week' },
        '2026-06-01',
      ),
    ).toThrow(/granularity=week allows at most 1830/);
  });
});

describe('lagDays', () => {
  it('counts the days data is behind yesterday', () => {
    expect(lagDays(null, '2026-03-01')).toBeNull();
    expect(lagDays('2026-02-28', '2026-03-01')).toBe(0);
    expect(lagDays('2026-02-20', '2026-03-01')).toBe(8);
    expect(lagDays('2026-03-01', '2026-03-01')).toBe(0);
  });
});

describe('post cursor', () => {
  it('round-trips and rejects foreign cursors', () => {
    const position = { publishedAt: '2026-11-20 00:30:00.123456+00', platformPostId: '2247_1' };
    expect(decodePostCursor(encodePostCursor(position))).toEqual(position);
    expect(() => decodePostCursor('WyI1Iiw1XQ')).toThrow(ValidationFailedException);
    expect(() => decodePostCursor('not base64 json')).toThrow(ValidationFailedException);
  });
});

import { addDays, dayNumber } from '../common/calendar-date';
import { describe, expect, it } from 'vitest';
import { clampToAvailable, DATACUBE_MAX_SPAN_DAYS, spanDays, splitDateRange } from './date-windows';

// Deterministic PRNG so a failure is reproducible.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('splitDateRange', () => {
  it('splits a 17-day range into 7 + 7 + 3', () => {
    expect(splitDateRange('2026-02-20', '2026-03-08', 7)).toEqual([
      { begin: '2026-02-20', end: '2026-02-26' },
      { begin: '2026-02-27', end: '2026-03-05' },
      { begin: '2026-03-06', end: '2026-03-08' },
    ]);
  });

  it('gives one window for a single day, and one per day with span 1', () => {
    expect(splitDateRange('2024-02-29', '2024-02-29', 7)).toEqual([
      { begin: '2024-02-29', end: '2024-02-29' },
    ]);
    expect(splitDateRange('2023-12-30', '2024-01-02', 1).map((w) => w.begin)).toEqual([
      '2023-12-30',
      '2023-12-31',
      '2024-01-01',
      '2024-01-02',
    ]);
  });

  it('holds for 2,000 random ranges: in order, no gaps or overlaps, each ≤ max span', () => {
    const random = rng(42);
    for (let i = 0; i < 2_000; i++) {
      const begin = addDays('2014-12-01', Math.floor(random() * 4_500));
      const end = addDays(begin, Math.floor(random() * 400));
      const max = 1 + Math.floor(random() * 31);
      const windows = splitDateRange(begin, end, max);
      expect(windows[0].begin).toBe(begin);
      expect(windows.at(-1)!.end).toBe(end);
      expect(windows).toHaveLength(Math.ceil(spanDays({ begin, end }) / max));
      for (const [k, w] of windows.entries()) {
        const days = spanDays(w);
        if (days < 1 || days > max)
          throw new Error(`window ${JSON.stringify(w)} has ${days} days (max ${max})`);
        if (k > 0 && dayNumber(w.begin) !== dayNumber(windows[k - 1].end) + 1) {
          throw new Error(`gap or overlap before ${w.begin}`);
        }
      }
    }
  });

  it('rejects bad input', () => {
    expect(() => splitDateRange('2026-03-02', '2026-03-01', 7)).toThrow(RangeError);
    expect(() => splitDateRange('2026-02-30', '2026-03-01', 7)).toThrow(RangeError);
    expect(() => splitDateRange('2026-03-01', '2026-03-02', 0)).toThrow(RangeError);
    expect(() => splitDateRange('2026-03-01', '2026-03-02', 1.5)).toThrow(RangeError);
  });
});

describe('clampToAvailable', () => {
  it('ends at yesterday and starts no earlier than 2014-12-01', () => {
    expect(
      clampToAvailable({ begin: '2014-11-20', end: '2026-03-10' }, { today: '2026-03-10' }),
    ).toEqual({
      begin: '2014-12-01',
      end: '2026-03-09',
    });
  });

  it('returns null when nothing is available', () => {
    expect(
      clampToAvailable({ begin: '2026-03-10', end: '2026-03-12' }, { today: '2026-03-10' }),
    ).toBeNull();
    expect(
      clampToAvailable({ begin: '2014-01-01', end: '2014-11-30' }, { today: '2026-03-10' }),
    ).toBeNull();
  });

  it('honours a later earliest date (getarticleshare starts 2025-11-01)', () => {
    expect(
      clampToAvailable(
        { begin: '2025-10-01', end: '2025-11-03' },
        { today: '2026-01-01', earliest: '2025-11-01' },
      ),
    ).toEqual({ begin: '2025-11-01', end: '2025-11-03' });
  });

  it('for random ranges the result is inside both the input and the available window', () => {
    const random = rng(7);
    for (let i = 0; i < 1_000; i++) {
      const today = addDays('2015-01-01', Math.floor(random() * 4_000));
      const begin = addDays('2014-06-01', Math.floor(random() * 4_500));
      const range = { begin, end: addDays(begin, Math.floor(random() * 60)) };
      const out = clampToAvailable(range, { today });
      const lo = Math.max(dayNumber(range.begin), dayNumber('2014-12-01'));
      const hi = Math.min(dayNumber(range.end), dayNumber(today) - 1);
      if (lo > hi) expect(out).toBeNull();
      else
        expect(out).toEqual({
          begin: addDays('1970-01-01', lo),
          end: addDays('1970-01-01', hi),
        });
    }
  });
});

it('has the documented per-endpoint spans', () => {
  expect(DATACUBE_MAX_SPAN_DAYS).toMatchObject({
    getusersummary: 7,
    getusercumulate: 7,
    getbizsummary: 1,
    getarticletotaldetail: 1,
    getarticletotal: 1,
  });
});

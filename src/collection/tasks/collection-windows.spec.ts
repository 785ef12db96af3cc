import { describe, expect, it } from 'vitest';
import { CATCH_UP_DAYS, chunkRange, daysOf, pendingRanges } from './collection-windows';

describe('pendingRanges', () => {
  const job = { throughDay: '2026-11-21' };

  it('no bookmark: the day itself, or the backfill from fromDay', () => {
    expect(pendingRanges(job, undefined)).toEqual({
      head: null,
      tail: { from: '2026-11-21', to: '2026-11-21' },
    });
    expect(pendingRanges({ ...job, fromDay: '2026-08-23' }, undefined)).toEqual({
      head: null,
      tail: { from: '2026-08-23', to: '2026-11-21' },
    });
    // A bookmark row queued for backfill but without a day yet behaves like none.
    expect(
      pendingRanges({ ...job, fromDay: '2026-11-01' }, { coveredFrom: null, coveredThrough: null }),
    ).toEqual({ head: null, tail: { from: '2026-11-01', to: '2026-11-21' } });
  });

  it('resumes after the bookmark; a daily job fills at most CATCH_UP_DAYS of gap', () => {
    const bm = { coveredFrom: '2026-09-01', coveredThrough: '2026-11-18' };
    expect(pendingRanges(job, bm).tail).toEqual({ from: '2026-11-19', to: '2026-11-21' });
    const old = { coveredFrom: '2026-09-01', coveredThrough: '2026-10-01' };
    expect(pendingRanges(job, old).tail).toEqual({
      from: '2026-11-' + String(22 - CATCH_UP_DAYS).padStart(2, '0'),
      to: '2026-11-21',
    });
  });

  it('a bookmark at or past throughDay (even in the future, R14) leaves nothing', () => {
    expect(pendingRanges(job, { coveredFrom: '2026-09-01', coveredThrough: '2026-11-21' })).toEqual(
      { head: null, tail: null },
    );
    expect(pendingRanges(job, { coveredFrom: '2026-09-01', coveredThrough: '2030-01-01' })).toEqual(
      { head: null, tail: null },
    );
  });

  it('a backfill further back than the stored history adds the head before it', () => {
    const bm = { coveredFrom: '2026-11-10', coveredThrough: '2026-11-21' };
    expect(pendingRanges({ ...job, fromDay: '2026-11-01' }, bm)).toEqual({
      head: { from: '2026-11-01', to: '2026-11-09' },
      tail: null,
    });
  });
});

describe('chunkRange / daysOf', () => {
  it('splits oldest first, or newest first, across a month end', () => {
    const range = { from: '2026-10-28', to: '2026-11-12' };
    expect(chunkRange(range, 7)).toEqual([
      { from: '2026-10-28', to: '2026-11-03' },
      { from: '2026-11-04', to: '2026-11-10' },
      { from: '2026-11-11', to: '2026-11-12' },
    ]);
    expect(chunkRange(range, 7, true)).toEqual([
      { from: '2026-11-06', to: '2026-11-12' },
      { from: '2026-10-30', to: '2026-11-05' },
      { from: '2026-10-28', to: '2026-10-29' },
    ]);
    expect(daysOf({ from: '2026-12-30', to: '2027-01-02' })).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ]);
    expect(() => chunkRange(range, 0)).toThrow(RangeError);
  });
});

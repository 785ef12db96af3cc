import { describe, expect, it } from 'vitest';
import { defaultLeaseChunk, grantedByLease, nextQuotaDay, rateLimitWaitMs } from './budget-math';

describe('nextQuotaDay (00:00 Asia/Shanghai)', () => {
  it.each([
    // [instant, next quota day]  (Shanghai = UTC+8, no DST)
    ['2026-03-10T03:00:00.000Z', '2026-03-10T16:00:00.000Z'], // 11:00 Shanghai
    ['2026-03-10T15:59:00.000Z', '2026-03-10T16:00:00.000Z'], // 23:59 Shanghai
    ['2026-03-10T15:59:59.999Z', '2026-03-10T16:00:00.000Z'], // 23:59:59.999 Shanghai
    ['2026-03-10T16:00:00.000Z', '2026-03-11T16:00:00.000Z'], // 00:00 Shanghai: the next one
    ['2026-03-10T16:00:00.001Z', '2026-03-11T16:00:00.000Z'],
    ['2026-03-10T23:30:00.000Z', '2026-03-11T16:00:00.000Z'], // 07:30 Shanghai, UTC day differs
    ['2026-12-31T16:30:00.000Z', '2027-01-01T16:00:00.000Z'], // 00:30 on 1 January
    ['2028-02-28T17:00:00.000Z', '2028-02-29T16:00:00.000Z'], // leap day
  ])('%s → %s', (now, expected) => {
    expect(nextQuotaDay(new Date(now)).toISOString()).toBe(expected);
  });

  it('does not depend on the process time zone', () => {
    const now = new Date('2026-07-01T15:59:00Z');
    expect(nextQuotaDay(now).getTime() - now.getTime()).toBe(60_000);
  });
});

describe('grantedByLease', () => {
  it('grants the whole ask while the window has room', () => {
    expect(grantedByLease(3, 3, 30)).toBe(3); // fresh window
    expect(grantedByLease(30, 3, 30)).toBe(3); // exactly fills it
  });

  it('grants what fits when the ask crosses the budget', () => {
    expect(grantedByLease(31, 3, 30)).toBe(2); // 28 before
    expect(grantedByLease(33, 3, 30)).toBe(0); // 30 before
  });

  it('grants nothing once the counter is at its cap', () => {
    // used is capped at budget + ask: 30 + 3
    expect(grantedByLease(33, 3, 30)).toBe(0);
    expect(grantedByLease(31, 1, 30)).toBe(0);
  });

  it('never grants more than the budget in a fresh window', () => {
    expect(grantedByLease(5, 5, 2)).toBe(2);
  });
});

describe('defaultLeaseChunk', () => {
  it('is budget/10 between 1 and 20', () => {
    expect(defaultLeaseChunk(1)).toBe(1);
    expect(defaultLeaseChunk(30)).toBe(3);
    expect(defaultLeaseChunk(600)).toBe(20);
    expect(defaultLeaseChunk(1_000_000)).toBe(20);
  });
});

describe('rateLimitWaitMs', () => {
  it('uses Retry-After, 60 s when absent, at least 1 s', () => {
    expect(rateLimitWaitMs(20)).toBe(20_000);
    expect(rateLimitWaitMs(undefined)).toBe(60_000);
    expect(rateLimitWaitMs(Number.NaN)).toBe(60_000);
    expect(rateLimitWaitMs(0)).toBe(1_000);
    expect(rateLimitWaitMs(1.5)).toBe(1_500);
  });
});

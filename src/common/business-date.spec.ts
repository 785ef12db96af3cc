import { describe, expect, it } from 'vitest';
import { businessDate, businessDayStart } from './business-date';

describe('businessDate (Asia/Shanghai, memoised per minute)', () => {
  it('changes exactly at 16:00 UTC, in either order of calls', () => {
    const before = new Date('2026-11-21T15:59:59.999Z');
    const after = new Date('2026-11-21T16:00:00.000Z');
    expect(businessDate(before)).toBe('2026-11-21');
    expect(businessDate(after)).toBe('2026-11-22');
    expect(businessDate(before)).toBe('2026-11-21');
    expect(businessDate(new Date('2026-12-31T16:00:30Z'))).toBe('2027-01-01');
    expect(businessDate(new Date('2026-12-31T15:59:30Z'))).toBe('2026-12-31');
  });

  it('businessDayStart is the instant businessDate turns to that day', () => {
    const start = businessDayStart('2026-11-22');
    expect(start.toISOString()).toBe('2026-11-21T16:00:00.000Z');
    expect(businessDate(start)).toBe('2026-11-22');
    expect(businessDate(new Date(start.getTime() - 1))).toBe('2026-11-21');
  });
});

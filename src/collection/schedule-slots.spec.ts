import { describe, expect, it } from 'vitest';
import {
  type ScheduleDefinition,
  missedSlots,
  slotAt,
  slotsBetween,
  validateSchedules,
} from './schedule-slots';

const every15: ScheduleDefinition = { name: 'every-15', everyMinutes: 15 };
const daily0830: ScheduleDefinition = { name: 'daily-0830', daily: '08:30' };
const at = (iso: string) => new Date(iso);
const isoList = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('slotAt', () => {
  it('every 15 minutes: a boundary is its own slot, 1 ms before it is the previous one', () => {
    expect(slotAt(every15, at('2025-03-01T10:15:00.000Z'))).toEqual(at('2025-03-01T10:15:00Z'));
    expect(slotAt(every15, at('2025-03-01T10:14:59.999Z'))).toEqual(at('2025-03-01T10:00:00Z'));
    expect(slotAt(every15, at('2025-03-01T10:29:59.999Z'))).toEqual(at('2025-03-01T10:15:00Z'));
    expect(slotAt(every15, at('2025-01-01T00:07:00Z'))).toEqual(at('2025-01-01T00:00:00Z'));
  });

  it('daily 08:30 Asia/Shanghai is 00:30 UTC; before it, the slot is the previous day', () => {
    expect(slotAt(daily0830, at('2025-03-01T00:30:00Z'))).toEqual(at('2025-03-01T00:30:00Z'));
    expect(slotAt(daily0830, at('2025-03-01T00:29:59.999Z'))).toEqual(at('2025-02-28T00:30:00Z'));
    // 23:59 UTC on 2025-03-01 is 07:59 on 03-02 in Shanghai: still the 03-01 fire time.
    expect(slotAt(daily0830, at('2025-03-01T23:59:00Z'))).toEqual(at('2025-03-01T00:30:00Z'));
    // 16:00 UTC is midnight in Shanghai: a new business day, but 08:30 has not come yet.
    expect(slotAt(daily0830, at('2025-03-01T16:00:00Z'))).toEqual(at('2025-03-01T00:30:00Z'));
  });

  it('daily across a month and a year change (and a leap day)', () => {
    expect(slotAt(daily0830, at('2025-01-01T00:10:00Z'))).toEqual(at('2024-12-31T00:30:00Z'));
    expect(slotAt(daily0830, at('2024-03-01T00:00:00Z'))).toEqual(at('2024-02-29T00:30:00Z'));
    expect(slotAt({ name: 'late', daily: '23:45' }, at('2025-01-01T15:00:00Z'))).toEqual(
      at('2024-12-31T15:45:00Z'),
    );
  });
});

describe('slotsBetween', () => {
  it('is (from, to]: excludes from, includes to', () => {
    expect(
      isoList(slotsBetween(every15, at('2025-03-01T10:00:00Z'), at('2025-03-01T10:45:00Z'))),
    ).toEqual(['2025-03-01T10:15:00.000Z', '2025-03-01T10:30:00.000Z', '2025-03-01T10:45:00.000Z']);
    expect(slotsBetween(every15, at('2025-03-01T10:00:00Z'), at('2025-03-01T10:00:00Z'))).toEqual(
      [],
    );
  });

  it('crosses a year end and respects the limit', () => {
    expect(
      isoList(slotsBetween(every15, at('2024-12-31T23:40:00Z'), at('2025-01-01T00:20:00Z'))),
    ).toEqual(['2024-12-31T23:45:00.000Z', '2025-01-01T00:00:00.000Z', '2025-01-01T00:15:00.000Z']);
    expect(
      isoList(slotsBetween(every15, at('2024-12-31T23:40:00Z'), at('2025-01-01T00:20:00Z'), 1)),
    ).toEqual(['2024-12-31T23:45:00.000Z']);
  });

  it('daily fire times across a month end, one per Shanghai day', () => {
    expect(
      isoList(slotsBetween(daily0830, at('2025-01-30T00:30:00Z'), at('2025-02-02T00:29:00Z'))),
    ).toEqual(['2025-01-31T00:30:00.000Z', '2025-02-01T00:30:00.000Z']);
  });
});

describe('missedSlots', () => {
  const hour = 60 * 60 * 1000;

  it('after 5 h down, only the slots inside a 2 h window, oldest first, without the current one', () => {
    const last = at('2025-03-01T05:00:00Z');
    const now = at('2025-03-01T10:05:00Z');
    expect(isoList(missedSlots(every15, last, now, 2 * hour))).toEqual([
      '2025-03-01T08:15:00.000Z',
      '2025-03-01T08:30:00.000Z',
      '2025-03-01T08:45:00.000Z',
      '2025-03-01T09:00:00.000Z',
      '2025-03-01T09:15:00.000Z',
      '2025-03-01T09:30:00.000Z',
      '2025-03-01T09:45:00.000Z',
    ]);
  });

  it('a slot exactly fillWindowMs old is inside the window', () => {
    const last = at('2025-03-01T05:00:00Z');
    const now = at('2025-03-01T10:00:00Z');
    expect(isoList(missedSlots(every15, last, now, hour))[0]).toBe('2025-03-01T09:00:00.000Z');
  });

  it('nothing when on time, never claimed, rewound, or the window is 0', () => {
    const now = at('2025-03-01T10:05:00Z');
    expect(missedSlots(every15, at('2025-03-01T09:45:00Z'), now, hour)).toEqual([]);
    expect(missedSlots(every15, null, now, hour)).toEqual([]);
    expect(missedSlots(every15, at('2025-03-01T11:00:00Z'), now, hour)).toEqual([]);
    expect(missedSlots(every15, at('2025-03-01T05:00:00Z'), now, 0)).toEqual([]);
  });

  it('daily: a missed 08:30 is backfilled only inside the window', () => {
    const last = at('2025-02-27T00:30:00Z');
    const now = at('2025-03-01T01:00:00Z');
    expect(isoList(missedSlots(daily0830, last, now, 48 * hour))).toEqual([
      '2025-02-28T00:30:00.000Z',
    ]);
    expect(missedSlots(daily0830, last, now, 12 * hour)).toEqual([]);
  });
});

describe('validateSchedules', () => {
  it('rejects bad periods, bad times and duplicate names', () => {
    expect(() => validateSchedules([{ name: 'a', everyMinutes: 7 }])).toThrow(RangeError);
    expect(() => validateSchedules([{ name: 'a', everyMinutes: 0 }])).toThrow(RangeError);
    expect(() => validateSchedules([{ name: 'a', daily: '24:00' }])).toThrow(RangeError);
    expect(() => validateSchedules([{ name: 'a', daily: '8:30' }])).toThrow(RangeError);
    expect(() => validateSchedules([every15, { ...every15 }])).toThrow(/duplicate/);
    expect(() => validateSchedules([every15, daily0830])).not.toThrow();
  });
});

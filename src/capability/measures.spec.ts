import { describe, expect, it } from 'vitest';
import {
  type MeasuredRaw,
  daysWithoutUpdateScore,
  timelinessScore,
  updateFrequencyScore,
} from './measures';

const raw = (overrides: Partial<MeasuredRaw>): MeasuredRaw => ({
  wci: null,
  wciBasis: null,
  wciMonths: null,
  activeDays: 0,
  longestGapDays: 0,
  weeksWithPost: 0,
  measuredFrom: '2025-01-01',
  measuredDays: 365,
  measuredWeeks: 53,
  ...overrides,
});

describe('measured leaf scores', () => {
  it('update frequency: share of the measured days with a post', () => {
    expect(updateFrequencyScore(raw({ activeDays: 365 }))).toBe(100);
    expect(updateFrequencyScore(raw({ activeDays: 73 }))).toBeCloseTo(20, 12);
    expect(updateFrequencyScore(raw({ activeDays: 0 }))).toBe(0);
    expect(updateFrequencyScore(raw({ activeDays: null }))).toBeNull();
    expect(updateFrequencyScore(raw({ activeDays: 0, measuredDays: 0 }))).toBeNull();
  });

  it('days without update: 100 without a gap, 0 at two weeks (国办秘函〔2019〕19号)', () => {
    expect(daysWithoutUpdateScore(raw({ longestGapDays: 0 }))).toBe(100);
    expect(daysWithoutUpdateScore(raw({ longestGapDays: 7 }))).toBe(50);
    expect(daysWithoutUpdateScore(raw({ longestGapDays: 13 }))).toBeCloseTo(100 / 14, 12);
    expect(daysWithoutUpdateScore(raw({ longestGapDays: 14 }))).toBe(0);
    expect(daysWithoutUpdateScore(raw({ longestGapDays: 200 }))).toBe(0);
    expect(daysWithoutUpdateScore(raw({ longestGapDays: null }))).toBeNull();
  });

  it('timeliness: share of the measured weeks with a post', () => {
    expect(timelinessScore(raw({ weeksWithPost: 53 }))).toBe(100);
    expect(timelinessScore(raw({ weeksWithPost: 1, measuredWeeks: 4 }))).toBe(25);
    expect(timelinessScore(raw({ weeksWithPost: null }))).toBeNull();
  });
});

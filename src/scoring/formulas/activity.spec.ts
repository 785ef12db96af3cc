import { describe, expect, it } from 'vitest';
import { addDays } from '../../common/calendar-date';
import { computeActivity, DORMANT_AFTER_DAYS, STALE_AFTER_DAYS } from './activity';

const NOVEMBER = { start: '2026-11-01', end: '2026-11-30' };
const END = NOVEMBER.end;
const quiet = { postDays: [], interactions: null };

describe('computeActivity', () => {
  it('counts posts, active days and interaction per post', () => {
    const a = computeActivity(NOVEMBER, {
      postDays: ['2026-11-02', '2026-11-02', '2026-11-10', '2026-11-28'],
      lastPostDay: null,
      interactions: 200,
    });
    expect(a).toMatchObject({
      version: 'activity-v1',
      days: 30,
      posts: 4,
      activeDays: 3,
      daysSinceLastPost: 2,
      interactionPerPost: 50,
      stale: false,
      dormant: false,
    });
    // 100 × (0.6 × 3/30 + 0.2 × 4/30 + 0.2 × (1 − 2/14))
    expect(a.score).toBeCloseTo(100 * (0.06 + 0.8 / 30 + 0.2 * (12 / 14)), 9);
  });

  it('interaction per post is null without posts or without interaction data, never 0', () => {
    expect(
      computeActivity(NOVEMBER, { ...quiet, lastPostDay: '2026-10-30' }).interactionPerPost,
    ).toBeNull();
    const noData = computeActivity(NOVEMBER, {
      postDays: [END],
      lastPostDay: null,
      interactions: null,
    });
    expect(noData.interactionPerPost).toBeNull();
  });

  it('takes the last post from history when the period has none', () => {
    const a = computeActivity(NOVEMBER, { ...quiet, lastPostDay: '2026-10-20' });
    expect(a.posts).toBe(0);
    expect(a.daysSinceLastPost).toBe(41);
    expect(a.score).toBe(0);
  });

  it('a post on the last day is 0 days ago; posting every day scores 100', () => {
    const every = Array.from({ length: 30 }, (_, i) => addDays(NOVEMBER.start, i));
    const a = computeActivity(NOVEMBER, {
      postDays: every,
      lastPostDay: '2026-10-31',
      interactions: 0,
    });
    expect(a.daysSinceLastPost).toBe(0);
    expect(a.score).toBeCloseTo(100, 9);
    expect(a.interactionPerPost).toBe(0);
  });

  it('stale from 14 days without a post (13 is not)', () => {
    expect(STALE_AFTER_DAYS).toBe(14);
    const at = (ago: number) =>
      computeActivity(NOVEMBER, { ...quiet, lastPostDay: addDays(END, -ago) });
    expect(at(13)).toMatchObject({ daysSinceLastPost: 13, stale: false, dormant: false });
    expect(at(14)).toMatchObject({ daysSinceLastPost: 14, stale: true, dormant: false });
    expect(at(13).score).toBeGreaterThan(0);
    expect(at(14).score).toBe(0);
  });

  it('dormant from 90 days without a post (89 is not)', () => {
    expect(DORMANT_AFTER_DAYS).toBe(90);
    const at = (ago: number) =>
      computeActivity(NOVEMBER, { ...quiet, lastPostDay: addDays(END, -ago) });
    expect(at(89)).toMatchObject({ daysSinceLastPost: 89, stale: true, dormant: false });
    expect(at(90)).toMatchObject({ daysSinceLastPost: 90, stale: true, dormant: true });
  });

  it('an account that never posted is stale and dormant', () => {
    const a = computeActivity(NOVEMBER, { ...quiet, lastPostDay: null });
    expect(a).toMatchObject({
      posts: 0,
      daysSinceLastPost: null,
      stale: true,
      dormant: true,
      score: 0,
    });
  });

  it('rejects facts that do not fit the period', () => {
    expect(() =>
      computeActivity(NOVEMBER, { ...quiet, postDays: ['2026-12-01'], lastPostDay: null }),
    ).toThrow(RangeError);
    expect(() => computeActivity(NOVEMBER, { ...quiet, lastPostDay: '2026-12-01' })).toThrow(
      RangeError,
    );
    expect(() =>
      computeActivity({ start: END, end: NOVEMBER.start }, { ...quiet, lastPostDay: null }),
    ).toThrow(RangeError);
    expect(() =>
      computeActivity(NOVEMBER, { postDays: [], lastPostDay: null, interactions: -1 }),
    ).toThrow(RangeError);
  });
});

import { dayNumber } from '../../common/calendar-date';

export const ACTIVITY_VERSION = 'activity-v1';
/** 国办秘函〔2019〕19号: a government account must update at least once every 2 weeks. */
export const STALE_AFTER_DAYS = 14;
export const DORMANT_AFTER_DAYS = 90;

export interface ActivityFacts {
  /** Business date of each post published in the period, one entry per post. */
  postDays: readonly string[];
  /** The latest post on or before the period end from all history (may precede the start). */
  lastPostDay: string | null;
  /** Interactions received in the period; null when the source gives none. */
  interactions: number | null;
}

export interface Activity {
  version: typeof ACTIVITY_VERSION;
  days: number;
  posts: number;
  activeDays: number;
  /** end − last post day: 0 when it posted on the last day; null if it never posted. */
  daysSinceLastPost: number | null;
  interactionPerPost: number | null;
  score: number;
  /** No post on the last 14 days of the period (daysSinceLastPost ≥ 14), or never. */
  stale: boolean;
  /** No post on the last 90 days, or never. */
  dormant: boolean;
}

/**
 * activity-v1, 0–100: 100 × (0.6 × activeDays / days + 0.2 × min(posts / days, 1) + 0.2 × recency),
 * recency = max(0, 1 − daysSinceLastPost / 14) (0 if never posted). Regularity weighs most, as the
 * inspection rule does; volume saturates at one post a day so bulk posting cannot buy the score;
 * recency reaches 0 exactly when the account turns stale.
 */
export function computeActivity(
  period: { start: string; end: string },
  facts: ActivityFacts,
): Activity {
  const start = dayNumber(period.start);
  const end = dayNumber(period.end);
  if (end < start)
    throw new RangeError(`period ends before it starts: ${period.start}..${period.end}`);
  const postDays = facts.postDays.map((day) => {
    const n = dayNumber(day);
    if (n < start || n > end) throw new RangeError(`post day ${day} is outside the period`);
    return n;
  });
  const lastKnown = facts.lastPostDay === null ? null : dayNumber(facts.lastPostDay);
  if (lastKnown !== null && lastKnown > end) {
    throw new RangeError(`last post day ${facts.lastPostDay} is after the period end`);
  }
  if (
    facts.interactions !== null &&
    !(Number.isFinite(facts.interactions) && facts.interactions >= 0)
  ) {
    throw new RangeError(`interactions must be a non-negative number or null`);
  }

  const days = end - start + 1;
  const posts = postDays.length;
  const activeDays = new Set(postDays).size;
  const candidates = lastKnown === null ? postDays : [lastKnown, ...postDays];
  const last = candidates.length === 0 ? null : Math.max(...candidates);
  const daysSinceLastPost = last === null ? null : end - last;
  const recency =
    daysSinceLastPost === null ? 0 : Math.max(0, 1 - daysSinceLastPost / STALE_AFTER_DAYS);
  const score = 100 * (0.6 * (activeDays / days) + 0.2 * Math.min(posts / days, 1) + 0.2 * recency);
  return {
    version: ACTIVITY_VERSION,
    days,
    posts,
    activeDays,
    daysSinceLastPost,
    interactionPerPost:
      posts === 0 || facts.interactions === null ? null : facts.interactions / posts,
    score,
    stale: daysSinceLastPost === null || daysSinceLastPost >= STALE_AFTER_DAYS,
    dormant: daysSinceLastPost === null || daysSinceLastPost >= DORMANT_AFTER_DAYS,
  };
}

import type { FieldError } from '../common/domain.exception';
import type { ThresholdRule } from './quadrant';

export const MATURITY_GROUPINGS = ['sector', 'region', 'level'] as const;
export type MaturityGrouping = (typeof MATURITY_GROUPINGS)[number];

/** y of the matrix: user activity of a group, from each account's precomputed inputs. */
export const ACTIVITY_MEASURES = [
  'reads_per_post_per_1k_followers',
  'activity_score',
  'mean_score',
  'reads_per_follower',
] as const;
export type ActivityMeasure = (typeof ACTIVITY_MEASURES)[number];

export const ACTIVITY_MEASURE_LABELS: Record<
  ActivityMeasure,
  { label: string; description: string }
> = {
  reads_per_post_per_1k_followers: {
    label: '千粉篇均阅读（中位数）',
    description:
      'Median over the group’s accounts with posts, followers and reads of R ÷ n ÷ (followers ÷ 1000): reads per post per 1,000 followers.',
  },
  activity_score: {
    label: '活跃度（中位数）',
    description: 'Median activity_score (activity-v1, 0–100) of the group’s accounts.',
  },
  mean_score: {
    label: '平均传播指数',
    description: 'Mean WCI (WeChat) or BCI (Weibo) of the group’s accounts that have one.',
  },
  reads_per_follower: {
    label: '粉均阅读（中位数）',
    description: 'Median over the accounts with followers and reads of R ÷ followers.',
  },
};

/**
 * `median`, `mean` or fixed thresholds `<x>,<y>` (accounts, activity), e.g. `1000,2.5`. A bad value
 * is added to `errors` (field `threshold`) and the median is returned.
 */
export function parseThresholdRule(text: string | undefined, errors: FieldError[]): ThresholdRule {
  if (text === undefined || text === 'median') return 'median';
  if (text === 'mean') return 'mean';
  const fixed = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (fixed) return { x: Number(fixed[1]), y: Number(fixed[2]) };
  errors.push({
    field: 'threshold',
    message: `threshold must be median, mean or "<accounts>,<activity>" such as 1000,2.5; got "${text}"`,
  });
  return 'median';
}

export function thresholdRuleName(rule: ThresholdRule): 'median' | 'mean' | 'fixed' {
  return typeof rule === 'object' ? 'fixed' : rule;
}

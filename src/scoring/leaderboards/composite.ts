import { PLATFORMS, type Platform } from '../../accounts/account-taxonomy';
import type { FieldError } from '../../common/domain.exception';

/**
 * Organization composite across platforms (双微): each platform's score is first made comparable
 * within the period and the filtered population, then weighted:
 * composite = Σ weight_p × normalized_p ÷ Σ weight_p, over the platforms with a weight; a platform
 * on which the organization has no scored account contributes 0 (未开通 counts as nothing).
 */
export type PlatformWeights = Record<Platform, number>;

export const DEFAULT_PLATFORM_WEIGHTS: PlatformWeights = { wechat: 50, weibo: 50 };

/**
 * percentile: 100 × the share of the platform's other scored accounts with a strictly lower score
 * (PostgreSQL percent_rank; best 100, worst 0, a lone account 100). minmax: 100 × (score − min) ÷
 * (max − min), 100 when all are equal.
 */
export const NORMALIZATIONS = ['percentile', 'minmax'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

/**
 * Parses `wechat:50,weibo:50`. A platform left out weighs 0; weights are non-negative numbers
 * with a positive sum. Problems are added to `errors` (field `weights`).
 */
export function parsePlatformWeights(
  text: string | undefined,
  errors: FieldError[],
): PlatformWeights {
  if (text === undefined) return { ...DEFAULT_PLATFORM_WEIGHTS };
  const weights: PlatformWeights = { wechat: 0, weibo: 0 };
  const seen = new Set<string>();
  const fail = (message: string) => {
    errors.push({ field: 'weights', message });
    return { ...DEFAULT_PLATFORM_WEIGHTS };
  };
  for (const part of text.split(',')) {
    const match = /^\s*([a-z]+)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!match) return fail(`weights must look like wechat:50,weibo:50; got "${part.trim()}"`);
    const platform = match[1] as Platform;
    if (!(PLATFORMS as readonly string[]).includes(platform)) {
      return fail(`${match[1]} is not a platform; use ${PLATFORMS.join(', ')}`);
    }
    if (seen.has(platform)) return fail(`${platform} is weighted twice`);
    seen.add(platform);
    weights[platform] = Number(match[2]);
  }
  if (weights.wechat + weights.weibo <= 0) return fail('at least one weight must be above 0');
  return weights;
}

/** Platforms that count, highest weight first (WeChat first on a tie). */
export function weightedPlatforms(weights: PlatformWeights): Platform[] {
  return PLATFORMS.filter((p) => weights[p] > 0).sort((a, b) => weights[b] - weights[a]);
}

/** The composite of one organization from its normalized platform scores (missing: 0). */
export function compositeScore(
  normalized: Partial<Record<Platform, number>>,
  weights: PlatformWeights,
): number {
  const total = weights.wechat + weights.weibo;
  return PLATFORMS.reduce((sum, p) => sum + weights[p] * (normalized[p] ?? 0), 0) / total;
}

/**
 * 政务微信成熟矩阵 (white paper, seed 003): x = registered accounts per group, y = user activity.
 * A value equal to its threshold counts as high (many accounts / high activity), so with the
 * median the middle group of an odd-sized set is on the upper side.
 */
export const QUADRANTS = ['active', 'to_promote', 'potential', 'dormant'] as const;
export type Quadrant = (typeof QUADRANTS)[number];

export const QUADRANT_LABELS: Record<Quadrant, string> = {
  active: '活跃',
  to_promote: '待推广',
  potential: '潜力',
  dormant: '待激活',
};

export interface MaturityGroup {
  accounts: number;
  /** null when the group has no activity data: it gets no quadrant and sets no threshold. */
  activity: number | null;
}

export interface Thresholds {
  x: number;
  y: number;
}
export type ThresholdRule = 'median' | 'mean' | Thresholds;

export interface MaturityMatrix<G extends MaturityGroup> {
  /** null when no group has activity data. */
  thresholds: Thresholds | null;
  groups: (G & { quadrant: Quadrant | null })[];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export function quadrantOf(accounts: number, activity: number, thresholds: Thresholds): Quadrant {
  const many = accounts >= thresholds.x;
  const high = activity >= thresholds.y;
  if (many) return high ? 'active' : 'to_promote';
  return high ? 'potential' : 'dormant';
}

export function buildMaturityMatrix<G extends MaturityGroup>(
  groups: readonly G[],
  rule: ThresholdRule = 'median',
): MaturityMatrix<G> {
  for (const g of groups) {
    if (!Number.isFinite(g.accounts) || (g.activity !== null && !Number.isFinite(g.activity))) {
      throw new RangeError('maturity group accounts and activity must be finite numbers');
    }
  }
  const scored = groups.filter((g) => g.activity !== null);
  const thresholds = thresholdsOf(
    scored.map((g) => g.accounts),
    scored.map((g) => g.activity ?? 0),
    rule,
  );
  return {
    thresholds,
    groups: groups.map((g) => ({
      ...g,
      quadrant:
        thresholds === null || g.activity === null
          ? null
          : quadrantOf(g.accounts, g.activity, thresholds),
    })),
  };
}

function thresholdsOf(xs: number[], ys: number[], rule: ThresholdRule): Thresholds | null {
  if (typeof rule === 'object') return rule;
  const centre = rule === 'median' ? median : mean;
  const x = centre(xs);
  const y = centre(ys);
  return x === null || y === null ? null : { x, y };
}

/**
 * How a group moved between two matrices: 'up' when it gained accounts or activity and lost
 * neither, 'down' the reverse, 'sideways' when it traded one for the other (潜力 ↔ 待推广).
 */
export type Movement = 'new' | 'same' | 'up' | 'down' | 'sideways';

const AXES: Record<Quadrant, { many: number; high: number }> = {
  active: { many: 1, high: 1 },
  to_promote: { many: 1, high: 0 },
  potential: { many: 0, high: 1 },
  dormant: { many: 0, high: 0 },
};

export function movement(previous: Quadrant | null, current: Quadrant): Movement {
  if (previous === null) return 'new';
  const dx = AXES[current].many - AXES[previous].many;
  const dy = AXES[current].high - AXES[previous].high;
  if (dx === 0 && dy === 0) return 'same';
  if (dx >= 0 && dy >= 0) return 'up';
  if (dx <= 0 && dy <= 0) return 'down';
  return 'sideways';
}

export interface Band {
  code: string;
  label: string;
  min: number;
}

// Seed 000's words: 高水平 ≥ 80, 较高水平 70–80, 中等水平 60–70, 较低水平 40–60, 低水平 < 40.
export const DEFAULT_BANDS: readonly Band[] = [
  { code: 'high', label: '高水平', min: 80 },
  { code: 'upper_middle', label: '较高水平', min: 70 },
  { code: 'middle', label: '中等水平', min: 60 },
  { code: 'lower', label: '较低水平', min: 40 },
  { code: 'low', label: '低水平', min: 0 },
];

// Sums of weighted scores land on 79.99999999 for a published 80.00.
const EPSILON = 1e-9;

export interface BandRow extends Band {
  max: number | null;
  count: number;
  sharePct: number;
  sharePctRounded: number;
  mean: number | null;
  relativeToTierMeanPct: number | null;
}

export interface BandDistribution {
  rows: BandRow[];
  notOpened: { count: number; sharePct: number; sharePctRounded: number };
  denominator: number;
  tierMean: number | null;
}

/** Bands from the highest min down; the lowest band also takes anything below its min. */
export function sortBands(bands: readonly Band[]): Band[] {
  if (bands.length === 0) throw new RangeError('configure at least one band');
  const sorted = [...bands].sort((a, b) => b.min - a.min);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].min === sorted[i - 1].min) {
      throw new RangeError(
        `bands ${sorted[i - 1].code} and ${sorted[i].code} share min ${sorted[i].min}`,
      );
    }
  }
  if (new Set(sorted.map((b) => b.code)).size !== sorted.length) {
    throw new RangeError('band codes must be unique');
  }
  return sorted;
}

export function classifyBand(score: number, bands: readonly Band[] = DEFAULT_BANDS): Band {
  const sorted = sortBands(bands);
  return sorted.find((b) => score + EPSILON >= b.min) ?? sorted[sorted.length - 1];
}

/**
 * 区间分布 as seed 000 prints it: shares over every region of the tier including those without an
 * account (the 334 cities), band means compared with the mean of the scored regions.
 */
export function bandDistribution(
  scores: readonly number[],
  notOpenedCount: number,
  bands: readonly Band[] = DEFAULT_BANDS,
): BandDistribution {
  const sorted = sortBands(bands);
  const members = new Map<string, number[]>(sorted.map((b) => [b.code, []]));
  for (const s of scores) members.get(classifyBand(s, sorted).code)!.push(s);

  const denominator = scores.length + notOpenedCount;
  const tierMean = mean(scores);
  const share = (count: number): number => (denominator === 0 ? 0 : (100 * count) / denominator);
  const rounded = roundSharesTo100([
    ...sorted.map((b) => share(members.get(b.code)!.length)),
    share(notOpenedCount),
  ]);

  const rows = sorted.map((band, i): BandRow => {
    const inBand = members.get(band.code)!;
    const bandMean = mean(inBand);
    return {
      ...band,
      max: i === 0 ? null : sorted[i - 1].min,
      count: inBand.length,
      sharePct: share(inBand.length),
      sharePctRounded: rounded[i],
      mean: bandMean,
      // 高出/低于全国平均水平 x%: relative to the tier mean, not points above it.
      relativeToTierMeanPct:
        bandMean === null || tierMean === null || tierMean === 0
          ? null
          : (100 * (bandMean - tierMean)) / tierMean,
    };
  });
  return {
    rows,
    notOpened: {
      count: notOpenedCount,
      sharePct: share(notOpenedCount),
      sharePctRounded: rounded[rounded.length - 1],
    },
    denominator,
    tierMean,
  };
}

/**
 * Largest-remainder rounding so printed shares add up to exactly 100; ties go to the earlier
 * entry. Seed 000 prints 25.93 / 48.15 / 25.92 for 7 / 13 / 7 of 27 this way.
 */
export function roundSharesTo100(percents: readonly number[], decimals = 2): number[] {
  const scale = 10 ** decimals;
  const units = percents.map((p) => p * scale);
  const floors = units.map((u) => Math.floor(u + EPSILON));
  const total = percents.reduce((s, p) => s + p, 0);
  if (total === 0) return percents.map(() => 0);
  let left = Math.round(total * scale) - floors.reduce((s, f) => s + f, 0);
  const order = units
    .map((u, i) => ({ i, rest: u - floors[i] }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]++;
    left--;
  }
  return floors.map((f) => f / scale);
}

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
}

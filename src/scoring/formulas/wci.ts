/**
 * 清博 WCI (微信传播指数), versioned (reference §1). Every version is
 *   WCI = (Σ level-1 weight × block)² × scale,  block = Σ level-2 weight × ln(k·x + 1)
 * over four blocks: 整体 overall (sums / d), 篇均 average (sums / n), 头条 headline (headline sums / d)
 * and 峰值 peak (single-article maxima); k is 1 for reads and 10 for interactions.
 *
 * Missing inputs (null: the account's source does not give them, e.g. datacube has no 点赞/在看) are
 * never read as 0. If any of a metric's three inputs (sum, headline sum, max) is null, that metric
 * is dropped from all four blocks and the remaining level-2 weights are re-normalised to sum 1, so
 * the blocks stay comparable with each other. Reads cannot be dropped: missing reads → null.
 */

export const WCI_VERSIONS = ['wci-v13', 'wci-v14.2', 'wci-v14.2-blog'] as const;
export type WciVersion = (typeof WCI_VERSIONS)[number];
export const DEFAULT_WCI_VERSION: WciVersion = 'wci-v14.2';

export type WciMetric = 'reads' | 'zaikan' | 'likes' | 'shares';
type WciBlock = 'overall' | 'average' | 'headline' | 'peak';

export interface WciInputs {
  /** Days in the period (see wciDays in ../periods). */
  d: number;
  /** Articles in the period, every article of a multi-article push counted. */
  n: number;
  R: number | null;
  /** 在看 */
  Z: number | null;
  /** 点赞 */
  L: number | null;
  /** 转发 */
  RE: number | null;
  Rt: number | null;
  Zt: number | null;
  Lt: number | null;
  REt: number | null;
  Rmax: number | null;
  Zmax: number | null;
  Lmax: number | null;
  REmax: number | null;
}
type WciSymbol = keyof WciInputs;

export interface WciFormula {
  version: WciVersion;
  source: string;
  blockWeights: Record<WciBlock, number>;
  metricWeights: Partial<Record<WciMetric, number>>;
  scale: number;
}

export type WciNullReason = 'no_articles' | 'reads_missing';

export interface WciResult {
  version: WciVersion;
  value: number | null;
  inputsUsed: WciSymbol[];
  inputsMissing: WciSymbol[];
  reason: WciNullReason | null;
}

export const WCI_FORMULAS: Record<WciVersion, WciFormula> = {
  'wci-v13': {
    version: 'wci-v13',
    source: 'reference §1.3 (V12.0/V13.0)',
    blockWeights: { overall: 0.3, average: 0.3, headline: 0.3, peak: 0.1 },
    metricWeights: { reads: 0.85, zaikan: 0.15 },
    scale: 10,
  },
  'wci-v14.2': {
    version: 'wci-v14.2',
    source: 'reference §1.1 (gsdata-style page, 4 metrics, ×1.2×10)',
    blockWeights: { overall: 0.6, average: 0.2, headline: 0.1, peak: 0.1 },
    metricWeights: { reads: 0.7, zaikan: 0.09, likes: 0.06, shares: 0.15 },
    scale: 12,
  },
  'wci-v14.2-blog': {
    version: 'wci-v14.2-blog',
    source: 'reference §1.2 (2021 blog variant, 3 metrics, ×10)',
    blockWeights: { overall: 0.6, average: 0.2, headline: 0.1, peak: 0.1 },
    metricWeights: { reads: 0.85, zaikan: 0.09, likes: 0.06 },
    scale: 10,
  },
};

// [period sum, headline sum, single-article max] of each metric.
const METRIC_SYMBOLS: Record<WciMetric, readonly [WciSymbol, WciSymbol, WciSymbol]> = {
  reads: ['R', 'Rt', 'Rmax'],
  zaikan: ['Z', 'Zt', 'Zmax'],
  likes: ['L', 'Lt', 'Lmax'],
  shares: ['RE', 'REt', 'REmax'],
};

export function computeWci(
  inputs: WciInputs,
  version: WciVersion = DEFAULT_WCI_VERSION,
): WciResult {
  const formula = WCI_FORMULAS[version];
  checkInputs(inputs);
  const { d, n } = inputs;
  const metrics = Object.keys(formula.metricWeights) as WciMetric[];
  const inputsMissing = metrics.flatMap((m) => METRIC_SYMBOLS[m].filter((s) => inputs[s] === null));
  const present = metrics.filter((m) => METRIC_SYMBOLS[m].every((s) => inputs[s] !== null));
  const unscored = { version, value: null, inputsUsed: [], inputsMissing };
  if (n === 0) return { ...unscored, reason: 'no_articles' };
  if (!present.includes('reads')) return { ...unscored, reason: 'reads_missing' };

  const weightSum = present.reduce((sum, m) => sum + (formula.metricWeights[m] ?? 0), 0);
  const block = (divisor: number, pick: (symbols: readonly WciSymbol[]) => WciSymbol): number =>
    present.reduce((sum, m) => {
      const x = inputs[pick(METRIC_SYMBOLS[m])] ?? 0; // never null here: `present` checked it
      const k = m === 'reads' ? 1 : 10;
      return sum + ((formula.metricWeights[m] ?? 0) / weightSum) * Math.log((k * x) / divisor + 1);
    }, 0);
  const w = formula.blockWeights;
  const total =
    w.overall * block(d, (s) => s[0]) +
    w.average * block(n, (s) => s[0]) +
    w.headline * block(d, (s) => s[1]) +
    w.peak * block(1, (s) => s[2]);
  const inputsUsed: WciSymbol[] = ['d', 'n', ...present.flatMap((m) => METRIC_SYMBOLS[m])];
  return { version, value: total ** 2 * formula.scale, inputsUsed, inputsMissing, reason: null };
}

function checkInputs(inputs: WciInputs): void {
  if (!Number.isInteger(inputs.d) || inputs.d <= 0) {
    throw new RangeError(`WCI d must be a positive integer, got ${inputs.d}`);
  }
  if (!Number.isInteger(inputs.n) || inputs.n < 0) {
    throw new RangeError(`WCI n must be a non-negative integer, got ${inputs.n}`);
  }
  for (const symbol of Object.values(METRIC_SYMBOLS).flat()) {
    const value = inputs[symbol];
    if (value !== null && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`WCI ${symbol} must be a non-negative number or null, got ${value}`);
    }
  }
}

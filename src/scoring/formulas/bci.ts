/**
 * 清博-style BCI (微博传播指数), reference §2.1:
 *   W1 活跃度 = ln(posts + 1)
 *   W2 传播度 = 0.40·ln(reposts + 1) + 0.40·ln(comments + 1) + 0.20·ln(likes + 1)
 *   BCI = (0.20·W1 + 0.80·W2) × 160   (no square)
 *
 * 0 posts is still a BCI: ln(0 + 1) = 0 is defined, and the period's interactions may land on older
 * posts. A missing interaction (null) is dropped from W2 and the other W2 weights re-normalised, as
 * for WCI; with none of them known the score is null (W2 is 80% of it).
 */

export const BCI_VERSIONS = ['bci-2021'] as const;
export type BciVersion = (typeof BCI_VERSIONS)[number];
export const DEFAULT_BCI_VERSION: BciVersion = 'bci-2021';

type BciInteraction = 'reposts' | 'comments' | 'likes';

export interface BciInputs {
  /** 发博数, reposts by the account included (清博's definition). */
  posts: number;
  /** 转发数 received by the period's posts. */
  reposts: number | null;
  comments: number | null;
  likes: number | null;
}

export interface BciFormula {
  version: BciVersion;
  source: string;
  activityWeight: number;
  spreadWeight: number;
  spreadWeights: Record<BciInteraction, number>;
  scale: number;
}

export interface BciResult {
  version: BciVersion;
  value: number | null;
  inputsUsed: (keyof BciInputs)[];
  inputsMissing: (keyof BciInputs)[];
  reason: 'interactions_missing' | null;
}

export const BCI_FORMULAS: Record<BciVersion, BciFormula> = {
  'bci-2021': {
    version: 'bci-2021',
    source: 'reference §2.1 (provincial 微博影响力指数 datasets)',
    activityWeight: 0.2,
    spreadWeight: 0.8,
    spreadWeights: { reposts: 0.4, comments: 0.4, likes: 0.2 },
    scale: 160,
  },
};

const INTERACTIONS: readonly BciInteraction[] = ['reposts', 'comments', 'likes'];

export function computeBci(
  inputs: BciInputs,
  version: BciVersion = DEFAULT_BCI_VERSION,
): BciResult {
  const formula = BCI_FORMULAS[version];
  checkInputs(inputs);
  const present = INTERACTIONS.filter((k) => inputs[k] !== null);
  const inputsMissing = INTERACTIONS.filter((k) => inputs[k] === null);
  if (present.length === 0) {
    return { version, value: null, inputsUsed: [], inputsMissing, reason: 'interactions_missing' };
  }
  const weightSum = present.reduce((sum, k) => sum + formula.spreadWeights[k], 0);
  const w1 = Math.log(inputs.posts + 1);
  const w2 = present.reduce(
    (sum, k) => sum + (formula.spreadWeights[k] / weightSum) * Math.log((inputs[k] ?? 0) + 1),
    0,
  );
  const value = (formula.activityWeight * w1 + formula.spreadWeight * w2) * formula.scale;
  return { version, value, inputsUsed: ['posts', ...present], inputsMissing, reason: null };
}

function checkInputs(inputs: BciInputs): void {
  if (!Number.isInteger(inputs.posts) || inputs.posts < 0) {
    throw new RangeError(`BCI posts must be a non-negative integer, got ${inputs.posts}`);
  }
  for (const k of INTERACTIONS) {
    const value = inputs[k];
    if (value !== null && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`BCI ${k} must be a non-negative number or null, got ${value}`);
    }
  }
}

import { BCI_FORMULAS, type BciVersion } from '../formulas/bci';
import { WCI_FORMULAS, type WciMetric, type WciVersion } from '../formulas/wci';
import { DORMANT_AFTER_DAYS, STALE_AFTER_DAYS } from '../formulas/activity';

/*
 * SQL mirrors of the pure formulas (../formulas), generated from the same weight tables so the two
 * cannot drift. Each mirrors the TypeScript's order of operations term by term (float8 arithmetic
 * in the same order, absent terms exactly 0), so SQL and TS agree to the last bits up to the
 * platforms' ln() (glibc vs V8, ≤ 1 ulp each); score-formulas.sql.int.spec.ts proves it on the
 * reference vectors and random inputs. Column names are those of the score run's `base` CTE.
 */

/** A float8 literal that parses to exactly the JS double. */
function f(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return `${String(x)}::float8`;
}

/** Columns holding [period sum, headline sum, single-article max] of each WCI metric. */
export const WCI_COLUMNS: Record<WciMetric, readonly [string, string, string]> = {
  reads: ['r', 'rt', 'rmax'],
  zaikan: ['z', 'zt', 'zmax'],
  likes: ['l', 'lt', 'lmax'],
  shares: ['re', 'ret', 'remax'],
};

/** The symbols computeWci reports, by column. */
const WCI_SYMBOLS: Record<WciMetric, readonly [string, string, string]> = {
  reads: ['R', 'Rt', 'Rmax'],
  zaikan: ['Z', 'Zt', 'Zmax'],
  likes: ['L', 'Lt', 'Lmax'],
  shares: ['RE', 'REt', 'REmax'],
};

export interface ScoreSql {
  /**
   * Intermediate columns (`expr AS f_name`), computed one layer after the other so every
   * sub-expression is evaluated once per row (see `layered`).
   */
  layers: string[][];
  /** float8, NULL when not computable. */
  score: string;
  /** text[] like the TS result's inputsUsed (empty when the score is NULL). */
  inputsUsed: string;
  /** text[] like inputsMissing. */
  inputsMissing: string;
}

/**
 * `SELECT *, <layer n> FROM (… SELECT *, <layer 1> FROM <from> OFFSET 0 …)`: OFFSET 0 keeps the
 * planner from flattening the layers (which would substitute, and so repeat, the expressions).
 * `from` is a table expression with an alias; the result is aliased `alias`.
 */
export function layered(from: string, layers: readonly string[][], alias = 'x'): string {
  return layers.reduce(
    (inner, layer, i) =>
      `(SELECT l${i}.*, ${layer.join(', ')} FROM ${inner} OFFSET 0) ${i === layers.length - 1 ? alias : `l${i + 1}`}`,
    `(SELECT * FROM ${from} OFFSET 0) l0`,
  );
}

/**
 * computeWci as SQL over columns n, d and WCI_COLUMNS (bigint, NULL = missing). `d` is an SQL
 * expression (a parameter).
 */
export function wciSql(version: WciVersion, d: string): ScoreSql {
  const formula = WCI_FORMULAS[version];
  const metrics = Object.keys(formula.metricWeights) as WciMetric[];
  const present = (m: WciMetric) => `f_p_${m}`;
  const weight = (m: WciMetric) => formula.metricWeights[m] ?? 0;
  const presence = metrics.map(
    (m) => `(${WCI_COLUMNS[m].map((c) => `${c} IS NOT NULL`).join(' AND ')}) AS ${present(m)}`,
  );
  const weightSum = metrics.reduce(
    (sum, m) => `(${sum} + CASE WHEN ${present(m)} THEN ${f(weight(m))} ELSE 0::float8 END)`,
    '0::float8',
  );
  const block = (divisor: string, pick: 0 | 1 | 2) =>
    metrics.reduce((sum, m) => {
      const k = m === 'reads' ? 1 : 10;
      const x = WCI_COLUMNS[m][pick];
      const term = `(${f(weight(m))} / f_ws) * ln((${f(k)} * ${x}::float8) / ${divisor} + 1::float8)`;
      return `(${sum} + CASE WHEN ${present(m)} THEN ${term} ELSE 0::float8 END)`;
    }, '0::float8');
  const w = formula.blockWeights;
  const dd = `(${d})::float8`;
  const blocks = [
    `${block(dd, 0)} AS f_b_overall`,
    // n = 0 has no average (float8 / 0 raises): NULL, and the score is NULL then anyway.
    `${block('nullif(n, 0)::float8', 0)} AS f_b_average`,
    `${block(dd, 1)} AS f_b_headline`,
    `${block('1::float8', 2)} AS f_b_peak`,
  ];
  const total =
    `((((${f(w.overall)} * f_b_overall) + (${f(w.average)} * f_b_average))` +
    ` + (${f(w.headline)} * f_b_headline)) + (${f(w.peak)} * f_b_peak)) AS f_total`;
  const scorable = `(n > 0 AND ${present('reads')})`;
  const missing = metrics.flatMap((m) =>
    WCI_COLUMNS[m].map((c, i) => `CASE WHEN ${c} IS NULL THEN '${WCI_SYMBOLS[m][i]}' END`),
  );
  const used = metrics.map(
    (m) =>
      `CASE WHEN ${present(m)} THEN ARRAY[${WCI_SYMBOLS[m].map((s) => `'${s}'`).join(', ')}]::text[] ELSE '{}'::text[] END`,
  );
  // Every metric present (the usual row): the arrays are constants, not built per row.
  const allPresent = `(${metrics.map(present).join(' AND ')})`;
  const allUsed = ['d', 'n', ...metrics.flatMap((m) => WCI_SYMBOLS[m])];
  return {
    layers: [presence, [`${weightSum} AS f_ws`], blocks, [total]],
    score: `CASE WHEN ${scorable} THEN (f_total * f_total) * ${f(formula.scale)} END`,
    inputsUsed: `CASE WHEN n > 0 AND ${allPresent} THEN '{${allUsed.join(',')}}'::text[]
      WHEN ${scorable} THEN ARRAY['d', 'n']::text[] || ${used.join(' || ')} ELSE '{}'::text[] END`,
    inputsMissing: `CASE WHEN ${allPresent} THEN '{}'::text[]
      ELSE array_remove(ARRAY[${missing.join(', ')}]::text[], NULL) END`,
  };
}

const BCI_INTERACTIONS = ['reposts', 'comments', 'likes'] as const;

/** computeBci as SQL over columns n (posts), reposts, comments and `likes` (default l). */
export function bciSql(version: BciVersion, columns = { likes: 'l' }): ScoreSql {
  const formula = BCI_FORMULAS[version];
  const col = (k: (typeof BCI_INTERACTIONS)[number]) => (k === 'likes' ? columns.likes : k);
  const present = (k: (typeof BCI_INTERACTIONS)[number]) => `f_p_${k}`;
  const weightSum = BCI_INTERACTIONS.reduce(
    (sum, k) =>
      `(${sum} + CASE WHEN ${present(k)} THEN ${f(formula.spreadWeights[k])} ELSE 0::float8 END)`,
    '0::float8',
  );
  const w2 = BCI_INTERACTIONS.reduce((sum, k) => {
    const term = `(${f(formula.spreadWeights[k])} / f_ws) * ln(${col(k)}::float8 + 1::float8)`;
    return `(${sum} + CASE WHEN ${present(k)} THEN ${term} ELSE 0::float8 END)`;
  }, '0::float8');
  const w1 = `ln(n::float8 + 1::float8)`;
  const scorable = `(${BCI_INTERACTIONS.map(present).join(' OR ')})`;
  return {
    layers: [
      BCI_INTERACTIONS.map((k) => `(${col(k)} IS NOT NULL) AS ${present(k)}`),
      [`${weightSum} AS f_ws`],
      [`${w2} AS f_w2`],
    ],
    score: `CASE WHEN ${scorable} THEN ((${f(formula.activityWeight)} * ${w1}) + (${f(formula.spreadWeight)} * f_w2)) * ${f(formula.scale)} END`,
    inputsUsed: `CASE WHEN ${scorable} THEN ARRAY['posts']::text[] || array_remove(ARRAY[${BCI_INTERACTIONS.map((k) => `CASE WHEN ${present(k)} THEN '${k}' END`).join(', ')}]::text[], NULL) ELSE '{}'::text[] END`,
    inputsMissing: `array_remove(ARRAY[${BCI_INTERACTIONS.map((k) => `CASE WHEN NOT ${present(k)} THEN '${k}' END`).join(', ')}]::text[], NULL)`,
  };
}

export interface ActivitySql {
  score: string;
  stale: string;
  dormant: string;
}

/**
 * computeActivity (activity-v1) over columns n (posts), active_days and days_since_last_post
 * (NULL: never posted); `days` is the period length expression.
 */
export function activitySql(days: string): ActivitySql {
  const dd = `(${days})::float8`;
  const recency = `CASE WHEN days_since_last_post IS NULL THEN 0::float8 ELSE greatest(0::float8, 1::float8 - days_since_last_post::float8 / ${f(STALE_AFTER_DAYS)}) END`;
  return {
    score: `${f(100)} * (((${f(0.6)} * (active_days::float8 / ${dd})) + (${f(0.2)} * least(n::float8 / ${dd}, 1::float8))) + (${f(0.2)} * ${recency}))`,
    stale: `(days_since_last_post IS NULL OR days_since_last_post >= ${STALE_AFTER_DAYS})`,
    dormant: `(days_since_last_post IS NULL OR days_since_last_post >= ${DORMANT_AFTER_DAYS})`,
  };
}

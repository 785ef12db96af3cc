import { agnes } from 'ml-hclust';

export interface ClusterRow {
  id: string;
  values: readonly (number | null)[];
  // The region's index total: only used to number the clusters, never clustered on.
  total?: number;
}

export interface ClusteringOptions {
  k?: number;
  standardise?: boolean;
  // Seed 004 gives indicators of a missing platform one fixed value (统一定值) before clustering.
  missingValue?: number;
}

export interface ClusterSummary {
  cluster: number;
  size: number;
  ids: string[];
  // 聚类均值表: raw (unstandardised) means per indicator, in input order.
  means: number[];
  totalMean: number | null;
}

export interface ClusteringResult {
  assignments: { id: string; cluster: number }[];
  clusters: ClusterSummary[];
  // Constant indicators separate nobody and have no z-score; seed 004 drops them too.
  droppedIndicators: number[];
}

export const DEFAULT_CLUSTER_COUNT = 4;

/**
 * 系统聚类, Ward's minimum-variance method (离差平方和法) on z-scored indicators. Clusters are
 * numbered 1..k by descending mean total (or, without totals, mean z-score), so that cluster 1
 * is the strongest group in every edition.
 */
export function clusterWard(
  rows: readonly ClusterRow[],
  options: ClusteringOptions = {},
): ClusteringResult {
  const { k = DEFAULT_CLUSTER_COUNT, standardise = true, missingValue } = options;
  if (rows.length === 0) throw new RangeError('give at least one region to cluster');
  if (!Number.isInteger(k) || k < 1 || k > rows.length) {
    throw new RangeError(`k must be an integer from 1 to the number of regions (${rows.length})`);
  }
  const width = rows[0].values.length;
  const raw = rows.map((row) => {
    if (row.values.length !== width) {
      throw new RangeError(`${row.id} has ${row.values.length} indicators, expected ${width}`);
    }
    return row.values.map((v, j) => {
      const x = v ?? missingValue;
      if (x === undefined) throw new RangeError(`${row.id} lacks indicator ${j}: set missingValue`);
      if (!Number.isFinite(x)) throw new RangeError(`${row.id} indicator ${j} is not a number`);
      return x;
    });
  });

  const columns = Array.from({ length: width }, (_, j) => raw.map((r) => r[j]));
  const droppedIndicators = columns.flatMap((c, j) => (c.every((x) => x === c[0]) ? [j] : []));
  const kept = columns.flatMap((c, j) => (droppedIndicators.includes(j) ? [] : [c]));
  if (kept.length === 0 && k > 1) {
    throw new RangeError('every indicator is constant: nothing separates the regions');
  }
  const scaled = kept.map((c) => (standardise ? zScores(c) : c));
  const points = rows.map((_, i) => scaled.map((c) => c[i]));

  // 'ward2' is ward.D2: Lance–Williams on squared Euclidean distances, i.e. Ward's criterion.
  // ml-hclust's 'ward' applies the recurrence to plain distances (ward.D) and is not.
  const groups =
    kept.length === 0
      ? [rows.map((_, i) => i)]
      : agnes(points, { method: 'ward2' })
          .group(k)
          .children.map((c) => c.indices());

  const given = rows.map((r) => r.total);
  const totals = given.every((t): t is number => t !== undefined) ? given : null;
  const strength = (members: number[]): number =>
    mean(members.map((i) => (totals ? totals[i] : mean(points[i]))));
  const ordered = groups
    .map((members) => [...members].sort((a, b) => a - b))
    .sort((a, b) => strength(b) - strength(a) || a[0] - b[0]);

  const clusterOf = new Array<number>(rows.length);
  const clusters = ordered.map((members, index): ClusterSummary => {
    for (const i of members) clusterOf[i] = index + 1;
    return {
      cluster: index + 1,
      size: members.length,
      ids: members.map((i) => rows[i].id),
      means: columns.map((c) => mean(members.map((i) => c[i]))),
      totalMean: totals ? mean(members.map((i) => totals[i])) : null,
    };
  });
  return {
    assignments: rows.map((r, i) => ({ id: r.id, cluster: clusterOf[i] })),
    clusters,
    droppedIndicators,
  };
}

// Sample standard deviation, as SPSS's Z scores; the choice does not move a Ward partition.
function zScores(column: readonly number[]): number[] {
  const m = mean(column);
  const n = column.length;
  const sd = Math.sqrt(column.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, n - 1));
  return column.map((x) => (x - m) / sd);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

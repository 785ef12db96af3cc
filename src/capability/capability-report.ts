import { type Band, type BandRow, classifyBand } from './bands';
import { type ClusteringResult, DEFAULT_CLUSTER_COUNT, clusterWard } from './clustering';
import { type CapabilityTier, TIER_LABELS, published } from './edition-results';
import { type GradeBand, gradeByDifferenceTrend } from './grades';
import { type IndicatorTree, leafWeights } from './indicator-tree';
import {
  type ComparisonStatus,
  type RegionResult,
  buildBandTable,
  buildEditionComparison,
  buildProvinceDistribution,
  buildRankingTable,
  buildSubCapabilityMeans,
} from './report-tables';

/** A region's stored result as the report reads it (all regions of the tier, not-opened too). */
export interface ReportRegion {
  regionCode: string;
  name: string;
  provinceCode: string;
  provinceName: string;
  accountId: number | null;
  accountName: string | null;
  opened: boolean;
  total: number | null;
  subIndices: Readonly<Record<string, number | null>>;
  leafScores: Readonly<Record<string, number>>;
  missing: readonly string[];
}

export interface ReportInput {
  tier: CapabilityTier;
  /** The tree version the results were computed with. */
  tree: IndicatorTree;
  bands: readonly Band[];
  gradeLetters: readonly string[];
  regions: readonly ReportRegion[];
  previous?: {
    edition: { id: number; code: string; name: string };
    regions: readonly ReportRegion[];
  };
  /** Cluster count asked for; default min(4, scored regions). */
  k?: number;
  /** Which regions the caller may see listed (a region-scoped key); aggregates stay the tier's. */
  visible?: (regionCode: string) => boolean;
}

export interface Column {
  code: string;
  name: string;
  weight: number;
}

export interface RankingEntry {
  rank: number;
  regionCode: string;
  name: string;
  provinceCode: string;
  provinceName: string;
  accountId: number | null;
  accountName: string | null;
  total: number;
  band: string;
  bandLabel: string;
  grade: string;
  subgrade: string;
  cluster: number | null;
  subIndices: Record<string, number | null>;
}

export interface RegionEntry {
  regionCode: string;
  name: string;
  provinceCode: string;
  provinceName: string;
}

export interface CapabilityReport {
  tier: CapabilityTier;
  tierLabel: string;
  subCapabilities: Column[];
  regions: number;
  ranking: RankingEntry[];
  notOpened: RegionEntry[];
  unscored: (RegionEntry & { missing: string[] })[];
  subCapabilityMeans: (Column & { mean: number | null; count: number })[];
  bandDistribution: {
    rows: (Omit<BandRow, 'sharePctRounded'> & { sharePctRounded: number })[];
    notOpened: { count: number; sharePct: number; sharePctRounded: number };
    unscoredCount: number;
    denominator: number;
    tierMean: number | null;
  };
  grades: { method: 'difference-trend'; letters: string[]; bands: GradeBand[] };
  clustering: {
    k: number;
    method: 'ward';
    indicators: Column[];
    droppedIndicators: string[];
    clusters: {
      cluster: number;
      size: number;
      regions: string[];
      totalMean: number | null;
      means: Record<string, number>;
    }[];
    note: string | null;
  } | null;
  comparison: {
    previousEdition: { id: number; code: string; name: string };
    rows: (RegionEntry & {
      status: ComparisonStatus;
      rank: number | null;
      previousRank: number | null;
      rankChange: number | null;
      total: number | null;
      previousTotal: number | null;
      totalChange: number | null;
      subIndexChanges: Record<string, number | null>;
    })[];
    newlyOpened: RegionEntry[];
    closed: RegionEntry[];
    dropped: RegionEntry[];
  } | null;
  provinceDistribution:
    | {
        provinceCode: string;
        provinceName: string;
        counts: Record<string, number>;
        notOpened: number;
        unscored: number;
        total: number;
      }[]
    | null;
}

export class ClusterCountError extends RangeError {}

/**
 * Every report table of one tier from stored results: ranking (表2-7/2-8), sub-capability means
 * (图2-20), band distribution (表2-9, not-opened regions in the denominator), difference-trend
 * grades (seed 001), Ward clusters on the standardised leaf indicators (seed 004), the comparison
 * with a previous edition and, for prefectures, the distribution by province. Scores are taken
 * at their published two decimals, as the seeds compute their tables.
 */
export function buildCapabilityReport(input: ReportInput): CapabilityReport {
  const visible = input.visible ?? (() => true);
  const firstLevel: Column[] = input.tree.children.map((c) => ({
    code: c.code,
    name: c.name,
    weight: c.weight,
  }));
  const byCode = new Map(input.regions.map((r) => [r.regionCode, r]));
  const entry = (code: string): RegionEntry => {
    const r = byCode.get(code);
    return {
      regionCode: code,
      name: r?.name ?? code,
      provinceCode: r?.provinceCode ?? code,
      provinceName: r?.provinceName ?? '',
    };
  };
  const current = input.regions.map(toRegionResult);
  const ranking = buildRankingTable(current);

  const grades = gradeByDifferenceTrend(
    ranking.rows.map((r) => ({ id: r.regionCode, score: r.total })),
    input.gradeLetters,
  );
  const gradeOf = new Map(grades.assignments.map((a) => [a.id, a]));

  const leaves = leafWeights(input.tree);
  const clustering = clusterRegions(
    input,
    ranking.rows.map((r) => r.regionCode),
    leaves,
    byCode,
  );
  const clusterOf = new Map(clustering?.result?.assignments.map((a) => [a.id, a.cluster]) ?? []);

  const bandTable = buildBandTable(current, input.bands);
  const bandLabel = new Map(input.bands.map((b) => [b.code, b.label]));
  const means = buildSubCapabilityMeans(
    current,
    firstLevel.map((c) => c.code),
  );

  let comparison: CapabilityReport['comparison'] = null;
  if (input.previous) {
    const previousByCode = new Map(input.previous.regions.map((r) => [r.regionCode, r]));
    const pick = (code: string): RegionEntry => {
      const r = byCode.get(code) ?? previousByCode.get(code);
      return {
        regionCode: code,
        name: r?.name ?? code,
        provinceCode: r?.provinceCode ?? code,
        provinceName: r?.provinceName ?? '',
      };
    };
    const compared = buildEditionComparison(current, input.previous.regions.map(toRegionResult));
    comparison = {
      previousEdition: input.previous.edition,
      rows: compared.rows
        .filter((r) => visible(r.regionCode))
        .map((r) => ({
          ...pick(r.regionCode),
          status: r.status,
          rank: r.rank,
          previousRank: r.previousRank,
          rankChange: r.rankChange,
          total: r.total,
          previousTotal: r.previousTotal,
          totalChange: r.totalChange === null ? null : published(r.totalChange),
          subIndexChanges: Object.fromEntries(
            Object.entries(r.subIndexChanges).map(([k, v]) => [
              k,
              v === null ? null : published(v),
            ]),
          ),
        })),
      newlyOpened: compared.newlyOpened
        .filter((r) => visible(r.regionCode))
        .map((r) => pick(r.regionCode)),
      closed: compared.closed.filter((r) => visible(r.regionCode)).map((r) => pick(r.regionCode)),
      dropped: compared.dropped.filter((r) => visible(r.regionCode)).map((r) => pick(r.regionCode)),
    };
  }

  const provinceNames = new Map(input.regions.map((r) => [r.provinceCode, r.provinceName]));
  const provinceDistribution =
    input.tier === 'prefecture'
      ? buildProvinceDistribution(current, input.bands)
          .filter((row) =>
            input.regions.some((r) => r.provinceCode === row.provinceCode && visible(r.regionCode)),
          )
          .map((row) => ({ ...row, provinceName: provinceNames.get(row.provinceCode) ?? '' }))
      : null;

  return {
    tier: input.tier,
    tierLabel: TIER_LABELS[input.tier],
    subCapabilities: firstLevel,
    regions: input.regions.length,
    ranking: ranking.rows
      .filter((r) => visible(r.regionCode))
      .map((r): RankingEntry => {
        const region = byCode.get(r.regionCode)!;
        const grade = gradeOf.get(r.regionCode)!;
        const band = classifyBand(r.total, input.bands).code;
        return {
          rank: r.rank,
          ...entry(r.regionCode),
          accountId: region.accountId,
          accountName: region.accountName,
          total: r.total,
          band,
          bandLabel: bandLabel.get(band) ?? band,
          grade: grade.grade,
          subgrade: grade.subgrade,
          cluster: clusterOf.get(r.regionCode) ?? null,
          // In the tree's order (jsonb does not keep key order).
          subIndices: Object.fromEntries(
            firstLevel.map((c) => [c.code, r.subIndices[c.code] ?? null]),
          ),
        };
      }),
    notOpened: ranking.notOpened
      .filter((r) => visible(r.regionCode))
      .map((r) => entry(r.regionCode)),
    unscored: ranking.unscored
      .filter((r) => visible(r.regionCode))
      .map((r) => ({
        ...entry(r.regionCode),
        missing: [...(byCode.get(r.regionCode)?.missing ?? [])],
      })),
    subCapabilityMeans: firstLevel.map((c, i) => ({
      ...c,
      mean: means[i].mean,
      count: means[i].count,
    })),
    bandDistribution: {
      rows: bandTable.rows,
      notOpened: bandTable.notOpened,
      unscoredCount: bandTable.unscoredCount,
      denominator: bandTable.denominator,
      tierMean: bandTable.tierMean,
    },
    grades: { method: 'difference-trend', letters: [...input.gradeLetters], bands: grades.grades },
    clustering:
      clustering === null
        ? null
        : {
            k: clustering.k,
            method: 'ward',
            indicators: leaves.map((l) => ({ code: l.code, name: l.name, weight: l.weight })),
            droppedIndicators:
              clustering.result?.droppedIndicators.map((j) => leaves[j].code) ?? [],
            clusters:
              clustering.result?.clusters.map((c) => ({
                cluster: c.cluster,
                size: c.size,
                regions: c.ids.filter(visible),
                totalMean: c.totalMean,
                means: Object.fromEntries(leaves.map((l, j) => [l.code, c.means[j]])),
              })) ?? [],
            note: clustering.note,
          },
    comparison,
    provinceDistribution,
  };
}

function clusterRegions(
  input: ReportInput,
  scored: readonly string[],
  leaves: ReturnType<typeof leafWeights>,
  byCode: ReadonlyMap<string, ReportRegion>,
): { k: number; result: ClusteringResult | null; note: string | null } | null {
  if (scored.length === 0) {
    if (input.k !== undefined)
      throw new ClusterCountError('no region of the tier has a total to cluster');
    return null;
  }
  if (input.k !== undefined && input.k > scored.length) {
    throw new ClusterCountError(
      `k is ${input.k} but only ${scored.length} regions of the tier have a total: use k ≤ ${scored.length}`,
    );
  }
  const k = input.k ?? Math.min(DEFAULT_CLUSTER_COUNT, scored.length);
  try {
    const result = clusterWard(
      scored.map((code) => {
        const region = byCode.get(code)!;
        return {
          id: code,
          values: leaves.map((l) => region.leafScores[l.code] ?? null),
          total: published(region.total!),
        };
      }),
      { k },
    );
    return { k, result, note: null };
  } catch (err) {
    if (err instanceof RangeError) return { k, result: null, note: err.message };
    throw err;
  }
}

function toRegionResult(r: ReportRegion): RegionResult {
  return {
    regionCode: r.regionCode,
    name: r.name,
    provinceCode: r.provinceCode,
    opened: r.opened,
    total: r.total === null ? null : published(r.total),
    subIndices: Object.fromEntries(
      Object.entries(r.subIndices).map(([k, v]) => [k, v === null ? null : published(v)]),
    ),
  };
}

import {
  bandDistribution,
  classifyBand,
  DEFAULT_BANDS,
  sortBands,
  type Band,
  type BandDistribution,
} from './bands';

export interface RegionResult {
  regionCode: string;
  name: string;
  provinceCode: string;
  // 已开通: the region has an account; a region without one has no scores at all.
  opened: boolean;
  total: number | null;
  subIndices: Readonly<Record<string, number | null>>;
}

export type RegionRef = Pick<RegionResult, 'regionCode' | 'name' | 'provinceCode'>;

export interface RankingRow extends RegionRef {
  rank: number;
  total: number;
  subIndices: Readonly<Record<string, number | null>>;
}

export interface RankingTable {
  rows: RankingRow[];
  notOpened: RegionRef[];
  // Opened but without a total (assessment not finished): neither ranked nor counted in bands.
  unscored: RegionRef[];
}

export interface SubCapabilityMean {
  code: string;
  mean: number | null;
  count: number;
}

export type ComparisonStatus =
  'continuing' | 'newly_opened' | 'closed' | 'not_opened' | 'not_in_previous';

export interface ComparisonRow extends RegionRef {
  status: ComparisonStatus;
  rank: number | null;
  previousRank: number | null;
  // Positive = moved up (贵州 15th → 2nd is +13).
  rankChange: number | null;
  total: number | null;
  previousTotal: number | null;
  totalChange: number | null;
  subIndexChanges: Record<string, number | null>;
}

export interface EditionComparison {
  rows: ComparisonRow[];
  newlyOpened: RegionRef[];
  closed: RegionRef[];
  // In the previous edition's cohort, absent from this one.
  dropped: RegionRef[];
}

export interface ProvinceBandRow {
  provinceCode: string;
  counts: Record<string, number>;
  notOpened: number;
  unscored: number;
  total: number;
}

/** Competition ranks (1, 2, 2, 4) of scores, in input order. */
export function competitionRanks(scores: readonly number[]): number[] {
  return scores.map((s) => 1 + scores.filter((other) => other > s).length);
}

export function buildRankingTable(results: readonly RegionResult[]): RankingTable {
  const scored = results
    .filter((r): r is RegionResult & { total: number } => r.opened && r.total !== null)
    .sort((a, b) => b.total - a.total || a.regionCode.localeCompare(b.regionCode));
  const ranks = competitionRanks(scored.map((r) => r.total));
  return {
    rows: scored.map((r, i) => ({
      ...ref(r),
      rank: ranks[i],
      total: r.total,
      subIndices: r.subIndices,
    })),
    notOpened: results.filter((r) => !r.opened).map(ref),
    unscored: results.filter((r) => r.opened && r.total === null).map(ref),
  };
}

/** 子能力总体指数: the tier's mean of each sub-index over the opened regions that have it. */
export function buildSubCapabilityMeans(
  results: readonly RegionResult[],
  codes: readonly string[],
): SubCapabilityMean[] {
  return codes.map((code) => {
    const values = results
      .filter((r) => r.opened)
      .map((r) => r.subIndices[code])
      .filter((v): v is number => v !== null && v !== undefined);
    return {
      code,
      count: values.length,
      mean: values.length === 0 ? null : sum(values) / values.length,
    };
  });
}

export function buildBandTable(
  results: readonly RegionResult[],
  bands: readonly Band[] = DEFAULT_BANDS,
): BandDistribution & { unscoredCount: number } {
  const table = buildRankingTable(results);
  return {
    ...bandDistribution(
      table.rows.map((r) => r.total),
      table.notOpened.length,
      bands,
    ),
    unscoredCount: table.unscored.length,
  };
}

export function buildEditionComparison(
  current: readonly RegionResult[],
  previous: readonly RegionResult[],
): EditionComparison {
  const rankNow = rankByCode(current);
  const rankBefore = rankByCode(previous);
  const before = new Map(previous.map((r) => [r.regionCode, r]));
  const codesNow = new Set(current.map((r) => r.regionCode));

  const rows = current.map((cur): ComparisonRow => {
    const prev = before.get(cur.regionCode);
    const rank = rankNow.get(cur.regionCode) ?? null;
    const previousRank = rankBefore.get(cur.regionCode) ?? null;
    const previousTotal = prev?.total ?? null;
    const subCodes = new Set([
      ...Object.keys(cur.subIndices),
      ...Object.keys(prev?.subIndices ?? {}),
    ]);
    return {
      ...ref(cur),
      status: statusOf(cur, prev),
      rank,
      previousRank,
      rankChange: rank !== null && previousRank !== null ? previousRank - rank : null,
      total: cur.total,
      previousTotal,
      totalChange: difference(cur.total, previousTotal),
      subIndexChanges: Object.fromEntries(
        [...subCodes].map((c) => [c, difference(cur.subIndices[c], prev?.subIndices[c])]),
      ),
    };
  });
  rows.sort(
    (a, b) =>
      (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.regionCode.localeCompare(b.regionCode),
  );
  return {
    rows,
    newlyOpened: rows.filter((r) => r.status === 'newly_opened').map(ref),
    closed: rows.filter((r) => r.status === 'closed').map(ref),
    dropped: previous.filter((r) => !codesNow.has(r.regionCode)).map(ref),
  };
}

/** 地域分布 of prefecture results: how many cities of each province fall in each band. */
export function buildProvinceDistribution(
  results: readonly RegionResult[],
  bands: readonly Band[] = DEFAULT_BANDS,
): ProvinceBandRow[] {
  const sorted = sortBands(bands);
  const rows = new Map<string, ProvinceBandRow>();
  for (const r of results) {
    let row = rows.get(r.provinceCode);
    if (row === undefined) {
      row = {
        provinceCode: r.provinceCode,
        counts: Object.fromEntries(sorted.map((b) => [b.code, 0])),
        notOpened: 0,
        unscored: 0,
        total: 0,
      };
      rows.set(r.provinceCode, row);
    }
    row.total++;
    if (!r.opened) row.notOpened++;
    else if (r.total === null) row.unscored++;
    else row.counts[classifyBand(r.total, sorted).code]++;
  }
  return [...rows.values()].sort((a, b) => a.provinceCode.localeCompare(b.provinceCode));
}

function statusOf(cur: RegionResult, prev: RegionResult | undefined): ComparisonStatus {
  if (prev === undefined) return 'not_in_previous';
  if (cur.opened) return prev.opened ? 'continuing' : 'newly_opened';
  return prev.opened ? 'closed' : 'not_opened';
}

function rankByCode(results: readonly RegionResult[]): Map<string, number> {
  return new Map(buildRankingTable(results).rows.map((r) => [r.regionCode, r.rank]));
}

function difference(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : a - b;
}

function ref(r: RegionRef): RegionRef {
  return { regionCode: r.regionCode, name: r.name, provinceCode: r.provinceCode };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

import { type Band, classifyBand } from './bands';
import { type IndicatorTree, type MeasuredSource, leafWeights, scoreTree } from './indicator-tree';
import {
  type MeasuredRaw,
  daysWithoutUpdateScore,
  timelinessScore,
  updateFrequencyScore,
} from './measures';
import { type MenuObservation, menuPresenceScore } from './menu-presence';
import { type NormaliseMethod, normaliseCohort } from './normalise';
import { buildRankingTable } from './report-tables';

// 直辖市 / 省级 (省 + 自治区) / 地级 (every prefecture-level division)
export const CAPABILITY_TIERS = ['municipality', 'province', 'prefecture'] as const;
export type CapabilityTier = (typeof CAPABILITY_TIERS)[number];

export const TIER_LABELS: Record<CapabilityTier, string> = {
  municipality: '直辖市',
  province: '省级',
  prefecture: '地级市',
};

/** One region of the edition's cohort; accountId null = 未开通 (no government WeChat account). */
export interface CohortMember {
  regionCode: string;
  name: string;
  tier: CapabilityTier;
  provinceCode: string;
  accountId: number | null;
}

export interface ComputeInput {
  tree: IndicatorTree;
  members: readonly CohortMember[];
  /** region code → indicator code → score 0–100. */
  assessments: ReadonlyMap<string, Readonly<Record<string, number>>>;
  /** account id → raw measured inputs. */
  measured: ReadonlyMap<number, MeasuredRaw>;
  /** account id → custom-menu evidence; given when the tree has a menu_presence leaf. */
  menus?: ReadonlyMap<number, MenuObservation>;
  normalisation: NormaliseMethod;
  bands: readonly Band[];
}

export interface ResultMeasures extends MeasuredRaw {
  /** The WCI normalised within the tier's cohort: the influence leaf. */
  influence: number | null;
  /** The custom-menu snapshot used (or why there is none), when the tree scores menu_presence. */
  menu?: MenuObservation;
}

export interface ComputedResult {
  regionCode: string;
  tier: CapabilityTier;
  provinceCode: string;
  accountId: number | null;
  opened: boolean;
  total: number | null;
  rank: number | null;
  band: string | null;
  /** First-level indicators (the sub-capabilities) → score 0–100. */
  subIndices: Record<string, number | null>;
  /** Every node below the root → score 0–100. */
  nodes: Record<string, number | null>;
  /** Every leaf value used. */
  leafScores: Record<string, number>;
  /** Leaves without a value: the total waits for them. */
  missing: string[];
  measures: ResultMeasures | null;
}

/** Published figures have two decimals; ranks and bands are decided on them (ties stay ties). */
export function published(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * The edition's results: per tier, influence is the WCI normalised within the tier's opened
 * regions, the other measured leaves are absolute rules (measures.ts), assessed leaves are the
 * evaluators' scores; the tree's weighted sums give the total and sub-indices, then competition
 * ranks and bands per tier on the published (2-decimal) totals.
 */
export function computeEditionResults(input: ComputeInput): ComputedResult[] {
  const leaves = leafWeights(input.tree);
  const firstLevel = input.tree.children.map((c) => c.code);
  const out: ComputedResult[] = [];
  const tiers = new Set(input.members.map((m) => m.tier));
  for (const tier of tiers) {
    const members = input.members.filter((m) => m.tier === tier);
    const raws = members.map((m) =>
      m.accountId === null ? null : (input.measured.get(m.accountId) ?? null),
    );
    const influence = normaliseCohort(
      raws.map((r) => r?.wci ?? null),
      input.normalisation,
    );
    const results = members.map((member, i): ComputedResult => {
      const base = {
        regionCode: member.regionCode,
        tier,
        provinceCode: member.provinceCode,
        accountId: member.accountId,
        rank: null,
        band: null,
      };
      if (member.accountId === null) {
        return {
          ...base,
          opened: false,
          total: null,
          subIndices: Object.fromEntries(firstLevel.map((c) => [c, null])),
          nodes: {},
          leafScores: {},
          missing: [],
          measures: null,
        };
      }
      const raw = raws[i];
      const menu = input.menus?.get(member.accountId);
      const measures: ResultMeasures | null =
        raw === null
          ? null
          : { ...raw, influence: influence[i], ...(menu === undefined ? {} : { menu }) };
      const assessed = input.assessments.get(member.regionCode) ?? {};
      const leafScores: Record<string, number> = {};
      for (const leaf of leaves) {
        const value =
          leaf.kind === 'measured'
            ? measuredValue(leaf.source, measures)
            : Object.hasOwn(assessed, leaf.code)
              ? assessed[leaf.code]
              : null;
        if (value !== null) leafScores[leaf.code] = value;
      }
      const scored = scoreTree(input.tree, leafScores);
      const nodes = Object.fromEntries(scored.nodes.map((n) => [n.code, n.score]));
      return {
        ...base,
        opened: true,
        total: scored.total,
        subIndices: Object.fromEntries(firstLevel.map((c) => [c, nodes[c] ?? null])),
        nodes,
        leafScores,
        missing: [...scored.missing, ...scored.invalid],
        measures,
      };
    });
    const table = buildRankingTable(
      results.map((r) => ({
        regionCode: r.regionCode,
        name: r.regionCode,
        provinceCode: r.provinceCode,
        opened: r.opened,
        total: r.total === null ? null : published(r.total),
        subIndices: {},
      })),
    );
    const rankOf = new Map(table.rows.map((row) => [row.regionCode, row.rank]));
    for (const r of results) {
      if (r.total !== null) {
        r.rank = rankOf.get(r.regionCode) ?? null;
        r.band = classifyBand(published(r.total), input.bands).code;
      }
    }
    out.push(...results);
  }
  return out;
}

function measuredValue(
  source: MeasuredSource | undefined,
  measures: ResultMeasures | null,
): number | null {
  if (measures === null || source === undefined) return null;
  switch (source) {
    case 'influence':
      return measures.influence;
    case 'update_frequency':
      return updateFrequencyScore(measures);
    case 'days_without_update':
      return daysWithoutUpdateScore(measures);
    case 'timeliness':
      return timelinessScore(measures);
    case 'menu_presence':
      return menuPresenceScore(measures.menu);
  }
}

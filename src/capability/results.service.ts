import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { inRegionScope } from '../auth/region-scope';
import { businessDate } from '../common/business-date';
import { CapabilityErrorCode, CapabilityException } from './capability.exception';
import {
  type EditionRow,
  execute,
  loadEdition,
  loadTree,
  lockEdition,
  periodKind,
} from './capability-store';
import { COHORT_SELECT_SQL } from './cohort.sql';
import type { CohortRow } from './cohort.dto';
import { daysBetween, measurementEnd, weeksTouched } from './edition-period';
import {
  CAPABILITY_TIERS,
  type CapabilityTier,
  type CohortMember,
  computeEditionResults,
} from './edition-results';
import type { MeasuredRaw } from './measures';
import { treeUsesMenu } from './menu-presence';
import {
  type MenuReadSummary,
  MenuSnapshotService,
  loadMenuObservations,
} from './menu-snapshots.service';
import {
  LATEST_SCORES_SQL,
  MEASURED_INPUTS_SQL,
  type MeasuredInputRow,
} from './measured-inputs.sql';
import type {
  ResultRowResponse,
  ResultsResponse,
  ResultsStateDto,
  RunResponse,
} from './results.dto';

export type RunTrigger = 'manual' | 'input_change';

export interface StoredResultRow {
  region_code: string;
  name: string;
  province_code: string;
  province_name: string;
  account_id: number | null;
  account_name: string | null;
  opened: boolean;
  total: number | null;
  rank: number | null;
  band: string | null;
  sub_indices: Record<string, number | null>;
  nodes: Record<string, number | null>;
  leaf_scores: Record<string, number>;
  missing: string[];
  measures: object | null;
  tree_version: number;
  normalisation: string;
  formula_version: string;
}

/** Ranked first (by rank, code), then opened without a total, then not opened. */
const RESULTS_SQL = `
SELECT x.region_code, r.name, x.province_code, coalesce(p.name, r.name) AS province_name,
       x.account_id, a.display_name AS account_name, x.opened, x.total, x.rank, x.band,
       x.sub_indices, x.nodes, x.leaf_scores, x.missing, x.measures, x.tree_version,
       x.normalisation, x.formula_version
FROM capability_results x
JOIN regions r ON r.code = x.region_code
LEFT JOIN regions p ON p.code = x.province_code AND p.code <> x.region_code
LEFT JOIN accounts a ON a.id = x.account_id
WHERE x.edition_id = $1 AND x.tier = $2
ORDER BY x.rank NULLS LAST, x.opened DESC, x.region_code`;

/** Recomputes an edition's index results and serves them. */
@Injectable()
export class ResultsService {
  private readonly logger = new Logger(ResultsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    // Absent (tests of the index alone): no menus are read, stored snapshots are still used.
    @Optional()
    @Inject(MenuSnapshotService)
    private readonly menus: MenuSnapshotService | null = null,
  ) {}

  /**
   * One recompute: the custom menus due are read first (outside the transaction: platform calls
   * never hold the edition's lock), then in one transaction under the lock the cohort, the
   * assessments and the measured inputs are read, the pure index computation runs, and the
   * results are replaced.
   */
  async recompute(
    editionId: number,
    requestedBy: string,
    trigger: RunTrigger,
  ): Promise<RunResponse> {
    return (await this.run(editionId, requestedBy, trigger, false))!;
  }

  /** recompute(), only when the results are still outdated once the lock is held; else null. */
  async recomputeIfOutdated(editionId: number, requestedBy: string): Promise<RunResponse | null> {
    return this.run(editionId, requestedBy, 'input_change', true);
  }

  private async run(
    editionId: number,
    requestedBy: string,
    trigger: RunTrigger,
    onlyIfOutdated: boolean,
  ): Promise<RunResponse | null> {
    const started = Date.now();
    const menus = await this.readDueMenus(editionId);
    return this.dataSource.transaction(async (manager) => {
      const edition = await lockEdition(manager, editionId);
      if (onlyIfOutdated) {
        const reasons = await this.outdatedReasons(manager, edition);
        if (reasons.length === 0) return null;
      }
      const response = await this.recomputeLocked(manager, edition, requestedBy, trigger);
      response.ms = Date.now() - started;
      response.menus = menus;
      this.logger.log(
        { editionId, runId: response.runId, ms: response.ms, scored: response.scored, menus },
        `capability edition ${edition.code}: results recomputed (${response.scored}/${response.regions} regions scored)`,
      );
      return response;
    });
  }

  /** The menus due when the current tree scores menu_presence; null when it does not. */
  private async readDueMenus(editionId: number): Promise<MenuReadSummary | null> {
    if (this.menus === null) return null;
    const edition = await loadEdition(this.dataSource.manager, editionId);
    const tree = await loadTree(this.dataSource.manager, edition.id, edition.tree_version);
    if (!treeUsesMenu(tree)) return null;
    return this.menus.collectDue(edition);
  }

  /** For callers already holding the edition's lock (assessment writes with recompute=true). */
  async recomputeLocked(
    manager: EntityManager,
    edition: EditionRow,
    requestedBy: string,
    trigger: RunTrigger,
  ): Promise<RunResponse> {
    const tree = await loadTree(manager, edition.id, edition.tree_version);
    const cohort = await manager.query<CohortRow[]>(COHORT_SELECT_SQL, [edition.id]);
    const members: CohortMember[] = cohort.map((c) => ({
      regionCode: c.region_code,
      name: c.name,
      tier: c.tier,
      provinceCode: c.province_code,
      accountId: c.account_id,
    }));
    const assessments = new Map<string, Record<string, number>>();
    for (const a of await manager.query<
      { region_code: string; indicator_code: string; score: number }[]
    >(
      `SELECT region_code, indicator_code, score FROM capability_assessments WHERE edition_id = $1`,
      [edition.id],
    )) {
      const region = assessments.get(a.region_code) ?? {};
      region[a.indicator_code] = a.score;
      assessments.set(a.region_code, region);
    }
    const measured = await this.measuredInputs(manager, edition, members);
    const menus = treeUsesMenu(tree)
      ? await loadMenuObservations(
          manager,
          members.flatMap((m) => (m.accountId === null ? [] : [m.accountId])),
          edition,
          this.menus?.today() ?? businessDate(),
        )
      : undefined;
    const results = computeEditionResults({
      tree,
      members,
      assessments,
      measured,
      menus,
      normalisation: edition.normalisation,
      bands: edition.bands,
    });

    const [run] = await manager.query<{ id: number; finished_at: Date }[]>(
      `INSERT INTO capability_runs (edition_id, tree_version, normalisation, formula_version, trigger,
         requested_by, regions, scored)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, finished_at`,
      [
        edition.id,
        edition.tree_version,
        edition.normalisation,
        edition.formula_version,
        trigger,
        requestedBy,
        results.length,
        results.filter((r) => r.total !== null).length,
      ],
    );
    await execute(manager, `DELETE FROM capability_results WHERE edition_id = $1`, [edition.id]);
    await manager.query(
      `INSERT INTO capability_results (edition_id, region_code, tier, province_code, account_id, opened,
         total, rank, band, sub_indices, nodes, leaf_scores, missing, measures, run_id, tree_version,
         normalisation, formula_version, computed_at)
       SELECT $1, x.region_code, x.tier, x.province_code, x.account_id, x.opened, x.total, x.rank,
              x.band, x.sub_indices, x.nodes, x.leaf_scores,
              ARRAY(SELECT jsonb_array_elements_text(x.missing)), x.measures, $2, $3, $4, $5, $6
       FROM unnest($7::varchar[], $8::text[], $9::varchar[], $10::int[], $11::boolean[],
                   $12::float8[], $13::int[], $14::text[], $15::jsonb[], $16::jsonb[], $17::jsonb[],
                   $18::jsonb[], $19::jsonb[])
         AS x(region_code, tier, province_code, account_id, opened, total, rank, band, sub_indices,
              nodes, leaf_scores, missing, measures)`,
      [
        edition.id,
        run.id,
        edition.tree_version,
        edition.normalisation,
        edition.formula_version,
        run.finished_at,
        results.map((r) => r.regionCode),
        results.map((r) => r.tier),
        results.map((r) => r.provinceCode),
        results.map((r) => r.accountId),
        results.map((r) => r.opened),
        results.map((r) => r.total),
        results.map((r) => r.rank),
        results.map((r) => r.band),
        results.map((r) => JSON.stringify(r.subIndices)),
        results.map((r) => JSON.stringify(r.nodes)),
        results.map((r) => JSON.stringify(r.leafScores)),
        results.map((r) => JSON.stringify(r.missing)),
        results.map((r) => (r.measures === null ? null : JSON.stringify(r.measures))),
      ],
    );
    await execute(
      manager,
      `UPDATE capability_editions SET results_run_id = $2, results_outdated = false,
         outdated_reason = NULL, outdated_at = NULL, updated_at = now() WHERE id = $1`,
      [edition.id, run.id],
    );
    return {
      runId: run.id,
      editionId: edition.id,
      treeVersion: edition.tree_version,
      normalisation: edition.normalisation,
      formulaVersion: edition.formula_version,
      trigger,
      requestedBy,
      regions: results.length,
      scored: results.filter((r) => r.total !== null).length,
      tiers: CAPABILITY_TIERS.map((tier) => {
        const inTier = results.filter((r) => r.tier === tier);
        return {
          tier,
          regions: inTier.length,
          opened: inTier.filter((r) => r.opened).length,
          scored: inTier.filter((r) => r.total !== null).length,
        };
      }),
      computedAt: run.finished_at.toISOString(),
      ms: 0,
      menus: null,
    };
  }

  async results(
    editionId: number,
    tier: CapabilityTier,
    principal: Principal,
  ): Promise<ResultsResponse> {
    const { edition, state } = await this.state(editionId);
    const rows = await this.storedRows(edition.id, tier);
    return {
      editionId,
      tier,
      results: state,
      items: rows.filter((r) => inRegionScope(principal, r.region_code)).map(toResultRow),
    };
  }

  /** The edition and its results' state; 409 when nothing was computed yet. */
  async state(editionId: number): Promise<{ edition: EditionRow; state: ResultsStateDto }> {
    const edition = await loadEdition(this.dataSource.manager, editionId);
    if (edition.results_run_id === null) {
      throw new CapabilityException(
        CapabilityErrorCode.ResultsNotComputed,
        `Edition ${edition.code} has no results yet: POST /api/v1/capability/editions/${edition.id}/recompute.`,
      );
    }
    const reasons = await this.outdatedReasons(this.dataSource.manager, edition);
    return {
      edition,
      state: {
        runId: edition.results_run_id,
        computedAt: edition.run_finished_at!.toISOString(),
        treeVersion: edition.run_tree_version!,
        normalisation: edition.run_normalisation!,
        formulaVersion: edition.formula_version,
        outdated: reasons.length > 0,
        outdatedReasons: reasons,
      },
    };
  }

  /** Why the edition's current results no longer match their inputs; [] when they do. */
  private async outdatedReasons(manager: EntityManager, edition: EditionRow): Promise<string[]> {
    if (edition.results_run_id === null) return [];
    const reasons = edition.results_outdated
      ? [edition.outdated_reason ?? 'inputs changed after these results']
      : [];
    const [latest] = await manager.query<{ latest: Date | null }[]>(LATEST_SCORES_SQL, [
      edition.id,
      edition.formula_version,
      edition.period_start,
      edition.period_end,
    ]);
    if (latest.latest !== null && latest.latest > edition.run_finished_at!) {
      reasons.push(
        `WCI scores of the period were rewritten at ${latest.latest.toISOString()}, after these results`,
      );
    }
    return reasons;
  }

  async storedRows(editionId: number, tier: CapabilityTier): Promise<StoredResultRow[]> {
    return this.dataSource.query<StoredResultRow[]>(RESULTS_SQL, [editionId, tier]);
  }

  private async measuredInputs(
    manager: EntityManager,
    edition: EditionRow,
    members: readonly CohortMember[],
  ): Promise<Map<number, MeasuredRaw>> {
    const accountIds = members.flatMap((m) => (m.accountId === null ? [] : [m.accountId]));
    const out = new Map<number, MeasuredRaw>();
    if (accountIds.length === 0) return out;
    const kind = periodKind(edition);
    const end = measurementEnd(
      { start: edition.period_start, end: edition.period_end },
      businessDate(),
    );
    const rows = await manager.query<MeasuredInputRow[]>(MEASURED_INPUTS_SQL, [
      accountIds,
      edition.period_start,
      edition.period_end,
      edition.formula_version,
      kind === 'custom' ? null : kind,
      end,
    ]);
    for (const row of rows) {
      const monthly = row.monthly_wci === null ? null : Number(row.monthly_wci);
      const useExact = row.exact_wci !== null;
      const measured = end !== null && (row.active_days !== null || row.has_daily);
      const from = measured ? row.measured_from : null;
      const measuredDays = from === null ? 0 : daysBetween(from, end!);
      out.set(row.account_id, {
        wci: useExact ? row.exact_wci : monthly,
        wciBasis: useExact ? kind : monthly !== null ? 'monthly_mean' : null,
        wciMonths: useExact ? null : row.months,
        activeDays: measured ? (row.active_days ?? 0) : null,
        longestGapDays: measured ? (row.longest_gap ?? measuredDays) : null,
        weeksWithPost: measured ? (row.weeks_with_post ?? 0) : null,
        measuredFrom: from,
        measuredDays,
        measuredWeeks: from === null ? 0 : weeksTouched(from, end!),
      });
    }
    return out;
  }
}

function toResultRow(r: StoredResultRow): ResultRowResponse {
  return {
    regionCode: r.region_code,
    name: r.name,
    provinceCode: r.province_code,
    provinceName: r.province_name,
    accountId: r.account_id,
    accountName: r.account_name,
    opened: r.opened,
    total: r.total,
    rank: r.rank,
    band: r.band,
    subIndices: r.sub_indices,
    nodes: r.nodes,
    leafScores: r.leaf_scores,
    missing: r.missing,
    measures: r.measures,
    treeVersion: r.tree_version,
    normalisation: r.normalisation,
    formulaVersion: r.formula_version,
  };
}

import type { EntityManager } from 'typeorm';
import type { Band } from './bands';
import { CapabilityErrorCode, CapabilityException, editionNotFound } from './capability.exception';
import type { EditionPeriodKind } from './edition-period';
import type { IndicatorTree } from './indicator-tree';
import type { NormaliseMethod } from './normalise';

/** Writes to one edition (assessments, cohort, tree, recompute) are serialised on this lock. */
const CAPABILITY_LOCK_CLASS = 7_466_206;

export interface EditionRow {
  id: number;
  code: string;
  name: string;
  period_key: string | null;
  period_start: string;
  period_end: string;
  formula_version: string;
  normalisation: NormaliseMethod;
  bands: Band[];
  grade_letters: string[];
  preset: string | null;
  tree_version: number;
  results_run_id: number | null;
  results_outdated: boolean;
  outdated_reason: string | null;
  outdated_at: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  // joined
  run_finished_at: Date | null;
  run_tree_version: number | null;
  run_normalisation: string | null;
  cohort_regions: number;
  cohort_opened: number;
  cohort_explicit: number;
}

export const EDITION_SELECT = `
  SELECT e.id, e.code, e.name, e.period_key, e.period_start::text AS period_start,
         e.period_end::text AS period_end, e.formula_version, e.normalisation, e.bands,
         e.grade_letters, e.preset, e.tree_version, e.results_run_id, e.results_outdated,
         e.outdated_reason, e.outdated_at, e.created_by, e.created_at, e.updated_at,
         r.finished_at AS run_finished_at, r.tree_version AS run_tree_version,
         r.normalisation AS run_normalisation,
         coalesce(c.regions, 0)::int AS cohort_regions, coalesce(c.opened, 0)::int AS cohort_opened,
         coalesce(c.explicit, 0)::int AS cohort_explicit
  FROM capability_editions e
  LEFT JOIN capability_runs r ON r.id = e.results_run_id
  LEFT JOIN LATERAL (
    SELECT count(*) AS regions, count(account_id) AS opened,
           count(*) FILTER (WHERE source = 'explicit') AS explicit
    FROM capability_cohort WHERE edition_id = e.id
  ) c ON true`;

export function periodKind(row: Pick<EditionRow, 'period_key'>): EditionPeriodKind {
  const key = row.period_key;
  if (key === null) return 'custom';
  if (/^\d{4}$/.test(key)) return 'year';
  if (/^\d{4}-Q[1-4]$/.test(key)) return 'quarter';
  return 'month';
}

export async function loadEdition(manager: EntityManager, id: number): Promise<EditionRow> {
  const [row] = await manager.query<EditionRow[]>(`${EDITION_SELECT} WHERE e.id = $1`, [id]);
  if (!row) throw editionNotFound(id);
  return row;
}

/** Takes the edition's write lock for the transaction, then reads it (404 when it is gone). */
export async function lockEdition(manager: EntityManager, id: number): Promise<EditionRow> {
  await manager.query('SELECT pg_advisory_xact_lock($1, $2)', [CAPABILITY_LOCK_CLASS, id]);
  return loadEdition(manager, id);
}

export async function loadTree(
  manager: EntityManager,
  editionId: number,
  version: number,
): Promise<IndicatorTree> {
  const [row] = await manager.query<{ tree: IndicatorTree }[]>(
    `SELECT tree FROM capability_trees WHERE edition_id = $1 AND version = $2`,
    [editionId, version],
  );
  if (!row) {
    throw new CapabilityException(
      CapabilityErrorCode.TreeVersionNotFound,
      `Edition ${editionId} has no tree version ${version}.`,
    );
  }
  return row.tree;
}

/** Existing results no longer match their inputs; they stay readable, flagged, until recomputed. */
export async function markOutdated(
  manager: EntityManager,
  editionId: number,
  reason: string,
): Promise<boolean> {
  return (
    (await execute(
      manager,
      `UPDATE capability_editions
       SET results_outdated = true, outdated_reason = $2, outdated_at = now(), updated_at = now()
       WHERE id = $1 AND results_run_id IS NOT NULL`,
      [editionId, reason],
    )) > 0
  );
}

/** Runs an UPDATE or DELETE and returns the rows it touched (TypeORM gives [rows, count]). */
export async function execute(
  manager: EntityManager,
  sql: string,
  params: unknown[],
): Promise<number> {
  const [, count] = await manager.query<[unknown[], number]>(sql, params);
  return count;
}

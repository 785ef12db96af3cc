import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { ImportFormat, ParsedRecord } from '../accounts/import/import-parser';
import { readImportRecords, rejectRowErrors } from '../accounts/import/import-request';
import type { ImportRowError } from '../accounts/import/import-row.validator';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import { addRegionConditions, inRegionScope } from '../auth/region-scope';
import { decodeTupleCursor, encodeTupleCursor } from '../common/cursor';
import { ValidationFailedException } from '../common/domain.exception';
import { type Page, toKeysetPage } from '../common/pagination';
import { SqlConditions } from '../common/sql-builder';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import {
  type AssessmentInput,
  ASSESSMENT_ALIASES,
  indicatorResolver,
  validateAssessmentRecords,
} from './assessment-rows';
import {
  type AssessmentBody,
  type AssessmentImportQuery,
  type AssessmentImportResponse,
  type AssessmentListQuery,
  type AssessmentResponse,
  type AssessmentRow,
  type AssessmentWriteResponse,
  toAssessmentResponse,
} from './assessment.dto';
import { CapabilityErrorCode, CapabilityException } from './capability.exception';
import {
  type EditionRow,
  loadEdition,
  loadTree,
  lockEdition,
  markOutdated,
} from './capability-store';
import { type IndicatorTree, leafWeights } from './indicator-tree';
import { ResultsService } from './results.service';

interface StoredAssessment {
  region_code: string;
  indicator_code: string;
  score: number;
  assessor: string;
  evidence: string | null;
  evidence_url: string | null;
  assessed_at: Date;
}

interface Plan {
  inserts: AssessmentInput[];
  updates: { input: AssessmentInput; before: StoredAssessment }[];
  unchanged: number;
  scoresChanged: number;
}

const ASSESSMENT_SELECT = `
  SELECT s.region_code, r.name AS region_name, s.indicator_code, s.score, s.assessor, s.evidence,
         s.evidence_url, s.assessed_at, s.entered_by, s.updated_at
  FROM capability_assessments s JOIN regions r ON r.code = s.region_code`;

/**
 * Evaluators' scores of the assessed leaves, by REST or CSV/JSON file. The import rule of the
 * house: any invalid row applies nothing and every error comes back as {row, column, message}.
 * A score that is new, changed or deleted marks existing results outdated until recomputed.
 */
@Injectable()
export class AssessmentsService {
  private readonly logger = new Logger(AssessmentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly results: ResultsService,
  ) {}

  async list(
    editionId: number,
    query: AssessmentListQuery,
    principal: Principal,
  ): Promise<Page<AssessmentResponse>> {
    const edition = await loadEdition(this.dataSource.manager, editionId);
    const names = leafNames(
      await loadTree(this.dataSource.manager, editionId, edition.tree_version),
    );
    const c = new SqlConditions();
    c.where((id) => `s.edition_id = ${id}`, editionId);
    addRegionConditions(c, 's.region_code', principal, query.region);
    if (query.indicator) c.where((code) => `s.indicator_code = ${code}`, query.indicator);
    if (query.cursor) {
      const [region, indicator] = decodeTupleCursor(query.cursor, 2, ([r]) => /^\d{6}$/.test(r));
      c.where((r, i) => `(s.region_code, s.indicator_code) > (${r}, ${i})`, region, indicator);
    }
    const rows = await this.dataSource.query<AssessmentRow[]>(
      `${ASSESSMENT_SELECT} ${c.toSql()} ORDER BY s.region_code, s.indicator_code LIMIT ${query.limit + 1}`,
      c.params,
    );
    return toKeysetPage(
      rows,
      query.limit,
      (r) => toAssessmentResponse(r, names),
      (last) => encodeTupleCursor([last.region_code, last.indicator_code]),
    );
  }

  async put(
    editionId: number,
    regionCode: string,
    indicatorCode: string,
    body: AssessmentBody,
    recompute: boolean,
    principal: Principal,
    actor: Actor,
  ): Promise<AssessmentWriteResponse> {
    return this.dataSource.transaction(async (manager) => {
      const edition = await lockEdition(manager, editionId);
      const tree = await loadTree(manager, editionId, edition.tree_version);
      const record: ParsedRecord = {
        row: 1,
        values: {
          regionCode,
          indicator: indicatorCode,
          score: body.score,
          assessor: body.assessor,
          evidence: body.evidence ?? null,
          evidenceUrl: body.evidenceUrl ?? null,
          assessedAt: body.assessedAt ?? null,
        },
      };
      const { rows, errors } = validateAssessmentRecords(
        [record],
        indicatorResolver(tree),
        new Date(),
      );
      if (errors.length > 0) {
        throw new ValidationFailedException(
          errors.map((e) => ({
            field: e.column === 'indicator' ? 'indicatorCode' : e.column,
            message: e.message,
          })),
        );
      }
      const region = await this.cohortRegion(manager, editionId, regionCode);
      if (!inRegionScope(principal, regionCode)) {
        throw new CapabilityException(
          CapabilityErrorCode.OutOfScope,
          `${regionCode} is outside the key's region scope.`,
        );
      }
      if (region.account_id === null) {
        throw new CapabilityException(
          CapabilityErrorCode.RegionNotOpened,
          `${regionCode} has no account in the edition's cohort (未开通); set one with PUT .../cohort before assessing it.`,
        );
      }
      const plan = await this.plan(manager, editionId, rows);
      await this.write(manager, editionId, plan, actor);
      const outdated = await this.afterScoreChange(
        manager,
        edition,
        plan.scoresChanged,
        actor,
        'assessment',
      );
      const recomputed = recompute
        ? await this.results.recomputeLocked(manager, edition, actor.name, 'input_change')
        : null;
      const [stored] = await manager.query<AssessmentRow[]>(
        `${ASSESSMENT_SELECT} WHERE s.edition_id = $1 AND s.region_code = $2 AND s.indicator_code = $3`,
        [editionId, regionCode, rows[0].indicatorCode],
      );
      return {
        assessment: toAssessmentResponse(stored, leafNames(tree)),
        scoreChanged: plan.scoresChanged > 0,
        resultsOutdated: outdated && recomputed === null,
        recomputed,
      };
    });
  }

  async remove(
    editionId: number,
    regionCode: string,
    indicatorCode: string,
    recompute: boolean,
    principal: Principal,
    actor: Actor,
  ): Promise<AssessmentWriteResponse> {
    if (!inRegionScope(principal, /^\d{6}$/.test(regionCode) ? regionCode : null)) {
      throw notFound(regionCode, indicatorCode);
    }
    return this.dataSource.transaction(async (manager) => {
      const edition = await lockEdition(manager, editionId);
      const [deleted] = await manager.query<[StoredAssessment[], number]>(
        `DELETE FROM capability_assessments WHERE edition_id = $1 AND region_code = $2 AND indicator_code = $3
         RETURNING region_code, indicator_code, score, assessor, evidence, evidence_url, assessed_at`,
        [editionId, regionCode, indicatorCode],
      );
      const before = deleted[0];
      if (!before) throw notFound(regionCode, indicatorCode);
      await this.audit.record(manager, actor, [
        {
          action: 'delete',
          entityType: 'capability_assessment',
          entityId: `${editionId}/${regionCode}/${indicatorCode}`,
          before,
          after: null,
        },
      ]);
      const outdated = await markOutdated(
        manager,
        editionId,
        `assessment ${indicatorCode} of ${regionCode} deleted`,
      );
      const recomputed = recompute
        ? await this.results.recomputeLocked(manager, edition, actor.name, 'input_change')
        : null;
      return {
        assessment: null,
        scoreChanged: true,
        resultsOutdated: outdated && recomputed === null,
        recomputed,
      };
    });
  }

  async importFile(
    editionId: number,
    content: Buffer | string | object,
    format: ImportFormat,
    query: AssessmentImportQuery,
    principal: Principal,
    actor: Actor,
  ): Promise<AssessmentImportResponse> {
    const started = Date.now();
    // The edition (404) before the file: a missing edition is not a file problem.
    const head = await loadEdition(this.dataSource.manager, editionId);
    const records = readImportRecords(
      content,
      format,
      ASSESSMENT_ALIASES,
      this.config.importMaxRows,
    );
    const result = await this.dataSource.transaction(async (manager) => {
      const edition = await lockEdition(manager, head.id);
      const tree = await loadTree(manager, editionId, edition.tree_version);
      const { rows, errors } = validateAssessmentRecords(
        records,
        indicatorResolver(tree),
        new Date(),
      );
      await this.checkRegions(manager, editionId, rows, principal, errors);
      rejectRowErrors(errors, records.length);
      const plan = await this.plan(manager, editionId, rows);
      const wouldOutdate = plan.scoresChanged > 0 && edition.results_run_id !== null;
      const response: AssessmentImportResponse = {
        dryRun: query.dryRun,
        rows: records.length,
        inserted: plan.inserts.length,
        changed: plan.updates.length,
        unchanged: plan.unchanged,
        scoresChanged: plan.scoresChanged,
        resultsOutdated: wouldOutdate,
        recomputed: null,
      };
      if (query.dryRun) return response;
      await this.write(manager, editionId, plan, actor);
      if (plan.inserts.length + plan.updates.length > 0) {
        await this.audit.record(manager, actor, [
          {
            action: 'import',
            entityType: 'capability_assessment_import',
            entityId: actor.correlationId ?? `capability-import-${Date.now()}`,
            before: null,
            after: {
              editionId,
              format,
              rows: records.length,
              inserted: plan.inserts.map((i) => [i.regionCode, i.indicatorCode, i.score]),
              changed: plan.updates.map((u) => ({
                key: [u.input.regionCode, u.input.indicatorCode],
                before: u.before,
                score: u.input.score,
              })),
            },
          },
        ]);
      }
      response.resultsOutdated = await this.afterScoreChange(
        manager,
        edition,
        plan.scoresChanged,
        actor,
        'import',
      );
      if (query.recompute) {
        response.recomputed = await this.results.recomputeLocked(
          manager,
          edition,
          actor.name,
          'input_change',
        );
        response.resultsOutdated = false;
      }
      return response;
    });
    this.logger.log(
      {
        editionId,
        ...result,
        recomputed: result.recomputed?.runId ?? null,
        ms: Date.now() - started,
      },
      `capability assessments import: ${result.rows} rows, ${result.inserted} new, ${result.changed} changed${query.dryRun ? ' [dry run]' : ''}`,
    );
    return result;
  }

  private async cohortRegion(
    manager: EntityManager,
    editionId: number,
    regionCode: string,
  ): Promise<{ account_id: number | null }> {
    const [row] = await manager.query<{ account_id: number | null }[]>(
      `SELECT account_id FROM capability_cohort WHERE edition_id = $1 AND region_code = $2`,
      [editionId, regionCode],
    );
    if (!row) {
      throw new CapabilityException(
        CapabilityErrorCode.RegionNotFound,
        `${regionCode} is not a province or prefecture of the edition.`,
      );
    }
    return row;
  }

  /** Region checks against the cohort, set-based: known, inside the key's scope, opened. */
  private async checkRegions(
    manager: EntityManager,
    editionId: number,
    rows: readonly AssessmentInput[],
    principal: Principal,
    errors: ImportRowError[],
  ): Promise<void> {
    const cohort = new Map(
      (
        await manager.query<{ region_code: string; account_id: number | null }[]>(
          `SELECT region_code, account_id FROM capability_cohort
           WHERE edition_id = $1 AND region_code = ANY($2::varchar[])`,
          [editionId, [...new Set(rows.map((r) => r.regionCode))]],
        )
      ).map((c) => [c.region_code, c.account_id]),
    );
    for (const row of rows) {
      const fail = (message: string): void =>
        void errors.push({ row: row.row, column: 'regionCode', message });
      if (!cohort.has(row.regionCode)) {
        fail(`${row.regionCode} is not a province or prefecture of the edition`);
      } else if (!inRegionScope(principal, row.regionCode)) {
        fail(`${row.regionCode} is outside the key's region scope`);
      } else if (cohort.get(row.regionCode) === null) {
        fail(
          `${row.regionCode} has no account in the edition's cohort (未开通): it is not assessed`,
        );
      }
    }
  }

  /** Splits valid rows into new, changed and unchanged assessments against what is stored. */
  private async plan(
    manager: EntityManager,
    editionId: number,
    rows: readonly AssessmentInput[],
  ): Promise<Plan> {
    const stored = new Map(
      (
        await manager.query<StoredAssessment[]>(
          `SELECT s.region_code, s.indicator_code, s.score, s.assessor, s.evidence, s.evidence_url, s.assessed_at
           FROM capability_assessments s
           JOIN unnest($2::varchar[], $3::text[]) AS k(region_code, indicator_code)
             ON k.region_code = s.region_code AND k.indicator_code = s.indicator_code
           WHERE s.edition_id = $1`,
          [editionId, rows.map((r) => r.regionCode), rows.map((r) => r.indicatorCode)],
        )
      ).map((s) => [`${s.region_code}/${s.indicator_code}`, s]),
    );
    const plan: Plan = { inserts: [], updates: [], unchanged: 0, scoresChanged: 0 };
    for (const input of rows) {
      const before = stored.get(`${input.regionCode}/${input.indicatorCode}`);
      if (before === undefined) {
        plan.inserts.push(input);
        plan.scoresChanged++;
        continue;
      }
      const changed =
        before.score !== input.score ||
        before.assessor !== input.assessor ||
        before.evidence !== input.evidence ||
        before.evidence_url !== input.evidenceUrl ||
        (input.assessedAt !== null && before.assessed_at.getTime() !== input.assessedAt.getTime());
      if (!changed) {
        plan.unchanged++;
        continue;
      }
      plan.updates.push({ input, before });
      if (before.score !== input.score) plan.scoresChanged++;
    }
    return plan;
  }

  private async write(
    manager: EntityManager,
    editionId: number,
    plan: Plan,
    actor: Actor,
  ): Promise<void> {
    const rows = [...plan.inserts, ...plan.updates.map((u) => u.input)];
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO capability_assessments AS s (edition_id, region_code, indicator_code, score, assessor,
         evidence, evidence_url, assessed_at, entered_by)
       SELECT $1, x.region_code, x.indicator_code, x.score, x.assessor, x.evidence, x.evidence_url,
              coalesce(x.assessed_at, now()), $2
       FROM unnest($3::varchar[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
         AS x(region_code, indicator_code, score, assessor, evidence, evidence_url, assessed_at)
       ON CONFLICT (edition_id, region_code, indicator_code) DO UPDATE SET
         score = EXCLUDED.score, assessor = EXCLUDED.assessor, evidence = EXCLUDED.evidence,
         evidence_url = EXCLUDED.evidence_url, assessed_at = EXCLUDED.assessed_at,
         entered_by = EXCLUDED.entered_by, updated_at = now()`,
      [
        editionId,
        actor.name,
        rows.map((r) => r.regionCode),
        rows.map((r) => r.indicatorCode),
        rows.map((r) => r.score),
        rows.map((r) => r.assessor),
        rows.map((r) => r.evidence),
        rows.map((r) => r.evidenceUrl),
        rows.map((r) => r.assessedAt?.toISOString() ?? null),
      ],
    );
  }

  private async afterScoreChange(
    manager: EntityManager,
    edition: EditionRow,
    scoresChanged: number,
    actor: Actor,
    what: 'assessment' | 'import',
  ): Promise<boolean> {
    if (scoresChanged === 0) return false;
    return markOutdated(
      manager,
      edition.id,
      what === 'import'
        ? `assessments import changed ${scoresChanged} scores (${actor.name})`
        : `an assessment score changed (${actor.name})`,
    );
  }
}

function leafNames(tree: IndicatorTree): Map<string, string> {
  return new Map(leafWeights(tree).map((l) => [l.code, l.name]));
}

function notFound(regionCode: string, indicatorCode: string): CapabilityException {
  return new CapabilityException(
    CapabilityErrorCode.AssessmentNotFound,
    `No assessment of ${indicatorCode} for ${regionCode} in this edition.`,
  );
}

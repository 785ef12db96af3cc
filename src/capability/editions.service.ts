import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { type FieldError, ValidationFailedException } from '../common/domain.exception';
import type { CursorPageQuery, Page } from '../common/pagination';
import { DEFAULT_WCI_VERSION } from '../scoring/formulas/wci';
import { type Band, DEFAULT_BANDS, sortBands } from './bands';
import { CapabilityErrorCode, CapabilityException, nationalOnly } from './capability.exception';
import {
  EDITION_SELECT,
  type EditionRow,
  execute,
  loadEdition,
  loadTree,
  lockEdition,
  markOutdated,
} from './capability-store';
import { CohortService } from './cohort.service';
import { DEFAULT_GRADES } from './grades';
import {
  type CreateEditionBody,
  type EditionResponse,
  type PresetResponse,
  type TreeResponse,
  type UpdateEditionBody,
  toEditionResponse,
} from './edition.dto';
import { type EditionPeriod, resolveEditionPeriod } from './edition-period';
import { type IndicatorTree, leafWeights } from './indicator-tree';
import { INDICATOR_PRESETS, type IndicatorPresetCode } from './presets';
import { parseIndicatorTree } from './tree-shape';

const PRESET_DESCRIPTIONS: Record<IndicatorPresetCode, string> = {
  'seed000-five-capabilities':
    '省市政府政务微信服务能力指数 (seed 000): 信息服务, 事务服务, 参与服务, 服务提供 (assessed) and 微信影响力 (measured WCI), equal weights 0.2 — the seed prints none.',
  'seed001-three-level':
    '中国地方政府互联网服务能力 2019 (seed 001 表1-1): 3 first-level, 9 second-level and 31 third-level indicators with the printed weights, all assessed.',
};

/** Editions: their settings, indicator-tree versions and lifecycle. */
@Injectable()
export class EditionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cohort: CohortService,
    private readonly audit: AuditService,
  ) {}

  presets(): PresetResponse[] {
    return (Object.keys(INDICATOR_PRESETS) as IndicatorPresetCode[]).map((code) => ({
      code,
      description: PRESET_DESCRIPTIONS[code],
      tree: INDICATOR_PRESETS[code],
    }));
  }

  async list(query: CursorPageQuery): Promise<Page<EditionResponse>> {
    const params: unknown[] = [query.limit + 1];
    let where = '';
    if (query.cursor) {
      params.push(decodeCursor(query.cursor).id);
      where = 'WHERE e.id < $2';
    }
    const rows = await this.dataSource.query<EditionRow[]>(
      `${EDITION_SELECT} ${where} ORDER BY e.id DESC LIMIT $1`,
      params,
    );
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(toEditionResponse),
      nextCursor:
        rows.length > query.limit
          ? encodeCursor({ value: null, id: page[page.length - 1].id })
          : null,
    };
  }

  async get(id: number): Promise<EditionResponse> {
    return toEditionResponse(await loadEdition(this.dataSource.manager, id));
  }

  async create(
    body: CreateEditionBody,
    principal: Principal,
    actor: Actor,
  ): Promise<EditionResponse> {
    if (principal.regionCode !== null) throw nationalOnly('Creating an edition');
    const errors: FieldError[] = [];
    const period = collectPeriod(body, errors);
    const bands = collectBands(body.bands, errors);
    const letters = collectLetters(body.gradeLetters, errors);
    if (body.preset === undefined && body.tree === undefined) {
      errors.push({ field: 'preset', message: 'give a preset or a tree' });
    } else if (body.preset !== undefined && body.tree !== undefined) {
      errors.push({ field: 'tree', message: 'give a preset or a tree, not both' });
    }
    if (errors.length > 0) throw new ValidationFailedException(errors);
    const tree = body.preset !== undefined ? INDICATOR_PRESETS[body.preset] : checkTree(body.tree);

    const id = await this.dataSource.transaction(async (manager) => {
      const taken = await manager.query<{ id: number }[]>(
        `SELECT id FROM capability_editions WHERE code = $1`,
        [body.code],
      );
      if (taken.length > 0) {
        throw new CapabilityException(
          CapabilityErrorCode.EditionCodeTaken,
          `Edition code ${body.code} is taken by edition ${taken[0].id}.`,
        );
      }
      const [row] = await manager.query<{ id: number }[]>(
        `INSERT INTO capability_editions (code, name, period_key, period_start, period_end,
           formula_version, normalisation, bands, grade_letters, preset, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [
          body.code,
          body.name,
          period!.key,
          period!.start,
          period!.end,
          body.formulaVersion ?? DEFAULT_WCI_VERSION,
          body.normalisation ?? 'min-max',
          JSON.stringify(bands),
          letters,
          body.preset ?? null,
          actor.name,
        ],
      );
      await manager.query(
        `INSERT INTO capability_trees (edition_id, version, tree, created_by) VALUES ($1, 1, $2, $3)`,
        [row.id, JSON.stringify(tree), actor.name],
      );
      await this.cohort.build(
        manager,
        { id: row.id, period_start: period!.start, period_end: period!.end },
        body.cohort ?? 'auto',
        true,
      );
      const created = await loadEdition(manager, row.id);
      await this.audit.record(manager, actor, [
        {
          action: 'create',
          entityType: 'capability_edition',
          entityId: row.id,
          before: null,
          after: { ...toEditionResponse(created), tree },
        },
      ]);
      return row.id;
    });
    return this.get(id);
  }

  async update(
    id: number,
    body: UpdateEditionBody,
    principal: Principal,
    actor: Actor,
  ): Promise<EditionResponse> {
    if (principal.regionCode !== null) throw nationalOnly('Changing an edition');
    const errors: FieldError[] = [];
    const periodGiven =
      body.period !== undefined || body.periodStart !== undefined || body.periodEnd !== undefined;
    const period = periodGiven ? collectPeriod(body, errors) : null;
    const bands = body.bands === undefined ? null : collectBands(body.bands, errors);
    const letters =
      body.gradeLetters === undefined ? null : collectLetters(body.gradeLetters, errors);
    if (errors.length > 0) throw new ValidationFailedException(errors);

    await this.dataSource.transaction(async (manager) => {
      const before = await lockEdition(manager, id);
      const next = {
        name: body.name ?? before.name,
        period_key: period ? period.key : before.period_key,
        period_start: period ? period.start : before.period_start,
        period_end: period ? period.end : before.period_end,
        formula_version: body.formulaVersion ?? before.formula_version,
        normalisation: body.normalisation ?? before.normalisation,
        bands: bands ?? before.bands,
        grade_letters: letters ?? before.grade_letters,
      };
      const reasons: string[] = [];
      const periodChanged =
        next.period_start !== before.period_start || next.period_end !== before.period_end;
      if (periodChanged) reasons.push(`period changed to ${next.period_start}..${next.period_end}`);
      if (next.formula_version !== before.formula_version) {
        reasons.push(`WCI formula changed to ${next.formula_version}`);
      }
      if (next.normalisation !== before.normalisation) {
        reasons.push(`normalisation changed to ${next.normalisation}`);
      }
      if (JSON.stringify(next.bands) !== JSON.stringify(before.bands))
        reasons.push('bands changed');
      const unchanged =
        reasons.length === 0 &&
        next.name === before.name &&
        JSON.stringify(next.grade_letters) === JSON.stringify(before.grade_letters);
      if (unchanged) return;
      await execute(
        manager,
        `UPDATE capability_editions SET name = $2, period_key = $3, period_start = $4, period_end = $5,
           formula_version = $6, normalisation = $7, bands = $8, grade_letters = $9, updated_at = now()
         WHERE id = $1`,
        [
          id,
          next.name,
          next.period_key,
          next.period_start,
          next.period_end,
          next.formula_version,
          next.normalisation,
          JSON.stringify(next.bands),
          next.grade_letters,
        ],
      );
      // The automatic cohort depends on the period (accounts open in it, followers at its end).
      if (periodChanged) await this.cohort.build(manager, { id, ...next }, 'auto', true);
      if (reasons.length > 0) await markOutdated(manager, id, reasons.join('; '));
      await this.audit.record(manager, actor, [
        {
          action: 'update',
          entityType: 'capability_edition',
          entityId: id,
          before: toEditionResponse(before),
          after: toEditionResponse(await loadEdition(manager, id)),
        },
      ]);
    });
    return this.get(id);
  }

  async remove(id: number, principal: Principal, actor: Actor): Promise<EditionResponse> {
    if (principal.regionCode !== null) throw nationalOnly('Deleting an edition');
    return this.dataSource.transaction(async (manager) => {
      const before = toEditionResponse(await lockEdition(manager, id));
      await execute(manager, `DELETE FROM capability_editions WHERE id = $1`, [id]);
      await this.audit.record(manager, actor, [
        { action: 'delete', entityType: 'capability_edition', entityId: id, before, after: null },
      ]);
      return before;
    });
  }

  async getTree(id: number, version: number | undefined): Promise<TreeResponse> {
    const edition = await loadEdition(this.dataSource.manager, id);
    const v = version ?? edition.tree_version;
    const tree = await loadTree(this.dataSource.manager, id, v);
    return treeResponse(id, v, v === edition.tree_version, tree);
  }

  /** A new tree version when the tree differs from the current one; results become outdated. */
  async putTree(
    id: number,
    input: Record<string, unknown>,
    principal: Principal,
    actor: Actor,
  ): Promise<TreeResponse> {
    if (principal.regionCode !== null) throw nationalOnly('Changing the indicator tree');
    const tree = checkTree(input);
    return this.dataSource.transaction(async (manager) => {
      const edition = await lockEdition(manager, id);
      const current = await loadTree(manager, id, edition.tree_version);
      if (canonicalJson(current) === canonicalJson(tree)) {
        return treeResponse(id, edition.tree_version, true, current);
      }
      const version = edition.tree_version + 1;
      await manager.query(
        `INSERT INTO capability_trees (edition_id, version, tree, created_by) VALUES ($1, $2, $3, $4)`,
        [id, version, JSON.stringify(tree), actor.name],
      );
      await execute(
        manager,
        `UPDATE capability_editions SET tree_version = $2, updated_at = now() WHERE id = $1`,
        [id, version],
      );
      await markOutdated(manager, id, `indicator tree changed to version ${version}`);
      await this.audit.record(manager, actor, [
        {
          action: 'tree_version',
          entityType: 'capability_edition',
          entityId: id,
          before: { version: edition.tree_version, tree: current },
          after: { version, tree },
        },
      ]);
      return treeResponse(id, version, true, tree);
    });
  }
}

/** 400 INDICATOR_TREE_INVALID with every problem and its path, or the checked tree. */
export function checkTree(input: unknown): IndicatorTree {
  const parsed = parseIndicatorTree(input);
  if (parsed.tree === null) {
    throw new CapabilityException(
      CapabilityErrorCode.TreeInvalid,
      `The indicator tree has ${parsed.errors.length} problem(s); nothing was saved.`,
      { errors: parsed.errors },
    );
  }
  return parsed.tree;
}

function treeResponse(
  editionId: number,
  version: number,
  current: boolean,
  tree: IndicatorTree,
): TreeResponse {
  return { editionId, version, current, tree, leaves: leafWeights(tree) };
}

function collectPeriod(
  body: { period?: string; periodStart?: string; periodEnd?: string },
  errors: FieldError[],
): EditionPeriod | null {
  const resolved = resolveEditionPeriod(body);
  if (Array.isArray(resolved)) {
    errors.push(...resolved);
    return null;
  }
  return resolved;
}

function collectBands(bands: Band[] | undefined, errors: FieldError[]): Band[] {
  if (bands === undefined) return [...DEFAULT_BANDS];
  try {
    return sortBands(bands.map((b) => ({ code: b.code, label: b.label, min: b.min })));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    errors.push({ field: 'bands', message: err.message });
    return [];
  }
}

function collectLetters(letters: string[] | undefined, errors: FieldError[]): string[] {
  if (letters === undefined) return [...DEFAULT_GRADES];
  if (new Set(letters).size !== letters.length) {
    errors.push({ field: 'gradeLetters', message: 'grade letters must be distinct' });
  }
  return letters;
}

/** JSON with sorted keys: jsonb does not keep the order a tree was sent in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import { inRegionScope } from '../auth/region-scope';
import { type FieldError, ValidationFailedException } from '../common/domain.exception';
import {
  AUTO_COHORT_SQL,
  COHORT_SELECT_SQL,
  EMPTY_COHORT_SQL,
  TIER_ORDER_SQL,
  TIER_SQL,
} from './cohort.sql';
import {
  type CohortChangeResponse,
  type CohortResponse,
  type CohortRow,
  type SetCohortBody,
  toCohortEntry,
} from './cohort.dto';
import { nationalOnly } from './capability.exception';
import { type EditionRow, loadEdition, lockEdition, markOutdated } from './capability-store';
import type { CapabilityTier } from './edition-results';

/** Which account represents which region in an edition: the automatic rule and explicit choices. */
@Injectable()
export class CohortService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Applies the automatic rule (or an empty cohort); returns how many regions changed. */
  async build(
    manager: EntityManager,
    edition: Pick<EditionRow, 'id' | 'period_start' | 'period_end'>,
    mode: 'auto' | 'empty',
    keepExplicit: boolean,
  ): Promise<number> {
    const rows = await manager.query<{ region_code: string }[]>(
      mode === 'empty' ? EMPTY_COHORT_SQL : AUTO_COHORT_SQL,
      mode === 'empty'
        ? [edition.id]
        : [edition.id, edition.period_start, edition.period_end, keepExplicit],
    );
    return rows.length;
  }

  async list(
    editionId: number,
    tier: CapabilityTier | undefined,
    principal: Principal,
  ): Promise<CohortResponse> {
    await loadEdition(this.dataSource.manager, editionId);
    const rows = await this.dataSource.query<CohortRow[]>(
      `${COHORT_SELECT_SQL} ${tier ? `AND ${TIER_SQL} = $2` : ''}
       ORDER BY ${TIER_ORDER_SQL}, c.region_code`,
      tier ? [editionId, tier] : [editionId],
    );
    return {
      editionId,
      items: rows.filter((r) => inRegionScope(principal, r.region_code)).map(toCohortEntry),
    };
  }

  /**
   * Sets regions explicitly (an account, or null for "not opened"). All or nothing: every entry is
   * checked — the region exists and is in the key's scope, the account is a WeChat account of an
   * organization in exactly that region — and any problem applies nothing.
   */
  async setEntries(
    editionId: number,
    body: SetCohortBody,
    principal: Principal,
    actor: Actor,
  ): Promise<CohortChangeResponse> {
    return this.dataSource.transaction(async (manager) => {
      await lockEdition(manager, editionId);
      const codes = body.entries.map((e) => e.regionCode);
      const accountIds = body.entries.flatMap((e) => (e.accountId === null ? [] : [e.accountId]));
      const regions = new Set(
        (
          await manager.query<{ code: string }[]>(
            `SELECT code FROM regions WHERE code = ANY($1::varchar[])`,
            [codes],
          )
        ).map((r) => r.code),
      );
      const accounts = new Map(
        (
          await manager.query<{ id: number; platform: string; region_code: string | null }[]>(
            `SELECT a.id, a.platform, o.region_code FROM accounts a
             JOIN organizations o ON o.id = a.organization_id WHERE a.id = ANY($1::int[])`,
            [accountIds],
          )
        ).map((a) => [a.id, a]),
      );
      const errors: FieldError[] = [];
      const seen = new Set<string>();
      body.entries.forEach((entry, i) => {
        const field = `entries.${i}`;
        if (!regions.has(entry.regionCode)) {
          errors.push({
            field: `${field}.regionCode`,
            message: `${entry.regionCode} is not a province or prefecture code`,
          });
          return;
        }
        if (!inRegionScope(principal, entry.regionCode)) {
          errors.push({
            field: `${field}.regionCode`,
            message: `${entry.regionCode} is outside the key's region scope`,
          });
        }
        if (seen.has(entry.regionCode)) {
          errors.push({
            field: `${field}.regionCode`,
            message: `${entry.regionCode} appears twice`,
          });
        }
        seen.add(entry.regionCode);
        if (entry.accountId === null) return;
        const account = accounts.get(entry.accountId);
        if (!account || !inRegionScope(principal, account.region_code)) {
          errors.push({ field: `${field}.accountId`, message: `no account ${entry.accountId}` });
        } else if (account.platform !== 'wechat') {
          errors.push({
            field: `${field}.accountId`,
            message: `account ${entry.accountId} is not a WeChat account`,
          });
        } else if (account.region_code !== entry.regionCode) {
          errors.push({
            field: `${field}.accountId`,
            message: `account ${entry.accountId} belongs to an organization of region ${account.region_code ?? '(central)'}, not ${entry.regionCode}`,
          });
        }
      });
      if (errors.length > 0) throw new ValidationFailedException(errors);

      const before = await manager.query<
        { region_code: string; account_id: number | null; source: string }[]
      >(
        `SELECT region_code, account_id, source FROM capability_cohort
         WHERE edition_id = $1 AND region_code = ANY($2::varchar[])`,
        [editionId, codes],
      );
      const rows = await manager.query<{ region_code: string }[]>(
        `INSERT INTO capability_cohort AS c (edition_id, region_code, account_id, source)
         SELECT $1, e.region_code, e.account_id, 'explicit'
         FROM unnest($2::varchar[], $3::int[]) AS e(region_code, account_id)
         ON CONFLICT (edition_id, region_code) DO UPDATE
           SET account_id = EXCLUDED.account_id, source = 'explicit', updated_at = now()
           WHERE c.account_id IS DISTINCT FROM EXCLUDED.account_id OR c.source <> 'explicit'
         RETURNING c.region_code`,
        [editionId, codes, body.entries.map((e) => e.accountId)],
      );
      const previous = new Map(before.map((b) => [b.region_code, b.account_id]));
      const changed = body.entries.filter((e) => previous.get(e.regionCode) !== e.accountId);
      const outdated =
        changed.length > 0 &&
        (await markOutdated(manager, editionId, `cohort changed for ${changed.length} regions`));
      if (rows.length > 0) {
        await this.audit.record(manager, actor, [
          {
            action: 'set_cohort',
            entityType: 'capability_edition',
            entityId: editionId,
            before: { entries: before },
            after: { entries: body.entries },
          },
        ]);
      }
      return { changed: changed.length, resultsOutdated: outdated };
    });
  }

  /** Re-applies the automatic rule (national editions: an unscoped key only). */
  async rebuild(
    editionId: number,
    keepExplicit: boolean,
    principal: Principal,
    actor: Actor,
  ): Promise<CohortChangeResponse> {
    if (principal.regionCode !== null) throw nationalOnly('Rebuilding the cohort');
    return this.dataSource.transaction(async (manager) => {
      const edition = await lockEdition(manager, editionId);
      const before = await accountsByRegion(manager, editionId);
      await this.build(manager, edition, 'auto', keepExplicit);
      const after = await accountsByRegion(manager, editionId);
      const changed = [...after].filter(([code, id]) => before.get(code) !== id).length;
      const outdated =
        changed > 0 &&
        (await markOutdated(manager, editionId, `cohort rebuilt: ${changed} regions changed`));
      if (changed > 0) {
        await this.audit.record(manager, actor, [
          {
            action: 'rebuild_cohort',
            entityType: 'capability_edition',
            entityId: editionId,
            before: null,
            after: { keepExplicit, changed },
          },
        ]);
      }
      return { changed, resultsOutdated: outdated };
    });
  }
}

async function accountsByRegion(
  manager: EntityManager,
  editionId: number,
): Promise<Map<string, number | null>> {
  const rows = await manager.query<{ region_code: string; account_id: number | null }[]>(
    `SELECT region_code, account_id FROM capability_cohort WHERE edition_id = $1`,
    [editionId],
  );
  return new Map(rows.map((r) => [r.region_code, r.account_id]));
}

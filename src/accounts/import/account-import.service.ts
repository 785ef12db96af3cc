import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, Principal } from '../../auth/principal';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService } from '../../audit/audit.service';
import { AccountsErrorCode, AccountsException } from '../accounts.exception';
import { inRegionScope } from '../../auth/region-scope';
import { type ImportFormat, UnreadableImportError, parseImportFile } from './import-parser';
import {
  IMPORT_ALIASES,
  type ImportRow,
  type ImportRowError,
  duplicateIdErrors,
  validateImportRecord,
} from './import-row.validator';

export interface ImportResult {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  organizationsCreated: number;
}

interface Resolution {
  /** Existing account id per row index, or null for a new account. */
  accountIds: (number | null)[];
  /** Organisation id per row index, or null when the row's organisation is new. */
  organizationIds: (number | null)[];
  newOrganizations: { name: string; regionCode: string | null; level: string; sector: string }[];
}

class DryRunRollback extends Error {
  constructor(readonly result: ImportResult) {
    super('dry run');
  }
}

// Imports run one at a time, so two files cannot race to create the same organisation or account.
const IMPORT_LOCK_KEY = 7_466_203;

/**
 * Bulk registration from CSV or JSON. All or nothing: any invalid row (by itself or against the
 * database) applies nothing and every row's errors are returned. Writes are set-based.
 */
@Injectable()
export class AccountImportService {
  private readonly logger = new Logger(AccountImportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async importAccounts(
    content: Buffer | string | object,
    format: ImportFormat,
    dryRun: boolean,
    principal: Principal,
    actor: Actor,
  ): Promise<ImportResult> {
    const started = Date.now();
    let records;
    try {
      records = parseImportFile(content, format, IMPORT_ALIASES);
    } catch (err) {
      if (err instanceof UnreadableImportError) {
        throw new AccountsException(AccountsErrorCode.ImportUnreadable, err.message);
      }
      throw err;
    }
    if (records.length === 0) {
      throw new AccountsException(AccountsErrorCode.ImportInvalid, 'The file has no rows.', {
        errors: [],
      });
    }
    if (records.length > this.config.importMaxRows) {
      throw new AccountsException(
        AccountsErrorCode.ImportTooLarge,
        `The file has ${records.length} rows; the limit is ${this.config.importMaxRows} (IMPORT_MAX_ROWS). Split it.`,
      );
    }
    const errors: ImportRowError[] = [];
    const rows: ImportRow[] = [];
    for (const record of records) {
      const result = validateImportRecord(record);
      errors.push(...result.errors);
      if (result.row) rows.push(result.row);
    }
    errors.push(...duplicateIdErrors(rows));

    let result: ImportResult;
    try {
      result = await this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK_KEY]);
        const resolution = await this.resolve(manager, rows, principal, errors);
        if (errors.length > 0) {
          errors.sort((a, b) => a.row - b.row);
          const invalidRows = new Set(errors.map((e) => e.row)).size;
          throw new AccountsException(
            AccountsErrorCode.ImportInvalid,
            `${invalidRows} of ${records.length} rows are invalid; nothing was applied. Fix them and upload the file again.`,
            { errors },
          );
        }
        const applied = await this.apply(manager, rows, resolution, actor, format);
        // A dry run does the real work, so its counts are exact, then rolls it back.
        if (dryRun) throw new DryRunRollback({ ...applied, dryRun: true });
        return applied;
      });
    } catch (err) {
      if (!(err instanceof DryRunRollback)) throw err;
      result = err.result;
    }
    this.logger.log(
      { ...result, ms: Date.now() - started, format },
      `account import: ${result.rows} rows (${result.created} new, ${result.updated} updated)${dryRun ? ' [dry run]' : ''}`,
    );
    return result;
  }

  /** Checks rows against the database (regions, scope, organisations, existing accounts). */
  private async resolve(
    manager: EntityManager,
    rows: ImportRow[],
    principal: Principal,
    errors: ImportRowError[],
  ): Promise<Resolution> {
    const fail = (row: ImportRow, column: string, message: string): void => {
      errors.push({ row: row.row, column, message });
    };
    const regionCodes = [
      ...new Set(rows.map((r) => r.regionCode).filter((c): c is string => c !== null)),
    ];
    const known = new Set(
      (
        await manager.query<{ code: string }[]>('SELECT code FROM regions WHERE code = ANY($1)', [
          regionCodes,
        ])
      ).map((r) => r.code),
    );

    const orgIds = [
      ...new Set(rows.map((r) => r.organizationId).filter((id): id is number => id !== null)),
    ];
    const orgsById = new Map(
      (
        await manager.query<{ id: number; region_code: string | null; closed_on: string | null }[]>(
          'SELECT id, region_code, closed_on FROM organizations WHERE id = ANY($1)',
          [orgIds],
        )
      ).map((o) => [o.id, o]),
    );
    const named = rows.filter((r) => r.organizationId === null);
    const orgsByName = new Map(
      (
        await manager.query<
          {
            id: number;
            name: string;
            region_code: string | null;
            level: string;
            sector: string;
            closed_on: string | null;
          }[]
        >(
          `SELECT o.id, o.name, o.region_code, o.level, o.sector, o.closed_on
           FROM organizations o
           JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::varchar[]) AS k(name, region_code)) k
             ON o.name = k.name AND o.region_code IS NOT DISTINCT FROM k.region_code`,
          [named.map((r) => r.organizationName), named.map((r) => r.regionCode)],
        )
      ).map((o) => [`${o.name}\u0000${o.region_code ?? ''}`, o]),
    );

    const matches = await manager.query<
      { ord: string; id: number; platform: string; region_code: string | null }[]
    >(
      `WITH i AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(orig, app, uid, ord))
       SELECT i.ord, a.id, a.platform, o.region_code FROM i JOIN accounts a ON a.wechat_original_id = i.orig JOIN organizations o ON o.id = a.organization_id
       UNION
       SELECT i.ord, a.id, a.platform, o.region_code FROM i JOIN accounts a ON a.wechat_app_id = i.app JOIN organizations o ON o.id = a.organization_id
       UNION
       SELECT i.ord, a.id, a.platform, o.region_code FROM i JOIN accounts a ON a.weibo_uid = i.uid JOIN organizations o ON o.id = a.organization_id`,
      [
        rows.map((r) => r.wechatOriginalId),
        rows.map((r) => r.wechatAppId),
        rows.map((r) => r.weiboUid),
      ],
    );
    const matchesByIndex = new Map<number, typeof matches>();
    for (const m of matches) {
      const index = Number(m.ord) - 1;
      const list = matchesByIndex.get(index);
      if (list) list.push(m);
      else matchesByIndex.set(index, [m]);
    }

    const resolution: Resolution = { accountIds: [], organizationIds: [], newOrganizations: [] };
    const newOrgKeys = new Map<string, ImportRow>();
    rows.forEach((row, index) => {
      let orgRegion: string | null = row.regionCode;
      let orgId: number | null = row.organizationId;
      if (row.organizationId !== null) {
        const org = orgsById.get(row.organizationId);
        if (!org || !inRegionScope(principal, org.region_code)) {
          fail(row, 'organizationId', `organization ${row.organizationId} does not exist`);
        } else if (org.closed_on) {
          fail(
            row,
            'organizationId',
            `organization ${row.organizationId} was closed on ${org.closed_on}`,
          );
        }
        orgRegion = org?.region_code ?? null;
      } else {
        if (row.regionCode !== null && !known.has(row.regionCode)) {
          fail(
            row,
            'regionCode',
            `${row.regionCode} is not a province- or prefecture-level code; see GET /api/v1/regions`,
          );
        }
        const key = `${row.organizationName}\u0000${row.regionCode ?? ''}`;
        const org = orgsByName.get(key);
        if (org) {
          orgId = org.id;
          if (org.level !== row.level || org.sector !== row.sector) {
            fail(
              row,
              'organizationName',
              `organization "${org.name}" exists as ${org.level}/${org.sector}; the row says ${row.level}/${row.sector}`,
            );
          }
          if (org.closed_on)
            fail(
              row,
              'organizationName',
              `organization "${org.name}" was closed on ${org.closed_on}`,
            );
        } else {
          const first = newOrgKeys.get(key);
          if (!first) {
            newOrgKeys.set(key, row);
            resolution.newOrganizations.push({
              name: row.organizationName!,
              regionCode: row.regionCode,
              level: row.level!,
              sector: row.sector!,
            });
          } else if (first.level !== row.level || first.sector !== row.sector) {
            fail(
              row,
              'organizationName',
              `row ${first.row} gives this organization as ${first.level}/${first.sector}`,
            );
          }
        }
      }
      if (!inRegionScope(principal, orgRegion)) {
        fail(row, 'regionCode', `outside your key's region scope (${principal.regionCode})`);
      }
      resolution.organizationIds.push(orgId);

      const found = matchesByIndex.get(index) ?? [];
      const ids = new Set(found.map((m) => m.id));
      if (ids.size > 1) {
        fail(
          row,
          'wechatOriginalId',
          `the ids of this row belong to ${ids.size} different accounts (${[...ids].join(', ')})`,
        );
      } else if (found.length > 0 && found[0].platform !== row.platform) {
        fail(row, 'platform', `account ${found[0].id} with this id is on ${found[0].platform}`);
      } else if (found.length > 0 && !inRegionScope(principal, found[0].region_code)) {
        fail(
          row,
          'wechatOriginalId',
          `this id is registered to an account outside your key's region scope`,
        );
      }
      resolution.accountIds.push(ids.size === 1 ? found[0].id : null);
    });
    return resolution;
  }

  private async apply(
    manager: EntityManager,
    rows: ImportRow[],
    resolution: Resolution,
    actor: Actor,
    format: ImportFormat,
  ): Promise<ImportResult> {
    const auditParams = [actor.apiKeyId, actor.name, actor.correlationId];
    const newOrgs = resolution.newOrganizations;
    const createdOrgs = await manager.query<
      { id: number; name: string; region_code: string | null }[]
    >(
      `WITH ins AS (
         INSERT INTO organizations (name, region_code, level, sector)
         SELECT * FROM unnest($4::text[], $5::varchar[], $6::text[], $7::text[])
         RETURNING *
       ), audit AS (
         INSERT INTO audit_log (actor_key_id, actor_name, correlation_id, action, entity_type, entity_id, before, after)
         SELECT $1, $2, $3, 'import_create', 'organization', ins.id::text, NULL, to_jsonb(ins) FROM ins
       )
       SELECT id, name, region_code FROM ins`,
      [
        ...auditParams,
        newOrgs.map((o) => o.name),
        newOrgs.map((o) => o.regionCode),
        newOrgs.map((o) => o.level),
        newOrgs.map((o) => o.sector),
      ],
    );
    const createdOrgIds = new Map(
      createdOrgs.map((o) => [`${o.name}\u0000${o.region_code ?? ''}`, o.id]),
    );
    const organizationIds = rows.map(
      (r, i) =>
        resolution.organizationIds[i] ??
        createdOrgIds.get(`${r.organizationName}\u0000${r.regionCode ?? ''}`)!,
    );

    const column = <T>(pick: (r: ImportRow, i: number) => T) => rows.map(pick);
    const inserts = rows.flatMap((_, i) => (resolution.accountIds[i] === null ? [i] : []));
    const updates = rows.flatMap((_, i) => (resolution.accountIds[i] !== null ? [i] : []));
    const only = <T>(indexes: number[], values: T[]) => indexes.map((i) => values[i]);
    const fields = {
      platform: column((r) => r.platform),
      orig: column((r) => r.wechatOriginalId),
      app: column((r) => r.wechatAppId),
      uid: column((r) => r.weiboUid),
      name: column((r) => r.displayName),
      org: organizationIds,
      type: column((r) => r.wechatType),
      verified: column((r) => r.verified),
      status: column((r) => r.status),
      opened: column((r) => r.openedOn),
      source: column((r) => r.dataSource),
      // Tags travel as one delimited string per row: unnest cannot take a ragged text[][].
      tags: column((r) => (r.tags === null ? null : r.tags.join('\u001f'))),
    };
    const params = (indexes: number[]) => [
      only(indexes, fields.platform),
      only(indexes, fields.orig),
      only(indexes, fields.app),
      only(indexes, fields.uid),
      only(indexes, fields.name),
      only(indexes, fields.org),
      only(indexes, fields.type),
      only(indexes, fields.verified),
      only(indexes, fields.status),
      only(indexes, fields.opened),
      only(indexes, fields.source),
      only(indexes, fields.tags),
      only(indexes, resolution.accountIds),
    ];
    const INPUT = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                          $8::boolean[], $9::text[], $10::date[], $11::text[], $12::text[], $13::int[])
                   AS u(platform, orig, app, uid, name, org, type, verified, status, opened, source, tags, id)`;

    // Creations are audited by one row for the whole import (below) listing the new ids: they
    // overwrite nothing, and a row per account would double the write (measured ~150 ms / 10k rows).
    const [{ created }] = await manager.query<{ created: number[] | null }[]>(
      `WITH ins AS (
         INSERT INTO accounts (platform, wechat_original_id, wechat_app_id, weibo_uid, display_name, organization_id,
                               wechat_type, verified, status, opened_on, data_source, tags)
         SELECT platform, orig, app, uid, name, org, type, coalesce(verified, false), coalesce(status, 'active'),
                opened, coalesce(source, 'official_api'),
                coalesce(string_to_array(tags, chr(31)), '{}')
         FROM ${INPUT}
         RETURNING id
       )
       SELECT array_agg(id ORDER BY id) AS created FROM ins`,
      params(inserts),
    );
    const createdIds = created ?? [];

    let updatedIds: number[] = [];
    if (updates.length > 0) {
      const [row] = await manager.query<{ updated: number[] | null }[]>(
        `WITH idx AS (SELECT * FROM ${INPUT}),
         -- No FOR UPDATE here: it would skip the rows the UPDATE below changes in this same statement.
         old AS (SELECT a.id, to_jsonb(a) AS before FROM accounts a WHERE a.id IN (SELECT id FROM idx)),
         upd AS (
           UPDATE accounts a SET
             wechat_original_id = coalesce(idx.orig, a.wechat_original_id),
             wechat_app_id = coalesce(idx.app, a.wechat_app_id),
             weibo_uid = coalesce(idx.uid, a.weibo_uid),
             display_name = idx.name,
             organization_id = idx.org,
             wechat_type = coalesce(idx.type, a.wechat_type),
             verified = coalesce(idx.verified, a.verified),
             status = coalesce(idx.status, a.status),
             closed_on = CASE WHEN coalesce(idx.status, a.status) = 'closed' THEN a.closed_on END,
             status_changed_at = CASE WHEN coalesce(idx.status, a.status) IS DISTINCT FROM a.status THEN now() ELSE a.status_changed_at END,
             opened_on = coalesce(idx.opened, a.opened_on),
             data_source = coalesce(idx.source, a.data_source),
             tags = coalesce(string_to_array(idx.tags, chr(31)), a.tags),
             updated_at = now()
           FROM idx
           WHERE a.id = idx.id
             AND (a.wechat_original_id, a.wechat_app_id, a.weibo_uid, a.display_name, a.organization_id, a.wechat_type,
                  a.verified, a.status, a.opened_on, a.data_source, a.tags)
                 IS DISTINCT FROM
                 (coalesce(idx.orig, a.wechat_original_id), coalesce(idx.app, a.wechat_app_id), coalesce(idx.uid, a.weibo_uid),
                  idx.name, idx.org, coalesce(idx.type, a.wechat_type), coalesce(idx.verified, a.verified),
                  coalesce(idx.status, a.status), coalesce(idx.opened, a.opened_on), coalesce(idx.source, a.data_source),
                  coalesce(string_to_array(idx.tags, chr(31)), a.tags))
           RETURNING a.*
         ), audit AS (
           INSERT INTO audit_log (actor_key_id, actor_name, correlation_id, action, entity_type, entity_id, before, after)
           SELECT $14, $15, $16, 'import_update', 'account', upd.id::text, old.before, to_jsonb(upd)
           FROM upd JOIN old ON old.id = upd.id
         )
         SELECT array_agg(id ORDER BY id) AS updated FROM upd`,
        [...params(updates), ...auditParams],
      );
      updatedIds = row.updated ?? [];
    }
    const result: ImportResult = {
      dryRun: false,
      rows: rows.length,
      created: createdIds.length,
      updated: updatedIds.length,
      unchanged: updates.length - updatedIds.length,
      organizationsCreated: createdOrgs.length,
    };
    const changed = result.created + result.updated + result.organizationsCreated > 0;
    await this.audit.record(
      manager,
      actor,
      !changed
        ? []
        : [
            {
              action: 'import',
              entityType: 'account_import',
              entityId: actor.correlationId ?? `import-${Date.now()}`,
              before: null,
              after: {
                ...result,
                format,
                createdAccountIds: createdIds,
                updatedAccountIds: updatedIds,
                createdOrganizationIds: createdOrgs.map((o) => o.id),
              },
            },
          ],
    );
    return result;
  }
}

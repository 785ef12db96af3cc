import type { EntityManager } from 'typeorm';
import type { Actor } from '../../auth/principal';
import type { Resolution } from './import-resolution';
import type { ImportRow } from './import-row.validator';

export interface WrittenIds {
  createdAccountIds: number[];
  updatedAccountIds: number[];
  /** Rows that matched an existing account, changed or not. */
  matchedAccounts: number;
  createdOrganizationIds: number[];
}

/**
 * Writes validated, resolved rows set-based: new organisations, new accounts
 * (`INSERT … SELECT FROM unnest`), changed accounts (`UPDATE … FROM unnest … WHERE … IS DISTINCT
 * FROM …`, each with an audit row holding the stored row before and after).
 */
export async function writeImportRows(
  manager: EntityManager,
  rows: ImportRow[],
  resolution: Resolution,
  actor: Actor,
): Promise<WrittenIds> {
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

  // New accounts get no audit row each: the import's own audit row lists them.
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
  return {
    createdAccountIds: createdIds,
    updatedAccountIds: updatedIds,
    matchedAccounts: updates.length,
    createdOrganizationIds: createdOrgs.map((o) => o.id),
  };
}

import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { inRegionScope } from '../../auth/region-scope';
import type { ImportRow, ImportRowError } from './import-row.validator';

/** What the database says about each valid row: the account it updates and its organisation. */
export interface Resolution {
  /** Existing account id per row index, or null for a new account. */
  accountIds: (number | null)[];
  /** Organisation id per row index, or null when the row's organisation is new. */
  organizationIds: (number | null)[];
  newOrganizations: { name: string; regionCode: string | null; level: string; sector: string }[];
}

/** Checks rows against the database (regions, scope, organisations, existing accounts). */
export async function resolveImportRows(
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

import type { EntityManager } from 'typeorm';
import type { ImportRowError } from '../../accounts/import/import-row.validator';
import type { Principal } from '../../auth/principal';
import { inRegionScope } from '../../auth/region-scope';
import { ACCOUNT_REF_COLUMNS } from './metric-import-columns';
import type { AccountRef } from './metric-import-row.validator';

/**
 * Finds the account each row names, in one statement over the distinct references of the file.
 * An account outside the key's region scope is reported exactly like a missing one.
 */
export async function resolveAccountRefs(
  manager: EntityManager,
  rows: { row: number; ref: AccountRef }[],
  principal: Principal,
  errors: ImportRowError[],
): Promise<(number | null)[]> {
  const keyOf = (ref: AccountRef) => ACCOUNT_REF_COLUMNS.map((c) => ref[c] ?? '').join('\u0000');
  const distinct = new Map<string, AccountRef>();
  for (const { ref } of rows) distinct.set(keyOf(ref), ref);
  const refs = [...distinct.values()];
  const matches = await manager.query<{ ord: string; id: number; region_code: string | null }[]>(
    `WITH i AS (SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[])
                  WITH ORDINALITY AS t(id, app, orig, uid, ord))
     SELECT i.ord, a.id, o.region_code
     FROM i JOIN accounts a
       ON a.id = i.id OR a.wechat_app_id = i.app OR a.wechat_original_id = i.orig OR a.weibo_uid = i.uid
     JOIN organizations o ON o.id = a.organization_id`,
    [
      refs.map((r) => r.accountId),
      refs.map((r) => r.wechatAppId),
      refs.map((r) => r.wechatOriginalId),
      refs.map((r) => r.weiboUid),
    ],
  );
  const idsByRef = new Map<string, Set<number>>();
  for (const m of matches) {
    if (!inRegionScope(principal, m.region_code)) continue;
    const key = keyOf(refs[Number(m.ord) - 1]);
    const ids = idsByRef.get(key) ?? new Set<number>();
    ids.add(m.id);
    idsByRef.set(key, ids);
  }
  return rows.map(({ row, ref }) => {
    const ids = [...(idsByRef.get(keyOf(ref)) ?? [])];
    const column = ACCOUNT_REF_COLUMNS.find((c) => ref[c] !== null) ?? 'accountId';
    if (ids.length === 0) {
      errors.push({
        row,
        column,
        message: `no account with ${column} ${ref[column]} in your key's region scope`,
      });
      return null;
    }
    if (ids.length > 1) {
      errors.push({
        row,
        column,
        message: `the ids of this row belong to ${ids.length} different accounts (${ids.sort((a, b) => a - b).join(', ')})`,
      });
      return null;
    }
    return ids[0];
  });
}

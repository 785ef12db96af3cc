import type { AdminLevel, Sector, WechatType } from '../../accounts/account-taxonomy';
import type { Principal } from '../../auth/principal';
import type { SqlConditions } from '../../common/sql-builder';
import { type RegionTier, regionSubtreePrefix } from '../../regions/region-catalog';
import type { ScoreBoardKey } from './score-period';

/** Registry filters of a board: the organization's region subtree, tier, level, sector; account type. */
export interface RegistryFilters {
  region?: string;
  tier?: RegionTier;
  level?: AdminLevel;
  sector?: Sector;
  accountType?: WechatType;
}

/**
 * account_scores `s` with its account `a`, organization `o`, the organization's region `r` and
 * that region's province `rp` (null for a province-level or central organization).
 */
export const SCORED_ACCOUNTS_FROM = `
  FROM account_scores s
  JOIN accounts a ON a.id = s.account_id
  JOIN organizations o ON o.id = a.organization_id
  LEFT JOIN regions r ON r.code = o.region_code
  LEFT JOIN regions rp ON rp.code = r.parent_code`;

/** True when the rows must be filtered (and so re-ranked) rather than read as stored. */
export function isFiltered(filters: RegistryFilters, principal: Principal): boolean {
  return (
    principal.regionCode !== null ||
    filters.region !== undefined ||
    filters.tier !== undefined ||
    filters.level !== undefined ||
    filters.sector !== undefined ||
    filters.accountType !== undefined
  );
}

/**
 * Conditions on the registry side, with placeholders from `params`; the key's region scope always
 * applies (a scoped key never sees central bodies, whose region is NULL).
 */
export function registryConditions(
  params: SqlConditions,
  filters: RegistryFilters,
  principal: Principal,
): string[] {
  const out: string[] = [];
  for (const code of [principal.regionCode, filters.region]) {
    if (code) out.push(`o.region_code LIKE ${params.param(`${regionSubtreePrefix(code)}%`)}`);
  }
  if (filters.tier) out.push(`r.tier = ${params.param(filters.tier)}`);
  if (filters.level) out.push(`o.level = ${params.param(filters.level)}`);
  if (filters.sector) out.push(`o.sector = ${params.param(filters.sector)}`);
  if (filters.accountType) out.push(`a.wechat_type = ${params.param(filters.accountType)}`);
  return out;
}

/** `alias`'s rows of one board: key columns of account_scores, for one period start. */
export function boardConditions(
  params: SqlConditions,
  key: ScoreBoardKey,
  periodStart: string,
  alias = 's',
): string[] {
  return [
    `${alias}.platform = ${params.param(key.platform)}`,
    `${alias}.period_type = ${params.param(key.periodType)}`,
    `${alias}.period_start = ${params.param(periodStart)}::date`,
    `${alias}.formula_version = ${params.param(key.formulaVersion)}`,
    `${alias}.week_start = ${params.param(key.weekStart)}`,
  ];
}

export function whereAll(conditions: readonly string[]): string {
  return conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
}

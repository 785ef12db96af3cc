import type { Principal } from './principal';
import { regionSubtreePrefix } from '../regions/region-catalog';
import type { SqlConditions } from '../common/sql-builder';

/** True when `regionCode` lies in the key's region subtree (or the key is unscoped). */
export function inRegionScope(principal: Principal, regionCode: string | null): boolean {
  if (principal.regionCode === null) return true;
  return regionCode !== null && regionCode.startsWith(regionSubtreePrefix(principal.regionCode));
}

/** Restricts a query to a region subtree: the key's scope and/or a requested region filter. */
export function addRegionConditions(
  conditions: SqlConditions,
  regionColumn: string,
  principal: Principal,
  requested: string | undefined,
): void {
  for (const code of [principal.regionCode, requested]) {
    if (code) {
      conditions.where((p) => `${regionColumn} LIKE ${p}`, `${regionSubtreePrefix(code)}%`);
    }
  }
}

import { buildRegionCatalog } from './region-catalog';

export interface SqlRunner {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
}

/**
 * Loads the GB/T 2260 catalog idempotently: one set-based upsert that rewrites only rows whose
 * values changed. Returns how many rows were inserted or updated.
 */
export async function syncRegions(db: SqlRunner): Promise<number> {
  const rows = buildRegionCatalog();
  // Parents first within the statement is not needed: the FK is checked at statement end.
  const result = await db.query<{ code: string }[]>(
    `INSERT INTO regions (code, name, level, parent_code, tier, macro_region)
     SELECT * FROM unnest($1::varchar[], $2::text[], $3::text[], $4::varchar[], $5::text[], $6::text[])
     ON CONFLICT (code) DO UPDATE SET
       name = EXCLUDED.name, level = EXCLUDED.level, parent_code = EXCLUDED.parent_code,
       tier = EXCLUDED.tier, macro_region = EXCLUDED.macro_region
     WHERE (regions.name, regions.level, regions.parent_code, regions.tier, regions.macro_region)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.parent_code, EXCLUDED.tier, EXCLUDED.macro_region)
     RETURNING code`,
    [
      rows.map((r) => r.code),
      rows.map((r) => r.name),
      rows.map((r) => r.level),
      rows.map((r) => r.parentCode),
      rows.map((r) => r.tier),
      rows.map((r) => r.macroRegion),
    ],
  );
  return result.length;
}

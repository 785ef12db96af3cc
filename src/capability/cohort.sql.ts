/** The capability tier of a region row `r` (直辖市, 省级 = 省 + 自治区, 地级). */
export const TIER_SQL = `CASE WHEN r.tier = 'municipality' THEN 'municipality'
  WHEN r.level = 'province' THEN 'province' ELSE 'prefecture' END`;

/** Tier order of the report sections: 直辖市, 省级, 地级. */
export const TIER_ORDER_SQL = `CASE WHEN r.tier = 'municipality' THEN 1 WHEN r.level = 'province' THEN 2 ELSE 3 END`;

/**
 * The automatic cohort rule, one statement for every region ($1 edition, $2/$3 period start/end,
 * $4 keep explicit rows): a region's main government WeChat account is a WeChat account of a
 * 党委/政府办 (party_government_office) organization registered in exactly that region, at the
 * region's level (provincial for a province or municipality — municipal too for a municipality,
 * provincial first — and municipal for a prefecture), open during the period; among several, the
 * one with the most followers on the last stored day up to the period's end (then the earliest
 * opened, then the lowest id). A region with none is not opened (account NULL).
 */
export const AUTO_COHORT_SQL = `
WITH regions_in AS (
  SELECT r.code, r.level, ${TIER_SQL} AS tier FROM regions r
),
candidates AS (
  SELECT t.code AS region_code, a.id AS account_id,
         row_number() OVER (
           PARTITION BY t.code
           ORDER BY (o.level = CASE WHEN t.level = 'province' THEN 'provincial' ELSE 'municipal' END) DESC,
                    f.followers DESC NULLS LAST, a.opened_on ASC NULLS LAST, a.id
         ) AS pick
  FROM regions_in t
  JOIN organizations o ON o.region_code = t.code AND o.sector = 'party_government_office'
   AND (o.level = CASE WHEN t.level = 'province' THEN 'provincial' ELSE 'municipal' END
        OR (t.tier = 'municipality' AND o.level = 'municipal'))
   AND (o.closed_on IS NULL OR o.closed_on >= $2::date)
  JOIN accounts a ON a.organization_id = o.id AND a.platform = 'wechat'
   AND (a.opened_on IS NULL OR a.opened_on <= $3::date)
   AND (a.closed_on IS NULL OR a.closed_on >= $2::date)
  LEFT JOIN LATERAL (
    SELECT m.followers FROM account_daily_metrics m
    WHERE m.account_id = a.id AND m.day <= $3::date AND m.followers IS NOT NULL
    ORDER BY m.day DESC LIMIT 1
  ) f ON true
)
INSERT INTO capability_cohort AS c (edition_id, region_code, account_id, source)
SELECT $1, t.code, k.account_id, 'auto'
FROM regions_in t LEFT JOIN candidates k ON k.region_code = t.code AND k.pick = 1
ON CONFLICT (edition_id, region_code) DO UPDATE
  SET account_id = EXCLUDED.account_id, source = 'auto', updated_at = now()
  WHERE (c.source = 'auto' OR NOT $4::boolean)
    AND (c.account_id IS DISTINCT FROM EXCLUDED.account_id OR c.source <> 'auto')
RETURNING c.region_code`;

/** Every region, not opened: the start of an edition whose cohort is set by hand. */
export const EMPTY_COHORT_SQL = `
INSERT INTO capability_cohort (edition_id, region_code, account_id, source)
SELECT $1, r.code, NULL, 'auto' FROM regions r
ON CONFLICT (edition_id, region_code) DO NOTHING
RETURNING region_code`;

/** The cohort with names, for listing and computing ($1 edition). */
export const COHORT_SELECT_SQL = `
SELECT c.region_code, r.name, ${TIER_SQL} AS tier,
       coalesce(r.parent_code, r.code) AS province_code, coalesce(p.name, r.name) AS province_name,
       c.account_id, c.source, c.updated_at,
       a.display_name AS account_name, a.wechat_original_id, a.wechat_app_id, a.status AS account_status,
       o.name AS organization_name
FROM capability_cohort c
JOIN regions r ON r.code = c.region_code
LEFT JOIN regions p ON p.code = r.parent_code
LEFT JOIN accounts a ON a.id = c.account_id
LEFT JOIN organizations o ON o.id = a.organization_id
WHERE c.edition_id = $1`;

/**
 * The cohort's accounts whose menu should be read now ($1 edition, $2 fresh-from day, $3 today,
 * $4 failure classes not retried the same day): a valid wechat_app credential, no successful
 * snapshot from $2 to $3 and no permanent failure today.
 */
export const DUE_MENU_ACCOUNTS_SQL = `
SELECT DISTINCT c.account_id, pc.app_id
FROM capability_cohort c
JOIN platform_credentials pc
  ON pc.account_id = c.account_id AND pc.kind = 'wechat_app' AND pc.state = 'valid'
WHERE c.edition_id = $1 AND c.account_id IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM account_menu_snapshots s
    WHERE s.account_id = c.account_id AND s.observed_day BETWEEN $2::date AND $3::date
      AND s.is_menu_open IS NOT NULL)
  AND NOT EXISTS (
    SELECT 1 FROM account_menu_snapshots s
    WHERE s.account_id = c.account_id AND s.observed_day = $3::date
      AND s.error_class = ANY($4::text[]))
ORDER BY c.account_id`;

/**
 * Writes reads of one day, set-based ($1 day, then one array per column). A success replaces a
 * failure of the same day, a failure never replaces a success, and an unchanged row is left alone.
 */
export const UPSERT_MENU_SNAPSHOTS_SQL = `
INSERT INTO account_menu_snapshots AS s (account_id, observed_day, is_menu_open, buttons, sub_buttons,
  entries, menu, source, error_class, error_code, error_message)
SELECT x.account_id, $1::date, x.is_menu_open, x.buttons, x.sub_buttons, x.entries, x.menu, x.source,
       x.error_class, x.error_code, x.error_message
FROM unnest($2::int[], $3::boolean[], $4::int[], $5::int[], $6::int[], $7::jsonb[], $8::text[],
            $9::text[], $10::text[], $11::text[])
  AS x(account_id, is_menu_open, buttons, sub_buttons, entries, menu, source, error_class,
       error_code, error_message)
ON CONFLICT (account_id, observed_day) DO UPDATE
  SET is_menu_open = EXCLUDED.is_menu_open, buttons = EXCLUDED.buttons,
      sub_buttons = EXCLUDED.sub_buttons, entries = EXCLUDED.entries, menu = EXCLUDED.menu,
      source = EXCLUDED.source, error_class = EXCLUDED.error_class,
      error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
      collected_at = now()
  WHERE (s.is_menu_open IS NULL OR EXCLUDED.is_menu_open IS NOT NULL)
    AND (s.is_menu_open, s.buttons, s.sub_buttons, s.entries, s.menu, s.source, s.error_class,
         s.error_code, s.error_message)
        IS DISTINCT FROM
        (EXCLUDED.is_menu_open, EXCLUDED.buttons, EXCLUDED.sub_buttons, EXCLUDED.entries,
         EXCLUDED.menu, EXCLUDED.source, EXCLUDED.error_class, EXCLUDED.error_code,
         EXCLUDED.error_message)`;

/**
 * The stored menu evidence of accounts ($1 ids) for a window ($2/$3): the latest successful
 * snapshot in it, the latest failure in it after that snapshot, and whether the account has a
 * valid wechat_app credential.
 */
export const MENU_EVIDENCE_SQL = `
SELECT a.account_id,
       ok.observed_day::text AS observed_on, ok.is_menu_open, ok.buttons, ok.sub_buttons, ok.entries,
       bad.observed_day::text AS failed_on, bad.error_class, bad.error_code, bad.error_message,
       EXISTS (SELECT 1 FROM platform_credentials pc
               WHERE pc.account_id = a.account_id AND pc.kind = 'wechat_app' AND pc.state = 'valid')
         AS has_credential
FROM (SELECT DISTINCT unnest($1::int[]) AS account_id) a
LEFT JOIN LATERAL (
  SELECT s.observed_day, s.is_menu_open, s.buttons, s.sub_buttons, s.entries
  FROM account_menu_snapshots s
  WHERE s.account_id = a.account_id AND s.observed_day BETWEEN $2::date AND $3::date
    AND s.is_menu_open IS NOT NULL
  ORDER BY s.observed_day DESC LIMIT 1
) ok ON true
LEFT JOIN LATERAL (
  SELECT s.observed_day, s.error_class, s.error_code, s.error_message
  FROM account_menu_snapshots s
  WHERE s.account_id = a.account_id AND s.observed_day BETWEEN $2::date AND $3::date
    AND s.is_menu_open IS NULL AND (ok.observed_day IS NULL OR s.observed_day > ok.observed_day)
  ORDER BY s.observed_day DESC LIMIT 1
) bad ON true`;

export interface MenuEvidenceRow {
  account_id: number;
  observed_on: string | null;
  is_menu_open: boolean | null;
  buttons: number | null;
  sub_buttons: number | null;
  entries: number | null;
  failed_on: string | null;
  error_class: string | null;
  error_code: string | null;
  error_message: string | null;
  has_credential: boolean;
}

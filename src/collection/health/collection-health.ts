import type { EntityManager } from 'typeorm';
import type { Platform } from '../../accounts/account-taxonomy';
import type { PlatformErrorClass } from '../../platforms/platform-error';
import type { AccountOutcome } from '../collection-contracts';

/** account_collection_health.state; `never` (no row yet) exists only in API answers. */
export const HEALTH_STATES = ['ok', 'failing', 'quota_exhausted', 'dead'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** Error classes that mark an account failing at the first occurrence (no retry can fix them). */
export const PERMANENT_ERROR_CLASSES: readonly PlatformErrorClass[] = [
  'permission',
  'config',
  'not_found',
  'unknown',
  'auth',
];

/** Transient / rate-limited failures in a row before an account counts as failing. */
export const FAILING_AFTER_TRANSIENT = 3;

/** Longest stored last_error_message (characters). */
export const MAX_ERROR_MESSAGE = 500;

/** An account whose recorded outcome needs an alert and/or a log line. */
export interface HealthTransition {
  accountId: number;
  platform: Platform;
  displayName: string;
  /** The state after the outcome: failing or dead (or quota_exhausted for a dead account). */
  state: HealthState;
  /** The state before the statement (null: the account had no health row). */
  previousState: HealthState | null;
  errorClass: PlatformErrorClass;
  code: string;
  message: string;
  consecutiveFailures: number;
  /** Entered failing/dead with alerted_at NULL: alerted_at was set, send exactly one alert. */
  alert: boolean;
  /** Became dead (dead-lettered) with this outcome. */
  becameDead: boolean;
}

const SECRET_PARAMETER =
  /\b(access_token|appsecret|app_secret|secret|token|api_key|key)=[^&\s"']+/gi;

/** Drops NULs (PostgreSQL text refuses them), masks `token=…`-style parameters, caps the length. */
export function sanitizeErrorMessage(message: string): string {
  return [...message.replaceAll('\u0000', '').replace(SECRET_PARAMETER, '$1=[redacted]')]
    .slice(0, MAX_ERROR_MESSAGE)
    .join('');
}

/*
 * The state machine, evaluated inside ON CONFLICT DO UPDATE against the current row `h` (the
 * newest committed version, so concurrent jobs of the same account compose correctly) and
 * EXCLUDED (the outcome; EXCLUDED.last_success_at IS NOT NULL ⇔ success). The strings below are
 * constant SQL, never user input.
 */
const OK = `(EXCLUDED.last_success_at IS NOT NULL)`;
const QUOTA = `(EXCLUDED.last_error_class = 'quota_exhausted')`;
const PERMANENT = `(EXCLUDED.last_error_class IN (${PERMANENT_ERROR_CLASSES.map((c) => `'${c}'`).join(', ')}))`;
const NEW_FAILURES = `(CASE WHEN ${OK} THEN 0 WHEN ${QUOTA} THEN h.consecutive_failures ELSE h.consecutive_failures + 1 END)`;
const NEW_STATE = `(CASE
    WHEN ${OK} THEN 'ok'
    WHEN h.state = 'dead' THEN 'dead'
    WHEN ${QUOTA} THEN 'quota_exhausted'
    WHEN ${NEW_FAILURES} >= $7 THEN 'dead'
    WHEN ${PERMANENT} OR ${NEW_FAILURES} >= ${FAILING_AFTER_TRANSIENT} OR h.state = 'failing' THEN 'failing'
    ELSE 'ok' END)`;

/** The state of an account seen for the first time (the INSERT branch; failures = 1 or 0). */
const FIRST_STATE = `(CASE
    WHEN i.ok THEN 'ok'
    WHEN i.error_class = 'quota_exhausted' THEN 'quota_exhausted'
    WHEN 1 >= $7 THEN 'dead'
    WHEN i.error_class IN (${PERMANENT_ERROR_CLASSES.map((c) => `'${c}'`).join(', ')}) THEN 'failing'
    ELSE 'ok' END)`;

const RECORD_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::integer[], $2::boolean[], $3::date[], $4::text[], $5::text[], $6::text[])
    AS i(account_id, ok, data_as_of, error_class, error_code, error_message)
),
prior AS (
  SELECT h.account_id, h.state FROM account_collection_health h JOIN input USING (account_id)
),
first AS (
  SELECT i.*, ${FIRST_STATE} AS state FROM input i JOIN accounts a ON a.id = i.account_id
),
recorded AS (
  INSERT INTO account_collection_health AS h (account_id, state, up, data_as_of, last_success_at,
    last_error_class, last_error_code, last_error_message, last_error_at, consecutive_failures,
    alerted_at, updated_at)
  SELECT f.account_id, f.state, f.state NOT IN ('failing', 'dead'), f.data_as_of,
         CASE WHEN f.ok THEN now() END,
         f.error_class, f.error_code, f.error_message, CASE WHEN f.ok THEN NULL ELSE now() END,
         CASE WHEN f.ok OR f.error_class = 'quota_exhausted' THEN 0 ELSE 1 END,
         CASE WHEN f.state IN ('failing', 'dead') THEN statement_timestamp() END,
         now()
    FROM first f
   ORDER BY f.account_id
  ON CONFLICT (account_id) DO UPDATE SET
    state = ${NEW_STATE},
    up = CASE WHEN ${OK} THEN true WHEN ${QUOTA} THEN h.up ELSE ${NEW_STATE} NOT IN ('failing', 'dead') END,
    consecutive_failures = ${NEW_FAILURES},
    data_as_of = greatest(h.data_as_of, EXCLUDED.data_as_of),
    last_success_at = coalesce(EXCLUDED.last_success_at, h.last_success_at),
    last_error_class = CASE WHEN ${OK} THEN h.last_error_class ELSE EXCLUDED.last_error_class END,
    last_error_code = CASE WHEN ${OK} THEN h.last_error_code ELSE EXCLUDED.last_error_code END,
    last_error_message = CASE WHEN ${OK} THEN h.last_error_message ELSE EXCLUDED.last_error_message END,
    last_error_at = CASE WHEN ${OK} THEN h.last_error_at ELSE EXCLUDED.last_error_at END,
    alerted_at = CASE
      WHEN ${OK} THEN NULL
      WHEN h.alerted_at IS NULL AND ${NEW_STATE} IN ('failing', 'dead') THEN statement_timestamp()
      ELSE h.alerted_at END,
    updated_at = now()
  RETURNING h.account_id, h.state, h.consecutive_failures, h.last_error_class, h.last_error_code,
            h.last_error_message, (h.alerted_at IS NOT DISTINCT FROM statement_timestamp()) AS alert
)
SELECT r.account_id, r.state, p.state AS previous_state, r.consecutive_failures,
       r.last_error_class, r.last_error_code, r.last_error_message, r.alert,
       (r.state = 'dead' AND p.state IS DISTINCT FROM 'dead') AS became_dead,
       a.platform, a.display_name
  FROM recorded r
  JOIN accounts a ON a.id = r.account_id
  LEFT JOIN prior p ON p.account_id = r.account_id
 WHERE r.alert OR (r.state = 'dead' AND p.state IS DISTINCT FROM 'dead')
 ORDER BY r.account_id`;

interface TransitionRow {
  account_id: number;
  state: HealthState;
  previous_state: HealthState | null;
  consecutive_failures: number;
  last_error_class: PlatformErrorClass;
  last_error_code: string | null;
  last_error_message: string | null;
  alert: boolean;
  became_dead: boolean;
  platform: Platform;
  display_name: string;
}

/**
 * Records every outcome of one job in ONE statement (INSERT … SELECT FROM unnest … ON CONFLICT
 * DO UPDATE) and returns the accounts that need an alert or became dead.
 *
 * - success: state ok, up, 0 consecutive failures, last_success_at, data_as_of = greatest(stored,
 *   outcome) (never backwards), alerted_at cleared (a recovery re-arms the alert); the last error
 *   is kept for reference.
 * - failure: the last error is stored (message sanitized, ≤ 500 characters). quota_exhausted does
 *   not count towards dead-lettering and leaves `up` as it was. Otherwise consecutive_failures + 1;
 *   dead at `deadAfterFailures`; failing on a permanent class (permission, config, not_found,
 *   unknown, auth), after 3 transient/rate-limited failures in a row, or when already failing;
 *   else still ok. `up` is false while failing or dead. Dead stays dead until a success (or a
 *   reset by the dispatcher).
 * - alerting (R17): entering failing/dead while alerted_at IS NULL sets alerted_at in the same
 *   statement and returns `alert: true`; a row already alerted returns nothing until it recovers,
 *   so a poison account alerts exactly once. The decision is made on the locked row, so two
 *   concurrent jobs for one account cannot both alert.
 *
 * Outcomes of accounts that no longer exist are ignored; for an account listed twice the last
 * outcome wins. Runs in the caller's transaction (`manager`).
 */
export async function recordOutcomes(
  manager: EntityManager,
  outcomes: AccountOutcome[],
  deadAfterFailures: number,
): Promise<HealthTransition[]> {
  if (!Number.isInteger(deadAfterFailures) || deadAfterFailures < 1) {
    throw new RangeError(`deadAfterFailures must be a positive integer, got ${deadAfterFailures}`);
  }
  const byAccount = new Map<number, AccountOutcome>();
  for (const outcome of outcomes) byAccount.set(outcome.accountId, outcome);
  if (byAccount.size === 0) return [];
  // Ascending account ids: concurrent jobs lock overlapping rows in the same order (no deadlock).
  const ordered = [...byAccount.values()].sort((a, b) => a.accountId - b.accountId);
  const rows = await manager.query<TransitionRow[]>(RECORD_SQL, [
    ordered.map((o) => o.accountId),
    ordered.map((o) => o.ok),
    ordered.map((o) => (o.ok ? (o.dataAsOf ?? null) : null)),
    ordered.map((o) => (o.ok ? null : o.errorClass)),
    ordered.map((o) => (o.ok ? null : o.code)),
    ordered.map((o) => (o.ok ? null : sanitizeErrorMessage(o.message))),
    deadAfterFailures,
  ]);
  return rows.map((row) => ({
    accountId: row.account_id,
    platform: row.platform,
    displayName: row.display_name,
    state: row.state,
    previousState: row.previous_state,
    errorClass: row.last_error_class,
    code: row.last_error_code ?? '',
    message: row.last_error_message ?? '',
    consecutiveFailures: row.consecutive_failures,
    alert: row.alert,
    becameDead: row.became_dead,
  }));
}

/** Anything that runs SQL with positional parameters: a DataSource or an EntityManager. */
export interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

export type ScheduleOutcome = 'ok' | 'failed';

/** Longest error text kept in the ledger; the log has the rest. */
const MAX_ERROR_LENGTH = 2_000;

/**
 * Claims one fire time of a schedule for this replica. True for exactly one caller per
 * (schedule, slot), however many replicas race (the primary key decides).
 */
export async function claimSlot(
  db: Queryable,
  schedule: string,
  slot: Date,
  replicaId: string,
  options: { backfilled?: boolean } = {},
): Promise<boolean> {
  const rows = await db.query<unknown[]>(
    `INSERT INTO schedule_runs (schedule, slot, claimed_by, backfilled)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (schedule, slot) DO NOTHING
     RETURNING 1`,
    [schedule, slot, replicaId, options.backfilled ?? false],
  );
  return rows.length === 1;
}

/** Records how a claimed run ended. Only the first finish counts. */
export async function finishSlot(
  db: Queryable,
  schedule: string,
  slot: Date,
  outcome: ScheduleOutcome,
  error?: string,
): Promise<void> {
  await db.query(
    `UPDATE schedule_runs SET finished_at = now(), outcome = $3, error = $4
     WHERE schedule = $1 AND slot = $2 AND finished_at IS NULL`,
    [schedule, slot, outcome, error === undefined ? null : error.slice(0, MAX_ERROR_LENGTH)],
  );
}

/** The first slot ever claimed for a schedule: nothing before it is ever backfilled. */
export async function firstClaimedSlot(db: Queryable, schedule: string): Promise<Date | null> {
  const rows = await db.query<{ slot: Date }[]>(
    `SELECT slot FROM schedule_runs WHERE schedule = $1 ORDER BY slot ASC LIMIT 1`,
    [schedule],
  );
  return rows[0]?.slot ?? null;
}

/** Claimed slots in (after, upTo], to find the gaps among them. */
export async function claimedSlotsBetween(
  db: Queryable,
  schedule: string,
  after: Date,
  upTo: Date,
): Promise<Set<number>> {
  const rows = await db.query<{ slot: Date }[]>(
    `SELECT slot FROM schedule_runs WHERE schedule = $1 AND slot > $2 AND slot <= $3`,
    [schedule, after, upTo],
  );
  return new Set(rows.map((r) => r.slot.getTime()));
}

/** The database's clock, the reference for the skew warning (R4). */
export async function databaseNow(db: Queryable): Promise<Date> {
  const rows = await db.query<{ now: Date }[]>(`SELECT now() AS now`);
  return rows[0].now;
}

import { isCalendarDate } from '../common/calendar-date';
import { PG_DUPLICATE_TABLE, PG_UNIQUE_VIOLATION, pgErrorCode } from '../database/pg-errors';

/** The range-partitioned fact tables, each by month on its DATE column. */
export const METRIC_TABLES = ['account_daily_metrics', 'posts', 'post_metric_snapshots'] as const;
export type MetricTable = (typeof METRIC_TABLES)[number];

/** Refuses runaway ranges (a typo in a year) before they become hundreds of DDL statements. */
const MAX_MONTHS = 240;

export interface MonthlyPartition {
  table: MetricTable;
  /** `<table>_YYYY_MM`; metrics_ensure_month_partition() derives the same name. */
  name: string;
  /** First day of the month (inclusive bound). */
  from: string;
  /** First day of the next month (exclusive bound). */
  to: string;
}

/** Anything that runs SQL with positional parameters: a DataSource or an EntityManager. */
export interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

function monthIndex(day: string): number {
  if (!isCalendarDate(day)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${day}`);
  return Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
}

function monthStart(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
}

/** The first day of the month `offset` months from the month of `day`. */
export function addMonths(day: string, offset: number): string {
  return monthStart(monthIndex(day) + offset);
}

/** The monthly partitions of `tables` covering every day in [fromDay, toDay]; empty if from > to. */
export function monthlyPartitionsFor(
  fromDay: string,
  toDay: string,
  tables: readonly MetricTable[] = METRIC_TABLES,
): MonthlyPartition[] {
  const first = monthIndex(fromDay);
  const last = monthIndex(toDay);
  if (last - first >= MAX_MONTHS) {
    throw new RangeError(`refusing ${last - first + 1} monthly partitions (${fromDay}..${toDay})`);
  }
  const partitions: MonthlyPartition[] = [];
  for (const table of tables) {
    for (let m = first; m <= last; m++) {
      const from = monthStart(m);
      partitions.push({
        table,
        name: `${table}_${from.slice(0, 4)}_${from.slice(5, 7)}`,
        from,
        to: monthStart(m + 1),
      });
    }
  }
  return partitions;
}

/**
 * Creates the missing monthly partitions of `tables` for [fromDay, toDay]; returns the names it
 * created. Idempotent and safe to race (see metrics_ensure_month_partition in the migration).
 * Pass a DataSource, not a transaction's manager: CREATE … PARTITION OF locks the parent table
 * (ACCESS EXCLUSIVE) until the creating transaction ends.
 */
export async function ensureMonthlyPartitions(
  db: Queryable,
  tables: readonly MetricTable[],
  fromDay: string,
  toDay: string,
): Promise<string[]> {
  const wanted = monthlyPartitionsFor(fromDay, toDay, tables);
  if (wanted.length === 0) return [];
  const existing = await db.query<{ name: string }[]>(
    `SELECT n AS name FROM unnest($1::text[]) AS n WHERE to_regclass(format('public.%I', n)) IS NOT NULL`,
    [wanted.map((p) => p.name)],
  );
  const have = new Set(existing.map((r) => r.name));
  const created: string[] = [];
  // One statement (one short transaction) per partition keeps each parent locked only briefly.
  for (const p of wanted.filter((w) => !have.has(w.name))) {
    try {
      const [row] = await db.query<{ created: boolean }[]>(
        'SELECT metrics_ensure_month_partition($1, $2::date) AS created',
        [p.table, p.from],
      );
      if (row.created) created.push(p.name);
    } catch (err) {
      // The function already absorbs these; kept in case a partition is made by hand meanwhile.
      const code = pgErrorCode(err);
      if (code !== PG_DUPLICATE_TABLE && code !== PG_UNIQUE_VIOLATION) throw err;
    }
  }
  return created;
}

/** Partitions of every fact table from `monthsBack` months before `today` to `monthsAhead` after. */
export function ensurePartitionsAhead(
  db: Queryable,
  today: string,
  monthsBack: number,
  monthsAhead = 3,
): Promise<string[]> {
  const from = addMonths(today, -monthsBack);
  const to = addMonths(today, monthsAhead);
  return ensureMonthlyPartitions(db, METRIC_TABLES, from, to);
}

/** The last month (YYYY-MM-01) for which every fact table has a partition, counting up from `today`'s month. */
export async function partitionedThrough(db: Queryable, today: string): Promise<string | null> {
  const names = (offset: number) =>
    monthlyPartitionsFor(addMonths(today, offset), addMonths(today, offset)).map((p) => p.name);
  let covered: string | null = null;
  for (let offset = 0; offset < 24; offset++) {
    const [row] = await db.query<{ missing: number }[]>(
      `SELECT count(*)::int AS missing FROM unnest($1::text[]) AS n WHERE to_regclass(format('public.%I', n)) IS NULL`,
      [names(offset)],
    );
    if (row.missing > 0) break;
    covered = addMonths(today, offset);
  }
  return covered;
}

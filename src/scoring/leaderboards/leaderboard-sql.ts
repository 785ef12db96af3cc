import type { Principal } from '../../auth/principal';
import { SqlConditions } from '../../common/sql-builder';
import type { BoardCursor, MetricColumns } from './leaderboard-request';
import {
  type RegistryFilters,
  SCORED_ACCOUNTS_FROM,
  boardConditions,
  registryConditions,
  whereAll,
} from './score-filters';
import type { ScoreBoardKey } from './score-period';

export interface BoardSqlInput {
  key: ScoreBoardKey;
  periodStart: string;
  /** null: the previous period has no finished run, so no previous ranks. */
  previousStart: string | null;
  columns: MetricColumns;
  filters: RegistryFilters;
  principal: Principal;
  filtered: boolean;
  cursor: BoardCursor | null;
  /** Rows to fetch (page size + 1). */
  fetch: number;
}

export interface Sql {
  sql: string;
  params: unknown[];
}

/** What every board row shows, from the aliases of SCORED_ACCOUNTS_FROM. */
export const ENTRY_COLUMNS = `
  s.account_id AS id, a.display_name, a.platform, a.wechat_type,
  o.id AS org_id, o.name AS org_name, o.level, o.sector, o.region_code,
  r.name AS region_name, rp.name AS province_name,
  s.posts, s.headline_posts, s.active_days, s.total_reads, s.headline_reads, s.max_reads,
  s.zaikan, s.likes, s.shares, s.comments, s.reposts, s.followers, s.followers_change,
  s.score, s.score_inputs_used, s.score_inputs_missing, s.activity_score,
  s.days_since_last_post, s.stale, s.dormant, s.partial, s.data_as_of`;

/** Keyset condition on (rank NULLS LAST, id): ranked rows first, then the unranked by id. */
function cursorCondition(c: SqlConditions, cursor: BoardCursor, rank: string, id: string): string {
  const last = c.param(cursor.id);
  if (cursor.rank === null) return `(${rank} IS NULL AND ${id} > ${last})`;
  const r = c.param(cursor.rank);
  return `(${rank} > ${r} OR (${rank} = ${r} AND ${id} > ${last}) OR ${rank} IS NULL)`;
}

/**
 * The statements of a board page, to run in order until `fetch` rows are in hand (the caller stops
 * early). Unfiltered (national, unscoped key): the stored national rank, read as index ranges of
 * ix_account_scores_board — the ranked rows after the cursor, then the unranked ones, each its own
 * statement (in one OR condition the index is scanned from its start; in one UNION the unranked
 * part, unordered by id in the index, is sorted on every page). Filtered: the filtered rows are
 * re-ranked with rank() over the stored national rank, which already orders by score, total
 * reads, max reads and posts, so the competition ranks and the tie-break are those of the
 * national board; the previous period is re-ranked under the same filters.
 */
export function boardPageSql(input: BoardSqlInput): Sql[] {
  if (input.filtered) return [filteredPageSql(input)];
  const inRanked = input.cursor === null || input.cursor.rank !== null;
  return [
    ...(inRanked ? [nationalPageSql(input, 'ranked')] : []),
    nationalPageSql(input, 'unranked'),
  ];
}

function filteredPageSql(input: BoardSqlInput): Sql {
  const c = new SqlConditions();
  const rank = input.columns.rank;
  const value = `s.${input.columns.value} AS value`;
  const registry = registryConditions(c, input.filters, input.principal);
  const current = [...boardConditions(c, input.key, input.periodStart), ...registry];
  const previousCte =
    input.previousStart === null
      ? `prev AS (SELECT NULL::int AS account_id, NULL::int AS rank WHERE false)`
      : `prev AS (
           SELECT s.account_id, rank() OVER (ORDER BY s.${rank})::int AS rank
           ${SCORED_ACCOUNTS_FROM}
           ${whereAll([...boardConditions(c, input.key, input.previousStart), ...registry, `s.${rank} IS NOT NULL`])}
         )`;
  const page = input.cursor ? [cursorCondition(c, input.cursor, 'cur.rank', 'f.id')] : [];
  return {
    sql: `WITH f AS (
            SELECT ${ENTRY_COLUMNS}, ${value}, s.${rank} AS national
            ${SCORED_ACCOUNTS_FROM}
            ${whereAll(current)}
          ), cur AS (
            SELECT id, rank() OVER (ORDER BY national)::int AS rank FROM f WHERE national IS NOT NULL
          ), ${previousCte}
          SELECT f.*, cur.rank, prev.rank AS prev_rank
          FROM f
          LEFT JOIN cur ON cur.id = f.id
          LEFT JOIN prev ON prev.account_id = f.id
          ${whereAll(page)}
          ORDER BY cur.rank, f.id
          LIMIT ${input.fetch}`,
    params: c.params,
  };
}

/** One part of a national page: the ranked rows after the cursor, or the unranked ones by id. */
function nationalPageSql(input: BoardSqlInput, part: 'ranked' | 'unranked'): Sql {
  const c = new SqlConditions();
  const rank = `s.${input.columns.rank}`;
  const cursor = input.cursor;
  const where = boardConditions(c, input.key, input.periodStart);
  let order: string;
  if (part === 'ranked') {
    where.push(`${rank} IS NOT NULL`);
    if (cursor !== null && cursor.rank !== null) {
      const r = c.param(cursor.rank);
      where.push(`${rank} >= ${r}`, `(${rank} > ${r} OR s.account_id > ${c.param(cursor.id)})`);
    }
    order = `${rank}, s.account_id`;
  } else {
    where.push(`${rank} IS NULL`);
    if (cursor !== null && cursor.rank === null) {
      where.push(`s.account_id > ${c.param(cursor.id)}`);
    }
    order = 's.account_id';
  }
  const previous =
    input.previousStart === null
      ? { select: 'NULL::int AS prev_rank', join: '' }
      : {
          select: `p.${input.columns.rank} AS prev_rank`,
          join: `LEFT JOIN account_scores p ON p.account_id = s.account_id AND p.platform = s.platform
                   AND p.period_type = s.period_type AND p.period_start = ${c.param(input.previousStart)}::date
                   AND p.formula_version = s.formula_version AND p.week_start = s.week_start`,
        };
  return {
    sql: `SELECT ${ENTRY_COLUMNS}, s.${input.columns.value} AS value, ${rank} AS rank, ${previous.select}
          ${SCORED_ACCOUNTS_FROM}
          ${previous.join}
          ${whereAll(where)}
          ORDER BY ${order}
          LIMIT ${input.fetch}`,
    params: c.params,
  };
}

/** Runs the statements of a page in order until `fetch` rows are in hand. */
export async function queryBoardPage<R>(
  statements: readonly Sql[],
  fetch: number,
  query: (sql: string, params: unknown[]) => Promise<R[]>,
): Promise<R[]> {
  const rows: R[] = [];
  for (const statement of statements) {
    rows.push(...(await query(statement.sql, statement.params)));
    if (rows.length >= fetch) break;
  }
  return rows.slice(0, fetch);
}

/** Counts of the whole (filtered) board: accounts, ranked, partial and stale rows. */
export function boardSummarySql(input: BoardSqlInput): Sql {
  const c = new SqlConditions();
  const where = [
    ...boardConditions(c, input.key, input.periodStart),
    ...(input.filtered ? registryConditions(c, input.filters, input.principal) : []),
  ];
  return {
    sql: `SELECT count(*)::int AS accounts, count(s.${input.columns.rank})::int AS ranked,
                 (count(*) FILTER (WHERE s.partial))::int AS partial,
                 (count(*) FILTER (WHERE s.stale))::int AS stale
          ${input.filtered ? SCORED_ACCOUNTS_FROM : 'FROM account_scores s'}
          ${whereAll(where)}`,
    params: c.params,
  };
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { decodeCursor, encodeCursor } from './cursor';
import type { SqlConditions } from './sql-builder';

export const MAX_PAGE_SIZE = 500;

/** `limit` and `cursor` of a keyset-paginated list. */
export class CursorPageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class PageQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'asc';
}

export class PageMeta {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as cursor to get the next page; null on the last page.',
  })
  nextCursor!: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface SortKey {
  /** SQL expression sorted on; must be NOT NULL. */
  expression: string;
  /** SQL type the cursor value is cast back to. */
  type: 'integer' | 'text' | 'timestamptz';
}

/**
 * Keyset pagination over (sort expression, id): adds the cursor condition and returns the
 * ORDER BY / LIMIT clause and a cursor-value select expression.
 */
export function keyset(
  conditions: SqlConditions,
  sort: SortKey,
  idExpression: string,
  query: PageQuery,
): { orderBy: string; cursorSelect: string } {
  const direction = query.order === 'desc' ? 'DESC' : 'ASC';
  if (query.cursor) {
    const position = decodeCursor(query.cursor);
    const op = direction === 'DESC' ? '<' : '>';
    conditions.where(
      (v, id) =>
        `(${sort.expression}, ${idExpression}) ${op} (${v}::text::${sort.type}, ${id}::integer)`,
      position.value === null ? null : String(position.value),
      position.id,
    );
  }
  return {
    orderBy: `ORDER BY ${sort.expression} ${direction}, ${idExpression} ${direction} LIMIT ${query.limit + 1}`,
    cursorSelect: `(${sort.expression})::text AS cursor_value`,
  };
}

/** Cuts the extra row fetched by `keyset` and makes the next cursor. */
export function toPage<R extends { id: number; cursor_value: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  return toKeysetPage(rows, limit, map, (last) =>
    encodeCursor({ value: last.cursor_value, id: last.id }),
  );
}

/** Cuts the extra row fetched past `limit`; `cursorOf` makes the next cursor from the last row kept. */
export function toKeysetPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  cursorOf: (last: R) => string,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && last !== undefined ? cursorOf(last) : null,
  };
}

import { QueryFailedError } from 'typeorm';

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_DUPLICATE_TABLE = '42P07';

/** The SQLSTATE of a PostgreSQL error, whether TypeORM wrapped it or pg threw it directly. */
export function pgErrorCode(err: unknown): string | undefined {
  const source = err instanceof QueryFailedError ? (err.driverError as unknown) : err;
  const code = (source as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** PostgreSQL SQLSTATE 23505. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && pgErrorCode(err) === PG_UNIQUE_VIOLATION;
}

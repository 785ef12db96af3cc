import { QueryFailedError } from 'typeorm';

/** PostgreSQL SQLSTATE 23505. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505';
}

import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../../test/support/database';
import { CreateScores1795500000000 } from '../../../migrations/1795500000000-CreateScores';

describe('CreateScores migration (PostgreSQL)', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = await openTestDataSource(await createTestDatabase());
  });

  afterAll(async () => {
    await db.destroy();
  });

  it('down removes the tables, the triggers and the function; up restores them', async () => {
    const objects = async () => {
      const [row] = await db.query<{ tables: number; triggers: number; functions: number }[]>(
        `SELECT (SELECT count(*)::int FROM pg_class WHERE relname IN ('score_runs', 'account_scores', 'score_invalidations') AND relkind = 'r') AS tables,
                (SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE 'tr\\_%\\_score\\_%' AND NOT tgisinternal) AS triggers,
                (SELECT count(*)::int FROM pg_proc WHERE proname = 'score_capture_changes') AS functions`,
      );
      return row;
    };
    const migration = new CreateScores1795500000000();
    const runner = db.createQueryRunner();
    try {
      // The three fact tables' triggers: on the partitioned parents only (3 tables × 3 events).
      expect(await objects()).toEqual({ tables: 3, triggers: 9, functions: 1 });
      await migration.down(runner);
      expect(await objects()).toEqual({ tables: 0, triggers: 0, functions: 0 });
      await migration.up(runner);
      expect(await objects()).toEqual({ tables: 3, triggers: 9, functions: 1 });
    } finally {
      await runner.release();
    }
  });
});

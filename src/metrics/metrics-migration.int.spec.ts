import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../test/support/database';
import { CreateMetricsStorage1795326376152 } from '../../migrations/1795326376152-CreateMetricsStorage';
import { METRIC_TABLES, ensureMonthlyPartitions } from './partitions';

describe('CreateMetricsStorage migration (PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTestDataSource(await createTestDatabase());
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('down removes the tables, their partitions and the function; up restores them', async () => {
    await ensureMonthlyPartitions(dataSource, METRIC_TABLES, '2026-01-01', '2026-02-01');
    const migration = new CreateMetricsStorage1795326376152();
    const runner = dataSource.createQueryRunner();
    const objects = () =>
      dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pg_class
         WHERE relname ~ '^(account_daily_metrics|posts|post_metric_snapshots)(_\\d{4}_\\d{2})?$'
           AND relkind IN ('r', 'p')`,
      );
    try {
      expect((await objects())[0].n).toBe(9);
      await migration.down(runner);
      expect((await objects())[0].n).toBe(0);
      await migration.up(runner);
      expect((await objects())[0].n).toBe(3);
    } finally {
      await runner.release();
    }
  });
});

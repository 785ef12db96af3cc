import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../test/support/database';
import { PartitionMaintenanceService } from './partition-maintenance.service';
import {
  METRIC_TABLES,
  addMonths,
  ensureMonthlyPartitions,
  monthlyPartitionsFor,
  partitionedThrough,
} from './partitions';
import { seedAccounts } from './metrics-testing';

async function partitionsOf(dataSource: DataSource, table: string) {
  const rows = await dataSource.query<{ name: string; bound: string }[]>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [table],
  );
  return rows;
}

describe('metric partitions (PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dataSource = await openTestDataSource(await createTestDatabase());
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('starts with partitioned parents and no partitions at all (no DEFAULT partition)', async () => {
    for (const table of METRIC_TABLES) {
      const [row] = await dataSource.query<{ strategy: string }[]>(
        `SELECT partstrat AS strategy FROM pg_partitioned_table WHERE partrelid = $1::regclass`,
        [table],
      );
      expect(row.strategy).toBe('r');
      expect(await partitionsOf(dataSource, table)).toEqual([]);
    }
  });

  it('creates the right months with [first of month, first of next month) bounds, once', async () => {
    const created = await ensureMonthlyPartitions(
      dataSource,
      ['account_daily_metrics'],
      '2024-12-31',
      '2025-02-28',
    );
    expect(created).toEqual([
      'account_daily_metrics_2024_12',
      'account_daily_metrics_2025_01',
      'account_daily_metrics_2025_02',
    ]);
    expect(await partitionsOf(dataSource, 'account_daily_metrics')).toEqual([
      {
        name: 'account_daily_metrics_2024_12',
        bound: "FOR VALUES FROM ('2024-12-01') TO ('2025-01-01')",
      },
      {
        name: 'account_daily_metrics_2025_01',
        bound: "FOR VALUES FROM ('2025-01-01') TO ('2025-02-01')",
      },
      {
        name: 'account_daily_metrics_2025_02',
        bound: "FOR VALUES FROM ('2025-02-01') TO ('2025-03-01')",
      },
    ]);
    expect(
      await ensureMonthlyPartitions(
        dataSource,
        ['account_daily_metrics'],
        '2024-12-01',
        '2025-02-01',
      ),
    ).toEqual([]);
  });

  it('is race-safe: concurrent ensures create each partition exactly once, without errors', async () => {
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        ensureMonthlyPartitions(dataSource, METRIC_TABLES, '2023-01-01', '2023-06-30'),
      ),
    );
    const all = runs.flat().sort();
    const expected = monthlyPartitionsFor('2023-01-01', '2023-06-30')
      .map((p) => p.name)
      .sort();
    expect(all).toEqual(expected);
    for (const table of METRIC_TABLES) {
      expect((await partitionsOf(dataSource, table)).map((p) => p.name)).toEqual(
        expect.arrayContaining(expected.filter((n) => n.startsWith(`${table}_2`))),
      );
    }
  });

  it('the SQL function and the TypeScript names agree, and the function rejects bad input', async () => {
    const [{ created }] = await dataSource.query<{ created: boolean }[]>(
      `SELECT metrics_ensure_month_partition('posts', '2022-02-01') AS created`,
    );
    expect(created).toBe(true);
    expect((await partitionsOf(dataSource, 'posts')).map((p) => p.name)).toContain(
      monthlyPartitionsFor('2022-02-10', '2022-02-10', ['posts'])[0].name,
    );
    await expect(
      dataSource.query(`SELECT metrics_ensure_month_partition('accounts', '2022-02-01')`),
    ).rejects.toThrow(/not a metrics fact table/);
    await expect(
      dataSource.query(`SELECT metrics_ensure_month_partition('posts', '2022-02-02')`),
    ).rejects.toThrow(/first day of a month/);
  });

  it('bootstrap leaves partitions from 13 months back to ≥ 3 months ahead', async () => {
    const service = new PartitionMaintenanceService(dataSource);
    const today = '2026-11-21';
    const created = await service.ensurePartitions(today);
    expect(created.length).toBe(17 * 3);
    expect(await service.ensurePartitions(today)).toEqual([]);
    const through = await partitionedThrough(dataSource, today);
    expect(through).not.toBeNull();
    expect(through! >= addMonths(today, 3)).toBe(true);
    expect(through).toBe('2027-02-01');
    for (const table of METRIC_TABLES) {
      const names = (await partitionsOf(dataSource, table)).map((p) => p.name);
      expect(names).toContain(`${table}_2025_10`);
      expect(names).toContain(`${table}_2027_02`);
      expect(names).not.toContain(`${table}_2027_03`);
    }
  });

  it('the alarm: a row for a month without a partition fails loudly when the writer is bypassed', async () => {
    const [accountId] = await seedAccounts(dataSource, 1);
    const error = await dataSource
      .query(
        `INSERT INTO account_daily_metrics (account_id, day, source) VALUES ($1, '2031-07-15', 'manual')`,
        [accountId],
      )
      .then(
        () => null,
        (err: unknown) => err as { driverError: { code: string; message: string } },
      );
    expect(error?.driverError.code).toBe('23514');
    expect(error?.driverError.message).toMatch(/no partition of relation "account_daily_metrics"/);
  });
});

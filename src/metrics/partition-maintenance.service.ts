import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BUSINESS_TIME_ZONE, businessDate } from '../common/business-date';
import { ensurePartitionsAhead, partitionedThrough } from './partitions';

/** Backfill window plus a year of history, so a backfill never waits on DDL. */
export const PARTITION_MONTHS_BACK = 13;
/** R25: partitions exist at least this many months ahead of today. */
export const PARTITION_MONTHS_AHEAD = 3;
/** Daily at 03:05 Asia/Shanghai, a quiet hour before collection of the previous day starts. */
export const PARTITION_MAINTENANCE_CRON = '0 5 3 * * *';

@Injectable()
export class PartitionMaintenanceService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PartitionMaintenanceService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensurePartitions();
  }

  /** Idempotent; every replica may run it (creators are serialised in the database). */
  @Cron(PARTITION_MAINTENANCE_CRON, {
    name: 'metrics-partitions',
    timeZone: BUSINESS_TIME_ZONE,
  })
  async ensurePartitionsDaily(): Promise<void> {
    try {
      await this.ensurePartitions();
    } catch (err) {
      // A missed day is harmless while partitions stay ≥ 3 months ahead; bootstrap fails loudly.
      this.logger.error({ err }, 'metric partition maintenance failed');
    }
  }

  async ensurePartitions(today: string = businessDate()): Promise<string[]> {
    const created = await ensurePartitionsAhead(
      this.dataSource,
      today,
      PARTITION_MONTHS_BACK,
      PARTITION_MONTHS_AHEAD,
    );
    const through = await partitionedThrough(this.dataSource, today);
    if (created.length > 0) {
      this.logger.log({ created, through }, `created ${created.length} metric partitions`);
    } else {
      this.logger.debug({ through }, 'metric partitions up to date');
    }
    return created;
  }
}

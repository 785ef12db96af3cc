import { Module } from '@nestjs/common';
import { PartitionMaintenanceService } from './partition-maintenance.service';

/**
 * Stored facts. The writers (metric-writers.ts) are plain functions over the caller's
 * EntityManager. Needs TypeORM's DataSource; the daily partition job also needs
 * ScheduleModule.forRoot() in the app (without it only the bootstrap run happens).
 */
@Module({
  providers: [PartitionMaintenanceService],
  exports: [PartitionMaintenanceService],
})
export class MetricsModule {}

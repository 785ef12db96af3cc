import { Module } from '@nestjs/common';
import { MetricsImportController } from './import/metrics-import.controller';
import { MetricsImportService } from './import/metrics-import.service';
import { AccountMetricsController } from './queries/account-metrics.controller';
import { AccountMetricsService } from './queries/account-metrics.service';

/**
 * The HTTP side of stored metrics: per-account metric and post queries, and the manual/vendor
 * import. API role only (an `api` feature module); AuditService and APP_CONFIG are global.
 */
@Module({
  controllers: [AccountMetricsController, MetricsImportController],
  providers: [AccountMetricsService, MetricsImportService],
})
export class MetricsApiModule {}

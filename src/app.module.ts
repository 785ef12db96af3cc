import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { ApiKeysModule } from './auth/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { buildDataSourceOptions } from './database/data-source-options';
import { HealthModule } from './health/health.module';
import { PlatformsModule } from './platforms/platforms.module';
import { MetricsModule } from './metrics/metrics.module';
import { MetricsApiModule } from './metrics/metrics-api.module';
import { CollectionPipelineModule } from './collection/collection-pipeline.module';
import { ScheduleModule } from '@nestjs/schedule';
import type { HttpMetrics } from './health/metrics.registry';
import { PrometheusModule } from './health/prometheus.module';
import { buildLoggerOptions } from './logging/logger-options';
import { RegionsModule } from './regions/regions.module';
import { DemoModule } from './demo/demo.module';
import { CredentialsModule } from './credentials/credentials.module';
import { LeaderboardsModule } from './scoring/leaderboards/leaderboards.module';
import { ScoringApiModule, ScoringModule } from './scoring/scoring.module';
import { MaturityModule } from './maturity/maturity.module';
import { StatsModule } from './stats/stats.module';
import { CapabilityModule } from './capability/capability.module';
import type { RunningSimulator } from './simulator';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  metrics: HttpMetrics;
  /** Demo mode: the running simulator whose population is registered at start. */
  simulator?: RunningSimulator;
}

/** Feature modules by APP_ROLE: workers serve only health and metrics over HTTP. */
function featureModules(config: AppConfig): Type[] {
  const api: Type[] = [
    RegionsModule,
    AccountsModule,
    ApiKeysModule,
    MetricsApiModule,
    LeaderboardsModule,
    ScoringApiModule,
    MaturityModule,
    StatsModule,
    CapabilityModule,
  ];
  const worker: Type[] = [];
  switch (config.role) {
    case 'api':
      return api;
    case 'worker':
      return worker;
    case 'all':
      return [...api, ...worker];
  }
}

@Module({})
export class AppModule {
  static register({ config, databaseUrl, metrics, simulator }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        PrometheusModule.forRoot(metrics),
        LoggerModule.forRoot(buildLoggerOptions(config)),
        TypeOrmModule.forRoot(buildDataSourceOptions(databaseUrl, config.database.poolSize)),
        AuditModule,
        AuthModule,
        HealthModule,
        PlatformsModule,
        // Every role: idempotent, race-safe partition upkeep (bootstrap + a daily cron).
        ScheduleModule.forRoot(),
        MetricsModule,
        // Scheduled collection: ledger + fan-out (every role), workers, health and its API.
        CollectionPipelineModule.register({ config, databaseUrl }),
        // Score runs after collection (every role; the ledger picks the replica) and their executor.
        ScoringModule,
        ...featureModules(config),
        // Once for every role: two instances would split the in-process token coalescing.
        CredentialsModule.register({ http: config.role !== 'worker' }),
        ...(simulator && config.role !== 'worker' ? [DemoModule.forSimulator(simulator)] : []),
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}

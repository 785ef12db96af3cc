import { type DynamicModule, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { AlertNotifier } from './alert-notifier';
import { CollectionHealthController } from './collection-health.controller';
import { CollectionHealthService } from './collection-health.service';
import { CollectionMetrics } from './collection-metrics';

export interface CollectionHealthModuleOptions {
  /** Serve /api/v1/collection/* (api and all roles; workers serve no API). */
  http: boolean;
  /**
   * Provides COLLECTION_DISPATCHER for POST trigger/backfill, e.g.
   * `{ provide: COLLECTION_DISPATCHER, useExisting: CollectionDispatchService }`. Without it those
   * two routes answer 503.
   */
  dispatcher?: Provider;
  /** Modules exporting what `dispatcher` needs. */
  imports?: ModuleMetadata['imports'];
}

/**
 * Collection health: metrics, the alert notifier and (with `http`) the /api/v1/collection API.
 * Global, so the collection workers inject CollectionMetrics and AlertNotifier without importing
 * it; register it ONCE per app (needs METRICS_REGISTRY, APP_CONFIG and TypeORM's DataSource).
 */
@Module({})
export class CollectionHealthModule {
  static register(options: CollectionHealthModuleOptions): DynamicModule {
    return {
      module: CollectionHealthModule,
      global: true,
      imports: options.imports ?? [],
      controllers: options.http ? [CollectionHealthController] : [],
      providers: [
        CollectionMetrics,
        AlertNotifier,
        ...(options.http ? [CollectionHealthService] : []),
        ...(options.dispatcher ? [options.dispatcher] : []),
      ],
      exports: [CollectionMetrics, AlertNotifier],
    };
  }
}

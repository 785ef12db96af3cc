import { type DynamicModule, Global, Module } from '@nestjs/common';
import { METRICS_REGISTRY, type HttpMetrics } from './metrics.registry';

@Global()
@Module({})
export class MetricsModule {
  static forRoot(metrics: HttpMetrics): DynamicModule {
    return {
      module: MetricsModule,
      providers: [{ provide: METRICS_REGISTRY, useValue: metrics }],
      exports: [METRICS_REGISTRY],
    };
  }
}

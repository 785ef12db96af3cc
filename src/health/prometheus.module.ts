import { type DynamicModule, Global, Module } from '@nestjs/common';
import { METRICS_REGISTRY, type HttpMetrics } from './metrics.registry';

@Global()
@Module({})
export class PrometheusModule {
  static forRoot(metrics: HttpMetrics): DynamicModule {
    return {
      module: PrometheusModule,
      providers: [{ provide: METRICS_REGISTRY, useValue: metrics }],
      exports: [METRICS_REGISTRY],
    };
  }
}

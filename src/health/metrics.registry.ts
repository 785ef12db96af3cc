import { Registry, collectDefaultMetrics, Histogram } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export interface HttpMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/** One registry per app instance (tests start several apps in one process). */
export function createMetricsRegistry(): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'gov-media-monitor' });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, httpDuration };
}

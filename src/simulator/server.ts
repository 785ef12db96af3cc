import type { ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { registerAdminRoutes } from './admin-routes';
import { CallLog } from './call-log';
import { businessDate } from '../common/business-date';
import { FaultController, type FaultSpec } from './faults';
import { INVALID_JSON, type SimContext, type SimLogger } from './platform-handler';
import { SimPopulation } from './population';
import { WechatTokenStore } from './tokens';
import { registerWechatRoutes } from './wechat-routes';
import { registerWeiboRoutes } from './weibo-routes';

export interface SimulatorOptions {
  seed?: number;
  size?: number;
  latencyMs?: number;
  host?: string;
  port?: number;
  now?: () => Date;
  logger?: SimLogger;
  /** Faults active from the start (SIMULATOR_FAULTS); more can be set over /__sim/faults. */
  faults?: FaultSpec[];
}

export interface RunningSimulator {
  url: string;
  population: SimPopulation;
  faults: FaultController;
  callLog: CallLog;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const now = options.now ?? (() => new Date());
  const latencyMs = options.latencyMs ?? 20;
  const population = new SimPopulation({
    seed: options.seed ?? 1,
    size: options.size ?? 2000,
    // Dormancy is measured back from the day the simulator starts.
    anchorDate: businessDate(now()),
  });
  const ctx: SimContext = {
    population,
    faults: FaultController.withFaults(options.faults ?? []),
    callLog: new CallLog(),
    tokens: new WechatTokenStore(population.seed, now),
    now,
    held: new Set<ServerResponse>(),
    timers: new Set<NodeJS.Timeout>(),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  };

  const app = Fastify({ logger: false, forceCloseConnections: true });
  // Platforms accept bodies whatever the content type; bad JSON reaches the handler as a marker.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, INVALID_JSON);
    }
  });
  if (latencyMs > 0) {
    app.addHook('onRequest', async () => {
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
    });
  }
  registerWechatRoutes(app, ctx);
  registerWeiboRoutes(app, ctx);
  registerAdminRoutes(app, ctx);

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  options.logger?.info(
    { url, seed: population.seed, size: population.size },
    'simulator listening',
  );

  return {
    url,
    population,
    faults: ctx.faults,
    callLog: ctx.callLog,
    close: async () => {
      for (const timer of ctx.timers) clearInterval(timer);
      ctx.timers.clear();
      for (const res of ctx.held) res.destroy();
      ctx.held.clear();
      await app.close();
    },
  };
}

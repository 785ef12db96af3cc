import 'reflect-metadata';
import pino from 'pino';
import { createApp } from './app.factory';
import { type AppConfig, ConfigValidationError, loadConfig } from './config/app-config';
import { openDatabase } from './database/open-database';
import { type RunningSimulator, startSimulator } from './simulator';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\nSee the environment table in README.md.\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel, base: { role: config.role } });
  const db = await openDatabase(config, (message) => log.info(message));
  if (db.appliedMigrations.length > 0) {
    log.info({ migrations: db.appliedMigrations }, 'applied migrations');
  }

  // Demo mode: no platform URL configured, so the built-in simulator serves both APIs.
  let simulator: RunningSimulator | undefined;
  if (config.platforms.demo) {
    simulator = await startSimulator({ ...config.simulator, host: '127.0.0.1', logger: log });
    config = {
      ...config,
      platforms: {
        ...config.platforms,
        wechatBaseUrl: simulator.url,
        weiboBaseUrl: simulator.url,
        weiboCommercialBaseUrl: simulator.url,
      },
    };
    log.warn(`DEMO MODE: simulated WeChat and Weibo APIs at ${simulator.url}`);
  }

  let app;
  try {
    app = await createApp(config, db.url, simulator);
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (err) {
    log.fatal({ err }, 'startup failed');
    await simulator?.close();
    await db.close();
    process.exit(1);
  }
  log.info(
    `gov-media-monitor (${config.role}) listening on http://${config.http.host}:${config.http.port} — API docs at /docs` +
      (db.embedded ? ' — embedded PostgreSQL' : ''),
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    // Fastify's close waits for in-flight requests; then the database this process started stops.
    app
      .close()
      .then(() => simulator?.close())
      .then(() => db.close())
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});

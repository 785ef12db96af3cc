import 'reflect-metadata';
import pino from 'pino';
import { createApp } from './app.factory';
import { ConfigValidationError, loadConfig } from './config/app-config';
import { openDatabase } from './database/open-database';

async function main(): Promise<void> {
  let config;
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

  let app;
  try {
    app = await createApp(config, db.url);
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (err) {
    log.fatal({ err }, 'startup failed');
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

import path from 'node:path';
import type { AppConfig } from '../config/app-config';
import { ensureDatabase, startEmbeddedPostgres } from './embedded-postgres';
import { runMigrations } from './migrate';

export interface OpenDatabase {
  url: string;
  /** Stops the embedded server if this process started one. */
  close(): Promise<void>;
  embedded: boolean;
  appliedMigrations: string[];
}

export const EMBEDDED_DATABASE_NAME = 'gmm';

/** DATABASE_URL if set; otherwise an embedded PostgreSQL under <DATA_DIR>/pg. Then migrates. */
export async function openDatabase(
  config: AppConfig,
  log: (message: string) => void,
): Promise<OpenDatabase> {
  if (config.database.url) {
    const appliedMigrations = await runMigrations(config.database.url);
    return {
      url: config.database.url,
      close: () => Promise.resolve(),
      embedded: false,
      appliedMigrations,
    };
  }
  const dataDir = path.join(config.dataDir, 'pg');
  log(`starting embedded PostgreSQL (data in ${dataDir}, port ${config.database.embeddedPort})`);
  const server = await startEmbeddedPostgres({ dataDir, port: config.database.embeddedPort });
  try {
    const url = await ensureDatabase(server.url, EMBEDDED_DATABASE_NAME);
    const appliedMigrations = await runMigrations(url);
    return { url, close: () => server.stop(), embedded: true, appliedMigrations };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

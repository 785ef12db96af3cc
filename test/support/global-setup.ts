import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freePort } from '../../src/database/free-port';
import { runMigrations } from '../../src/database/migrate';
import { syncRegions } from '../../src/regions/region-sync';

export const TEMPLATE_DATABASE = 'gmm_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

/**
 * One embedded PostgreSQL for the whole run: the real migrations (and the region catalog) are
 * applied once to a template database; each test file clones it (test/support/database.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gmm-test-'));
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
  });
  try {
    const url = await ensureDatabase(server.url, TEMPLATE_DATABASE);
    await runMigrations(url);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await syncRegions({
        query: async (sql, params) => (await client.query(sql, params)).rows as never,
      });
    } finally {
      await client.end();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  project.provide('pgServerUrl', server.url);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

/**
 * Migration drift check (and generator): applies every migration to an empty database, then asks
 * TypeORM which SQL would bring the schema in line with the entities.
 *   node dist/scripts/migration-drift.js            exit 1 if anything is missing (CI)
 *   node dist/scripts/migration-drift.js --print    print the missing SQL (to write a migration)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { freePort } from '../src/database/free-port';

async function main(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gmm-drift-'));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
  try {
    const url = await ensureDatabase(pg.url, 'gmm_drift');
    const applied = await runMigrations(url);
    console.log(`applied ${applied.length} migrations to an empty database`);
    const dataSource = new DataSource(buildDataSourceOptions(url, 2));
    await dataSource.initialize();
    try {
      const sql = await dataSource.driver.createSchemaBuilder().log();
      if (sql.upQueries.length === 0) {
        console.log('no drift: entities and migrations agree');
        return 0;
      }
      console.log(`DRIFT: ${sql.upQueries.length} statement(s) missing from migrations:`);
      for (const q of sql.upQueries) console.log(`  ${q.query};`);
      if (process.argv.includes('--print')) {
        console.log('\n-- down:');
        for (const q of sql.downQueries.reverse()) console.log(`  ${q.query};`);
      }
      return 1;
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);

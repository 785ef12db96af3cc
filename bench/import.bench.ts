/**
 * npm run bench:import — imports a valid 10,000-row CSV through AccountImportService (parse,
 * validate, resolve, set-based write with audit rows, one transaction) and compares it with a raw
 * `INSERT … SELECT FROM unnest(…)` of the same account rows, measured in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountImportService } from '../src/accounts/import/account-import.service';
import { AuditService } from '../src/audit/audit.service';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { freePort } from '../src/database/free-port';
import { runMigrations } from '../src/database/migrate';
import { syncRegions } from '../src/regions/region-sync';
import { buildImportRow, toCsv } from '../test/support/builders';

const ROWS = Number(process.argv[2] ?? 10_000);
const REPEATS = 5;

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gmm-bench-'));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
  const url = await ensureDatabase(pg.url, 'gmm_bench');
  await runMigrations(url);
  const dataSource = await new DataSource(buildDataSourceOptions(url, 4)).initialize();
  try {
    await syncRegions(dataSource);
    const service = new AccountImportService(
      dataSource,
      loadConfig({ IMPORT_MAX_ROWS: String(ROWS) }),
      new AuditService(),
    );
    const principal = { apiKeyId: 0, name: 'bench', role: 'admin' as const, regionCode: null };
    const actor = { apiKeyId: null, name: 'bench', correlationId: null };
    const inputs = Array.from({ length: ROWS }, (_, i) => buildImportRow(i));
    const csv = Buffer.from(toCsv(inputs), 'utf8');

    const reset = () => dataSource.query('TRUNCATE accounts, audit_log RESTART IDENTITY CASCADE');
    // Organizations exist in the steady state; create them once with a first import.
    await service.importAccounts(csv, 'csv', false, principal, actor);
    const orgIds = new Map(
      (
        await dataSource.query<{ id: number; name: string }[]>('SELECT id, name FROM organizations')
      ).map((o) => [o.name, o.id]),
    );
    const column = <T>(pick: (r: (typeof inputs)[number]) => T) => inputs.map(pick);
    const rawParams = [
      column((r) => r.platform),
      column((r) => r.wechatOriginalId ?? null),
      column((r) => r.wechatAppId ?? null),
      column((r) => r.weiboUid ?? null),
      column((r) => r.displayName),
      column((r) => orgIds.get(r.organizationName!)),
      column((r) => (r.wechatType === '服务号' ? 'service' : r.wechatType ? 'subscription' : null)),
      column((r) => r.verified === '是'),
      column((r) => (r.tags ? r.tags.split(';').join('\u001f') : null)),
    ];

    const raw: number[] = [];
    const imported: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      await reset();
      let t0 = performance.now();
      await dataSource.transaction((m) =>
        m.query(
          `INSERT INTO accounts (platform, wechat_original_id, wechat_app_id, weibo_uid, display_name, organization_id,
                                 wechat_type, verified, tags)
           SELECT platform, orig, app, uid, name, org, type, verified, coalesce(string_to_array(tags, chr(31)), '{}')
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::boolean[], $9::text[])
             AS u(platform, orig, app, uid, name, org, type, verified, tags)`,
          rawParams,
        ),
      );
      raw.push(performance.now() - t0);

      await reset();
      t0 = performance.now();
      const result = await service.importAccounts(csv, 'csv', false, principal, actor);
      imported.push(performance.now() - t0);
      if (result.created !== ROWS)
        throw new Error(`import created ${result.created}, expected ${ROWS}`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rawMs = median(raw);
    const importMs = median(imported);
    const rate = (ms: number) => Math.round((ROWS / ms) * 1000);
    const ratio = rawMs / importMs;
    console.log(`bench:import — ${ROWS} rows, median of ${REPEATS} runs (Node ${process.version})`);
    console.log(`  raw INSERT … SELECT FROM unnest: ${rawMs.toFixed(1)} ms  ${rate(rawMs)} rows/s`);
    console.log(
      `  import (CSV → committed + audit): ${importMs.toFixed(1)} ms  ${rate(importMs)} rows/s`,
    );
    console.log(
      `  ratio import/raw rows/s: ${ratio.toFixed(2)}×  (goal ≥ 0.5×: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
    );
  } finally {
    await dataSource.destroy();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

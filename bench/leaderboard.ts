/**
 * npm run bench:leaderboard — the national WeChat week leaderboard (GET /api/v1/leaderboards, 50
 * rows, API key, the real app) against a bare Fastify + pg handler doing the same indexed read of
 * account_scores (the same SQL, ix_account_scores_board), measured in the same run with autocannon
 * at 50 connections.
 *
 * Layout: this process runs the embedded PostgreSQL, fills account_scores for BENCH_ACCOUNTS
 * accounts (default 100,000; two weeks, set-based generate_series) and drives the load; each
 * server runs in its own forked child, so the load generator never shares its event loop.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { generateApiKey } from '../src/auth/api-key-format';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { freePort } from '../src/database/free-port';
import { runMigrations } from '../src/database/migrate';
import { syncRegions } from '../src/regions/region-sync';
import { encodeCursor } from '../src/common/cursor';
import {
  type BoardCursor,
  METRIC_COLUMNS,
  decodeBoardCursor,
} from '../src/scoring/leaderboards/leaderboard-request';
import {
  type Sql,
  boardPageSql,
  queryBoardPage,
} from '../src/scoring/leaderboards/leaderboard-sql';
import { periodOf, previousPeriod } from '../src/scoring/periods';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = 3;
const PAGE = 50;
const PERIOD = periodOf('week', '2026-11-23');
const PREVIOUS = previousPeriod(PERIOD);
const GOAL_RATIO = 0.5;
const GOAL_P99_MS = 25;

type Mode = 'app' | 'bare';

// ---------------------------------------------------------------------------------------------
// Parent: PostgreSQL, data, load.

async function fill(db: DataSource): Promise<void> {
  const orgs = Math.max(1, Math.round(ACCOUNTS / 20));
  await db.query(
    `WITH pref AS (SELECT code, (row_number() OVER (ORDER BY code) - 1)::int AS n FROM regions WHERE level = 'prefecture'),
          np AS (SELECT count(*)::int AS c FROM pref)
     INSERT INTO organizations (name, region_code, level, sector)
     SELECT '单位 ' || g, pref.code,
            (ARRAY['provincial','municipal','county','township'])[1 + g % 4],
            (ARRAY['public_security','health','transport','party_government_office','tourism','culture_media',
                   'education','housing_fund','food_drug','taxation','youth_league','human_resources'])[1 + g % 12]
     FROM generate_series(0, $1::int - 1) g, np JOIN pref ON true
     WHERE pref.n = g % np.c`,
    [orgs],
  );
  await db.query(
    `INSERT INTO accounts (platform, wechat_original_id, display_name, organization_id, wechat_type)
     SELECT 'wechat', 'gh_' || lpad(to_hex(g), 12, '0'), '账号 ' || g, 1 + g % $2::int,
            CASE WHEN g % 10 < 3 THEN 'service' ELSE 'subscription' END
     FROM generate_series(1, $1::int) g`,
    [ACCOUNTS, orgs],
  );
  for (const [i, period] of [PREVIOUS, PERIOD].entries()) {
    const [run] = await db.query<{ id: string }[]>(
      `INSERT INTO score_runs (platform, period_type, period_key, period_start, period_end, formula_version,
                               activity_version, snapshot_age, trigger, status, accounts, finished_at)
       VALUES ('wechat', 'week', $1, $2, $3, 'wci-v14.2', 'activity-v1', 7, 'manual', 'done', $4, now())
       RETURNING id`,
      [period.key, period.start, period.end, ACCOUNTS],
    );
    await db.query(`SELECT setseed($1)`, [0.1 + i / 10]);
    // 5% never posted (no WCI); reads and scores skewed like real boards; ranks as the contract says.
    await db.query(
      `WITH v AS (
         SELECT a.id, CASE WHEN random() < 0.05 THEN 0 ELSE 1 + (random() * 40)::int END AS n,
                (1000 + random() ^ 3 * 2000000)::bigint AS followers, random() AS r
         FROM accounts a
       ), x AS (
         SELECT id, n, followers,
                CASE WHEN n = 0 THEN 0 ELSE (n * (50 + r ^ 2 * 20000))::bigint END AS reads,
                CASE WHEN n = 0 THEN NULL ELSE round((200 + r * 900)::numeric, 6)::float8 END AS score,
                least(100, n * 2.5)::float8 AS activity
         FROM v
       ), s AS (
         SELECT x.*, CASE WHEN n = 0 THEN NULL ELSE (reads / n * 3)::bigint END AS max_reads FROM x
       )
       INSERT INTO account_scores (account_id, period_type, period_start, formula_version, week_start, platform,
         period_end, run_id, posts, headline_posts, active_days, total_reads, headline_reads, max_reads, likes,
         shares, followers, followers_change, score, score_inputs_used, score_inputs_missing, activity_score,
         days_since_last_post, stale, dormant, partial, data_as_of, rank_score, rank_activity, rank_followers,
         rank_reads)
       SELECT id, 'week', $1, 'wci-v14.2', 'monday', 'wechat', $2, $3, n, least(n, 7), least(n, 7), reads,
              reads / 2, max_reads, reads / 50, reads / 100, followers, n * 10, score,
              CASE WHEN score IS NULL THEN '{}'::text[] ELSE '{R,Rt,Rmax,n,nt}'::text[] END, '{zaikan}',
              activity, CASE WHEN n = 0 THEN NULL ELSE 0 END, n = 0, false, id % 50 = 0, $2,
              CASE WHEN score IS NOT NULL THEN rank() OVER (PARTITION BY score IS NULL
                ORDER BY round(score::numeric, 2) DESC, reads DESC NULLS LAST, max_reads DESC NULLS LAST, n DESC) END,
              rank() OVER (ORDER BY round(activity::numeric, 2) DESC, n DESC),
              rank() OVER (ORDER BY followers DESC), rank() OVER (ORDER BY reads DESC)
       FROM s`,
      [period.start, period.end, run.id],
    );
  }
  await db.query('VACUUM ANALYZE account_scores');
  await db.query('VACUUM ANALYZE accounts');
  await db.query('VACUUM ANALYZE organizations');
}

interface Measured {
  requestsPerSecond: number;
  p99Ms: number;
  p50Ms: number;
  errors: number;
  bytesPerResponse: number;
}

async function load(
  url: string,
  headers: Record<string, string>,
  path?: () => string,
): Promise<Measured> {
  const requests = path
    ? [{ setupRequest: (r: { path?: string }) => ({ ...r, path: path() }) }]
    : undefined;
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S, headers, requests });
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers,
    requests,
  });
  return {
    requestsPerSecond: r.requests.average,
    p99Ms: r.latency.p99,
    p50Ms: r.latency.p50,
    errors: r.errors + r.timeouts + r.non2xx,
    bytesPerResponse: Math.round(r.throughput.total / Math.max(1, r.requests.total)),
  };
}

function startServer(
  mode: Mode,
  env: Record<string, string>,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = fork(__filename, ['--child', mode], {
    env: { ...process.env, ...env },
    stdio: 'inherit',
    // Diagnosis only: a CPU profile of each server (written when it exits).
    execArgv: process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
    child.once('message', (message: { port: number }) => {
      child.removeAllListeners('exit');
      resolve({
        port: message.port,
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

async function parent(): Promise<void> {
  Logger.overrideLogger(['error']);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gmm-bench-board-'));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
  try {
    const url = await ensureDatabase(pg.url, 'gmm_bench_board');
    await runMigrations(url);
    const db = await new DataSource(buildDataSourceOptions(url, 4)).initialize();
    const t0 = Date.now();
    await syncRegions(db);
    await fill(db);
    const filled = ((Date.now() - t0) / 1000).toFixed(1);
    const [board] = nationalBoardSql();
    const plan = await db.query<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN (ANALYZE, BUFFERS) ${board.sql}`,
      board.params,
    );
    const lines = plan.map((p) => p['QUERY PLAN']);
    await db.destroy();
    console.log(
      `bench:leaderboard — ${ACCOUNTS} accounts × 2 weeks in account_scores (filled in ${filled} s), ` +
        `top ${PAGE}, ${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up ` +
        `(Node ${process.version}, ${os.cpus().length} cores)`,
    );
    const uses = lines.some((l) => l.includes('ix_account_scores_board'));
    console.log(
      `  board statement: ${uses ? 'index scan on ix_account_scores_board' : 'NO index scan'}, ` +
        `${lines.find((l) => l.startsWith('Execution Time'))?.toLowerCase() ?? ''}`,
    );
    if (process.env.BENCH_EXPLAIN) console.log(lines.join('\n'));
    const adminKey = generateApiKey().plaintext;
    const env = { BENCH_DATABASE_URL: url, BENCH_DIR: dir, BENCH_ADMIN_KEY: adminKey };
    const query = `platform=wechat&period=week&date=${PERIOD.start}&limit=${PAGE}`;

    // Deep pages at random ranks: every request misses the app's page cache.
    const deepPath = (prefix: string) => () =>
      `${prefix}?${query}&cursor=${encodeCursor({ value: 1 + Math.floor(Math.random() * ACCOUNTS * 0.9), id: 0 })}`;

    const bare = await startServer('bare', env);
    const bareTop = await load(`http://127.0.0.1:${bare.port}/board?${query}`, {});
    const bareDeep = await load(`http://127.0.0.1:${bare.port}`, {}, deepPath('/board'));
    await bare.stop();

    const app = await startServer('app', env);
    const appUrl = `http://127.0.0.1:${app.port}/api/v1/leaderboards?${query}`;
    const check = await fetch(appUrl, { headers: { 'x-api-key': adminKey } });
    const body = (await check.json()) as { items: unknown[]; run: { id: number } };
    if (check.status !== 200 || body.items.length !== PAGE) {
      throw new Error(`the app answered ${check.status} with ${body.items?.length} items`);
    }
    const key = { 'x-api-key': adminKey };
    const appTop = await load(appUrl, key);
    const appDeep = await load(
      `http://127.0.0.1:${app.port}`,
      key,
      deepPath('/api/v1/leaderboards'),
    );
    await app.stop();

    const show = (label: string, m: Measured) =>
      console.log(
        `  ${label.padEnd(44)} ${m.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  ` +
          `${m.bytesPerResponse} B/response  errors ${m.errors}`,
      );
    console.log('top 50 (the same URL: the app serves it from its cache, keyed by run id):');
    show('bare Fastify + pg (same SQL)', bareTop);
    show('app GET /api/v1/leaderboards', appTop);
    const ratio = appTop.requestsPerSecond / bareTop.requestsPerSecond;
    console.log(
      `  ratio app/bare requests/s: ${ratio.toFixed(2)}×  (goal ≥ ${GOAL_RATIO}×: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'})`,
    );
    console.log(
      `  app p99: ${appTop.p99Ms} ms  (goal ≤ ${GOAL_P99_MS} ms: ${appTop.p99Ms <= GOAL_P99_MS ? 'met' : 'NOT met'})`,
    );
    console.log('50 rows after a random rank (keyset cursor: every request runs the SQL):');
    show('bare Fastify + pg (same SQL)', bareDeep);
    show('app GET /api/v1/leaderboards?cursor=…', appDeep);
    console.log(
      `  ratio app/bare requests/s: ${(appDeep.requestsPerSecond / bareDeep.requestsPerSecond).toFixed(2)}×`,
    );
    if ([bareTop, bareDeep, appTop, appDeep].some((m) => m.errors > 0)) {
      throw new Error('requests failed during the run');
    }
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Children: one server each.

/** The app's unfiltered board statement (the same SQL the bare handler runs). */
function nationalBoardSql(cursor: BoardCursor | null = null): Sql[] {
  return boardPageSql({
    key: {
      platform: 'wechat',
      periodType: 'week',
      formulaVersion: 'wci-v14.2',
      weekStart: 'monday',
    },
    periodStart: PERIOD.start,
    previousStart: PREVIOUS.start,
    columns: METRIC_COLUMNS.wci,
    filters: {},
    principal: { apiKeyId: 0, name: 'bench', role: 'viewer', regionCode: null },
    filtered: false,
    cursor,
    fetch: PAGE + 1,
  });
}

async function bareServer(url: string): Promise<number> {
  const config = loadConfig({ DATABASE_URL: url });
  const pool = new Pool({ connectionString: url, max: config.database.poolSize });
  const top = nationalBoardSql();
  const server = Fastify({ logger: false });
  server.get<{ Querystring: { cursor?: string } }>('/board', async (request) => {
    const sql = request.query.cursor
      ? nationalBoardSql(decodeBoardCursor(request.query.cursor))
      : top;
    const rows = await queryBoardPage(sql, PAGE + 1, async (text, params) => {
      return (await pool.query(text, params)).rows;
    });
    return { items: rows.slice(0, PAGE) };
  });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function appServer(url: string): Promise<number> {
  const config = loadConfig({
    APP_ROLE: 'api',
    DATABASE_URL: url,
    DATA_DIR: process.env.BENCH_DIR,
    ADMIN_API_KEY: process.env.BENCH_ADMIN_KEY,
    COLLECTION_ENABLED: 'false',
    SCORING_SCHEDULE: 'false',
    WECHAT_API_BASE_URL: 'http://127.0.0.1:9',
    WEIBO_API_BASE_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'warn',
  });
  const app = await createApp(config, url);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function child(mode: Mode): Promise<void> {
  Logger.overrideLogger(['error']);
  const url = process.env.BENCH_DATABASE_URL!;
  const port = mode === 'bare' ? await bareServer(url) : await appServer(url);
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
  process.send!({ port });
}

const main = process.argv[2] === '--child' ? () => child(process.argv[3] as Mode) : parent;
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * npm run bench:collect — the daily WeChat collection of N simulated accounts (default 2,000 and
 * 10,000: BENCH_ACCOUNTS=2000,10000) through the real application, at 20 ms simulator latency:
 * CollectionScheduler.trigger → pg-boss → CollectionWorker → WechatDailyTask (WechatTokenService,
 * RequestBudget, WechatClient with keep-alive, WriteBatcher group commit of rows + bookmarks). Prints accounts/s, requests/s (from the simulator's call log) and the ratio to the ideal
 * (concurrency ÷ latency). Then, in the same run, the ingest path: the rows the collection stored,
 * written again through the collection write path (WriteBatcher, as the task does) against a raw
 * `INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE` of the same rows, median of 3 each.
 *
 * Layout: this process runs the embedded PostgreSQL and the simulator (as a remote platform would
 * be: its own event loop); each size runs in a forked child that boots the Nest app (APP_ROLE=all),
 * so every child's peak RSS is its own and the sizes can be compared (memory stays flat).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';
import { JOB_QUEUE_SCHEMA } from '../migrations/1795400000000-CreateCollectionState';
import { createApp } from '../src/app.factory';
import { WriteBatcher } from '../src/collection/tasks/write-batcher';
import { CollectionScheduler } from '../src/collection/collection-scheduler.service';
import { queueName } from '../src/collection/collection-contracts';
import { businessDate, businessDayStart } from '../src/common/business-date';
import { addDays } from '../src/common/calendar-date';
import { loadConfig } from '../src/config/app-config';
import { CredentialsService } from '../src/credentials/credentials.service';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { freePort } from '../src/database/free-port';
import { runMigrations } from '../src/database/migrate';
import { simulatorCredentials } from '../src/demo/demo-registration';
import type { DailyMetricRow, PostRow, PostSnapshotRow } from '../src/metrics/metric-rows';
import { ensureMetricPartitions } from '../src/metrics/metric-writers';
import { METRIC_TABLES } from '../src/metrics/partitions';
import { SimPopulation, type SimAccount, startSimulator } from '../src/simulator';

const SEED = 1;
const LATENCY_MS = 20;
const CONCURRENCY = 50;
const INGEST_REPEATS = 3;
const SIZES = (process.env.BENCH_ACCOUNTS ?? '2000,10000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const QUEUE = queueName('wechat.daily');

/** Parent → child and child → parent messages. */
type ToChild =
  | { type: 'seq'; seq: number }
  | { type: 'count'; requests: number; token: number; simCpuMs: number };
type ToParent =
  | { type: 'mark' }
  | { type: 'since'; seq: number }
  | {
      type: 'result';
      accounts: number;
      peakRssMb: number;
      collectRssMb: number;
      heapBeforeMb: number;
      heapAfterMb: number;
    };

/** The first `n` verified WeChat accounts of the population (the simulator refuses others, 48001). */
function benchAccounts(population: SimPopulation, n: number): SimAccount[] {
  const picked: SimAccount[] = [];
  for (const account of population.accounts()) {
    if (account.platform === 'wechat' && account.verified) picked.push(account);
    if (picked.length === n) break;
  }
  return picked;
}

/** Population size that holds `n` verified WeChat accounts. */
function populationSizeFor(n: number): number {
  const probe = new SimPopulation({ seed: SEED, size: 1_000_000 });
  const last = benchAccounts(probe, n);
  if (last.length < n) throw new Error(`the population cannot yield ${n} accounts`);
  return last[last.length - 1].index + 1;
}

const mb = (kb: number) => Math.round(kb / 1024);
/** Heap in use after a full GC (the child runs with --expose-gc), in MB. */
function liveHeapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().heapUsed / 1024 / 1024);
}
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---------------------------------------------------------------------------------------------
// Parent: PostgreSQL, simulator, one child per size.

async function parent(): Promise<void> {
  if (SIZES.length === 0) throw new Error('BENCH_ACCOUNTS: give sizes like 2000,10000');
  const started = performance.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gmm-bench-collect-'));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
  const simSize = populationSizeFor(Math.max(...SIZES));
  const sim = await startSimulator({ seed: SEED, size: simSize, latencyMs: LATENCY_MS });
  const results: Extract<ToParent, { type: 'result' }>[] = [];
  console.log(
    `bench:collect — WeChat daily collection, simulator latency ${LATENCY_MS} ms, ` +
      `concurrency ${CONCURRENCY}, sizes ${SIZES.join(', ')} (Node ${process.version}, ${os.cpus().length} cores)`,
  );
  try {
    for (const size of SIZES) {
      const url = await ensureDatabase(pg.url, `gmm_bench_collect_${size}`);
      await runMigrations(url);
      if (process.env.BENCH_SYNCHRONOUS_COMMIT) {
        // Diagnosis only: how much of the run waits on commit flushes.
        const admin = await new DataSource({ type: 'postgres', url, poolSize: 1 }).initialize();
        await admin.query(
          `ALTER DATABASE "gmm_bench_collect_${size}" SET synchronous_commit = ${process.env.BENCH_SYNCHRONOUS_COMMIT === 'off' ? 'off' : 'on'}`,
        );
        await admin.destroy();
      }
      const lastSeq = () => sim.callLog.query().at(-1)?.seq ?? 0;
      let cpuMark = process.cpuUsage();
      const child = fork(__filename, ['--child'], {
        execArgv: [
          // Live heap after a full collection, before and after the run (retained memory).
          '--expose-gc',
          ...(process.env.BENCH_PROFILE_DIR
            ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
            : []),
        ],
        env: {
          ...process.env,
          BENCH_CHILD_ACCOUNTS: String(size),
          BENCH_CHILD_SIM_SIZE: String(simSize),
          BENCH_CHILD_DATABASE_URL: url,
          BENCH_CHILD_SIM_URL: sim.url,
          BENCH_CHILD_DIR: dir,
        },
        stdio: 'inherit',
      });
      child.on('message', (message: ToParent) => {
        if (message.type === 'mark') {
          cpuMark = process.cpuUsage();
          child.send({ type: 'seq', seq: lastSeq() } satisfies ToChild);
        } else if (message.type === 'since') {
          const calls = sim.callLog.query({ since: String(message.seq) });
          child.send({
            type: 'count',
            requests: lastSeq() - message.seq,
            token: calls.filter((c) => c.path.includes('token')).length,
            simCpuMs: cpuMs(process.cpuUsage(cpuMark)),
          } satisfies ToChild);
        } else {
          results.push(message);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      if (code !== 0) throw new Error(`the ${size}-account run exited with ${code}`);
    }
    if (results.length > 1) {
      console.log('memory (peak RSS of each run in its own process):');
      for (const r of results) {
        console.log(
          `  ${String(r.accounts).padStart(6)} accounts: live heap after GC ${r.heapBeforeMb} MB before → ` +
            `${r.heapAfterMb} MB after the collection; peak RSS collection ${r.collectRssMb} MB, whole run ${r.peakRssMb} MB`,
        );
      }
      const first = results[0];
      const last = results[results.length - 1];
      console.log(
        `  ${last.accounts / first.accounts}× the accounts → ` +
          `${(last.heapAfterMb / first.heapAfterMb).toFixed(2)}× the live heap after the collection, ` +
          `${(last.collectRssMb / first.collectRssMb).toFixed(2)}× the collection peak RSS`,
      );
    }
    console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await sim.close();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Child: the application, one size.

function ask(message: ToParent): Promise<ToChild> {
  return new Promise((resolve) => {
    process.once('message', (reply: ToChild) => resolve(reply));
    process.send!(message);
  });
}

async function child(): Promise<void> {
  const n = Number(process.env.BENCH_CHILD_ACCOUNTS);
  const databaseUrl = process.env.BENCH_CHILD_DATABASE_URL!;
  const simUrl = process.env.BENCH_CHILD_SIM_URL!;
  Logger.overrideLogger(['error']);
  const config = loadConfig({
    APP_ROLE: 'all',
    DATABASE_URL: databaseUrl,
    DATA_DIR: process.env.BENCH_CHILD_DIR,
    WECHAT_API_BASE_URL: simUrl,
    WEIBO_API_BASE_URL: simUrl,
    COLLECTION_SCHEDULES: 'false',
    COLLECTION_CONCURRENCY: String(CONCURRENCY),
    // Per credential and minute; one account's daily run makes ~8 requests, so never throttled.
    COLLECTION_BUDGET_PER_MINUTE: '1200',
    CREDENTIALS_KEYS: `v1:${randomBytes(32).toString('base64')}`,
    LOG_LEVEL: 'warn',
    // Diagnosis only: the application's defaults unless set.
    ...(process.env.DB_POOL_SIZE && { DB_POOL_SIZE: process.env.DB_POOL_SIZE }),
    ...(process.env.COLLECTION_JOB_BATCH && {
      COLLECTION_JOB_BATCH: process.env.COLLECTION_JOB_BATCH,
    }),
  });
  const app: NestFastifyApplication = await createApp(config, databaseUrl);
  try {
    const dataSource = app.get(DataSource);
    const population = new SimPopulation({
      seed: SEED,
      size: Number(process.env.BENCH_CHILD_SIM_SIZE),
    });
    const sims = benchAccounts(population, n);

    // Register the accounts (set-based) with the simulator's credentials, each with a bookmark one
    // day behind, so the daily run finds every account due.
    const [org] = await dataSource.query<{ id: number }[]>(
      `INSERT INTO organizations (name, region_code, level, sector)
       VALUES ('bench（模拟）', NULL, 'central', 'other') RETURNING id`,
    );
    const rows = await dataSource.query<
      { id: number; platform: string; wechat_app_id: string | null; weibo_uid: string | null }[]
    >(
      `INSERT INTO accounts (platform, wechat_original_id, wechat_app_id, display_name, organization_id,
                             wechat_type, verified, data_source, tags)
       SELECT 'wechat', orig, app, name, $4, type, true, 'simulated', '{simulated}'
       FROM unnest($1::text[], $2::text[], $3::text[], $5::text[]) AS u(orig, app, name, type)
       RETURNING id, platform, wechat_app_id, weibo_uid`,
      [
        sims.map((s) => s.wechatOriginalId),
        sims.map((s) => s.wechatAppId),
        sims.map((s) => s.displayName),
        org.id,
        sims.map((s) => s.wechatType ?? null),
      ],
    );
    const credentials = app.get(CredentialsService);
    const items = simulatorCredentials(population, rows);
    const actor = { apiKeyId: null, name: 'bench', correlationId: null };
    for (let i = 0; i < items.length; i += 5_000) {
      await credentials.attachMany(items.slice(i, i + 5_000), actor);
    }
    // Yesterday once datacube has published it (08:00 Asia/Shanghai), else the day before.
    const now = new Date();
    const shanghaiHour = (now.getUTCHours() + 8) % 24;
    const throughDay = addDays(businessDate(now), shanghaiHour >= 8 ? -1 : -2);
    await dataSource.query(
      `INSERT INTO collection_bookmarks (account_id, task, covered_from, covered_through)
       SELECT unnest($1::int[]), 'wechat.daily', $2::date, $3::date`,
      [rows.map((r) => r.id), addDays(throughDay, -30), addDays(throughDay, -1)],
    );

    // The daily run: trigger → every job of the queue completed.
    const heapBefore = liveHeapMb();
    const mark = await ask({ type: 'mark' });
    const seq = mark.type === 'seq' ? mark.seq : 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const triggered = await app
      .get(CollectionScheduler)
      .trigger({ task: 'wechat.daily', day: throughDay }, { regionCode: null });
    let states: Record<string, number> = {};
    for (;;) {
      const byState = await dataSource.query<{ state: string; n: number }[]>(
        `SELECT state, count(*)::int AS n FROM ${JOB_QUEUE_SCHEMA}.job WHERE name = $1 GROUP BY state`,
        [QUEUE],
      );
      states = Object.fromEntries(byState.map((s) => [s.state, s.n]));
      const open = (states.created ?? 0) + (states.retry ?? 0) + (states.active ?? 0);
      if (open === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    const appCpuMs = cpuMs(process.cpuUsage(cpu0));
    const counted = await ask({ type: 'since', seq });
    const requests = counted.type === 'count' ? counted.requests : 0;
    const tokenRequests = counted.type === 'count' ? counted.token : 0;
    const simCpuMs = counted.type === 'count' ? counted.simCpuMs : 0;
    const collectRss = process.resourceUsage().maxRSS;
    const heapAfter = liveHeapMb();
    const [health] = await dataSource.query<{ ok: number; failed: number }[]>(
      `SELECT count(*) FILTER (WHERE b.covered_through >= $1::date)::int AS ok,
              count(*) FILTER (WHERE b.covered_through IS NULL OR b.covered_through < $1::date)::int AS failed
       FROM collection_bookmarks b WHERE b.task = 'wechat.daily'`,
      [throughDay],
    );
    const ideal = CONCURRENCY / (LATENCY_MS / 1000);
    const reqRate = requests / seconds;
    const ratio = reqRate / ideal;
    console.log(
      `\n${n} accounts through ${throughDay}: ${triggered.jobs} jobs, ${seconds.toFixed(1)} s ` +
        `(jobs ${JSON.stringify(states)}; bookmarks advanced ${health.ok}, not ${health.failed}; ` +
        `DB pool ${config.database.poolSize}, ${config.collection.jobBatch} jobs per fetch)`,
    );
    console.log(`  accounts/s: ${(n / seconds).toFixed(0)}`);
    console.log(
      `  requests/s: ${reqRate.toFixed(0)} (${requests} requests, ${tokenRequests} of them for access tokens; ` +
        `${(requests / n).toFixed(2)} per account)`,
    );
    console.log(
      `  ratio to ideal (${CONCURRENCY} ÷ ${LATENCY_MS} ms = ${ideal}/s): ${ratio.toFixed(2)}  ` +
        `(goal ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'NOT met'})`,
    );
    const busy = (ms: number) => `${((100 * ms) / 1000 / seconds).toFixed(0)}% of a core`;
    console.log(`  CPU: app process ${busy(appCpuMs)}, simulator process ${busy(simCpuMs)}`);
    console.log(
      `  live heap after GC: ${heapBefore} MB before, ${heapAfter} MB after the collection; ` +
        `peak RSS after collection: ${mb(collectRss)} MB`,
    );

    await ingest(dataSource, rows.length, throughDay);
    const peakRss = process.resourceUsage().maxRSS;
    console.log(`  peak RSS of the run: ${mb(peakRss)} MB`);
    process.send!({
      type: 'result',
      accounts: n,
      collectRssMb: mb(collectRss),
      heapBeforeMb: heapBefore,
      heapAfterMb: heapAfter,
      peakRssMb: mb(peakRss),
    } satisfies ToParent);
  } finally {
    await app.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Ingest: the stored rows again, writers per account vs one raw unnest upsert per table.

interface StoredRows {
  daily: DailyMetricRow[];
  posts: PostRow[];
  snapshots: PostSnapshotRow[];
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

async function readStored(dataSource: DataSource): Promise<StoredRows> {
  const daily = await dataSource.query<Record<string, string | number | boolean | null>[]>(
    `SELECT account_id, day::text, followers, new_followers, cancelled_followers, posts, reads, shares,
            likes, zaikan, comments, reposts, favourites, source, is_delay, partial
     FROM account_daily_metrics`,
  );
  const posts = await dataSource.query<
    {
      account_id: number;
      platform_post_id: string;
      published_on: string;
      position: number | null;
      source: string;
    }[]
  >(`SELECT account_id, platform_post_id, published_on::text, position, source FROM posts`);
  const snaps = await dataSource.query<Record<string, string | number | null>[]>(
    `SELECT account_id, platform_post_id, published_on::text, observed_day::text, reads, shares,
            likes, zaikan, comments, reposts, favourites, source
     FROM post_metric_snapshots`,
  );
  const source = 'simulated' as const;
  return {
    daily: daily.map((r) => ({
      accountId: Number(r.account_id),
      day: String(r.day),
      followers: num(r.followers as string | null),
      newFollowers: num(r.new_followers as string | null),
      cancelledFollowers: num(r.cancelled_followers as string | null),
      posts: num(r.posts as string | null),
      reads: num(r.reads as string | null),
      shares: num(r.shares as string | null),
      likes: num(r.likes as string | null),
      zaikan: num(r.zaikan as string | null),
      comments: num(r.comments as string | null),
      reposts: num(r.reposts as string | null),
      favourites: num(r.favourites as string | null),
      source,
      isDelay: Boolean(r.is_delay),
      partial: Boolean(r.partial),
    })),
    posts: posts.map((r) => ({
      accountId: r.account_id,
      platformPostId: r.platform_post_id,
      publishedAt: businessDayStart(r.published_on),
      position: r.position,
      source,
    })),
    snapshots: snaps.map((r) => ({
      accountId: Number(r.account_id),
      platformPostId: String(r.platform_post_id),
      publishedOn: String(r.published_on),
      observedDay: String(r.observed_day),
      reads: num(r.reads),
      shares: num(r.shares),
      likes: num(r.likes),
      zaikan: num(r.zaikan),
      comments: num(r.comments),
      reposts: num(r.reposts),
      favourites: num(r.favourites),
      source,
    })),
  };
}

function byAccount<T extends { accountId: number }>(rows: T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const list = out.get(row.accountId) ?? [];
    list.push(row);
    out.set(row.accountId, list);
  }
  return out;
}

async function rawUpsert(dataSource: DataSource, s: StoredRows): Promise<void> {
  const col = <T, V>(rows: T[], pick: (r: T) => V) => rows.map(pick);
  const daily = [
    'followers',
    'new_followers',
    'cancelled_followers',
    'posts',
    'reads',
    'shares',
    'likes',
    'zaikan',
    'comments',
    'reposts',
    'favourites',
  ];
  const counters = ['reads', 'shares', 'likes', 'zaikan', 'comments', 'reposts', 'favourites'];
  const set = (cols: string[]) => cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  await dataSource.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO account_daily_metrics (account_id, day, ${daily.join(', ')}, source, is_delay, partial)
       SELECT * FROM unnest($1::int[], $2::date[], ${daily.map((_, k) => `$${k + 3}::bigint[]`).join(', ')},
                            $14::text[], $15::boolean[], $16::boolean[])
       ON CONFLICT (account_id, day) DO UPDATE SET ${set([...daily, 'source', 'is_delay', 'partial'])}`,
      [
        col(s.daily, (r) => r.accountId),
        col(s.daily, (r) => r.day),
        col(s.daily, (r) => r.followers),
        col(s.daily, (r) => r.newFollowers),
        col(s.daily, (r) => r.cancelledFollowers),
        col(s.daily, (r) => r.posts),
        col(s.daily, (r) => r.reads),
        col(s.daily, (r) => r.shares),
        col(s.daily, (r) => r.likes),
        col(s.daily, (r) => r.zaikan),
        col(s.daily, (r) => r.comments),
        col(s.daily, (r) => r.reposts),
        col(s.daily, (r) => r.favourites),
        col(s.daily, (r) => r.source),
        col(s.daily, (r) => r.isDelay ?? false),
        col(s.daily, (r) => r.partial ?? false),
      ],
    );
    await tx.query(
      `INSERT INTO posts (account_id, published_on, platform_post_id, published_at, position, source)
       SELECT * FROM unnest($1::int[], $2::date[], $3::text[], $4::timestamptz[], $5::smallint[], $6::text[])
       ON CONFLICT (account_id, published_on, platform_post_id) DO UPDATE SET
         ${set(['published_at', 'position', 'source'])}`,
      [
        col(s.posts, (r) => r.accountId),
        col(s.posts, (r) => businessDate(r.publishedAt)),
        col(s.posts, (r) => r.platformPostId),
        col(s.posts, (r) => r.publishedAt),
        col(s.posts, (r) => r.position ?? null),
        col(s.posts, (r) => r.source),
      ],
    );
    await tx.query(
      `INSERT INTO post_metric_snapshots (account_id, observed_day, platform_post_id, published_on, ${counters.join(', ')}, source)
       SELECT * FROM unnest($1::int[], $2::date[], $3::text[], $4::date[],
                            ${counters.map((_, k) => `$${k + 5}::bigint[]`).join(', ')}, $12::text[])
       ON CONFLICT (account_id, observed_day, platform_post_id) DO UPDATE SET
         ${set(['published_on', ...counters, 'source'])}`,
      [
        col(s.snapshots, (r) => r.accountId),
        col(s.snapshots, (r) => r.observedDay),
        col(s.snapshots, (r) => r.platformPostId),
        col(s.snapshots, (r) => r.publishedOn),
        col(s.snapshots, (r) => r.reads),
        col(s.snapshots, (r) => r.shares),
        col(s.snapshots, (r) => r.likes),
        col(s.snapshots, (r) => r.zaikan),
        col(s.snapshots, (r) => r.comments),
        col(s.snapshots, (r) => r.reposts),
        col(s.snapshots, (r) => r.favourites),
        col(s.snapshots, (r) => r.source),
      ],
    );
  });
}

async function ingest(dataSource: DataSource, accounts: number, throughDay: string): Promise<void> {
  const stored = await readStored(dataSource);
  const total = stored.daily.length + stored.posts.length + stored.snapshots.length;
  const daily = byAccount(stored.daily);
  const posts = byAccount(stored.posts);
  const snapshots = byAccount(stored.snapshots);
  const ids = [...new Set([...daily.keys(), ...posts.keys(), ...snapshots.keys()])];
  const days = [
    ...stored.daily.map((r) => r.day),
    ...stored.posts.map((r) => businessDate(r.publishedAt)),
    ...stored.snapshots.map((r) => r.observedDay),
  ];
  await ensureMetricPartitions(dataSource, METRIC_TABLES, [...new Set(days)]);
  const truncate = () =>
    dataSource.query('TRUNCATE account_daily_metrics, posts, post_metric_snapshots');
  const limit = pLimit(CONCURRENCY);

  const raw: number[] = [];
  const writers: number[] = [];
  for (let i = 0; i < INGEST_REPEATS; i++) {
    await truncate();
    let t0 = performance.now();
    await rawUpsert(dataSource, stored);
    raw.push(performance.now() - t0);

    await truncate();
    t0 = performance.now();
    // As WechatDailyTask.write: each account hands its chunk (rows + bookmark) to the worker's
    // WriteBatcher from `concurrency` slots; chunks finishing together share one transaction.
    const batcher = new WriteBatcher(dataSource);
    await Promise.all(
      ids.map((accountId) =>
        limit(() =>
          batcher.write({
            daily: daily.get(accountId) ?? [],
            posts: posts.get(accountId) ?? [],
            snapshots: snapshots.get(accountId) ?? [],
            bookmark: {
              accountId,
              task: 'wechat.daily',
              coveredFrom: throughDay,
              coveredThrough: throughDay,
            },
            days: 1,
          }),
        ),
      ),
    );
    writers.push(performance.now() - t0);
  }
  const rawMs = median(raw);
  const writersMs = median(writers);
  const rate = (ms: number) => Math.round((total / ms) * 1000);
  const ratio = rawMs / writersMs;
  console.log(
    `  ingest of the stored rows (${stored.daily.length} daily + ${stored.posts.length} posts + ` +
      `${stored.snapshots.length} snapshots = ${total} rows, ${ids.length} of ${accounts} accounts), median of ${INGEST_REPEATS}:`,
  );
  console.log(
    `    raw INSERT … SELECT FROM unnest … ON CONFLICT, one per table: ${rawMs.toFixed(1)} ms  ${rate(rawMs)} rows/s`,
  );
  console.log(
    `    collection write path (WriteBatcher group commit, ${CONCURRENCY} accounts at once): ${writersMs.toFixed(1)} ms  ${rate(writersMs)} rows/s`,
  );
  console.log(
    `    ratio writers/raw rows/s: ${ratio.toFixed(2)}×  (goal ≥ 0.5×: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
  );
}

(process.argv.includes('--child') ? child() : parent()).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

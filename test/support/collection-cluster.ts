import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { CredentialsService } from '../../src/credentials/credentials.service';
import { freePort } from '../../src/database/free-port';
import { TEST_ACTOR } from '../../src/credentials/credentials-testing';
import { simulatorCredentials, toDemoImportRow } from '../../src/demo/demo-registration';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator';
import { type TestApp, startTestApp } from './test-app';

const MAIN = path.resolve('dist/src/main.js');

/** A worker process (`node dist/src/main.js`, APP_ROLE=worker). */
export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * A small collection cluster for process tests: a simulator over HTTP, the API in this process
 * (on a test database, collection schedules off) with `size` simulator accounts registered and
 * given credentials, and worker processes started on demand against the same database.
 */
export interface CollectionCluster {
  sim: RunningSimulator;
  api: TestApp;
  dataSource: DataSource;
  credentialsKeys: string;
  startWorker(env?: Record<string, string>): Promise<WorkerProcess>;
  close(): Promise<void>;
}

export async function startCollectionCluster(options: {
  size: number;
  latencyMs?: number;
  workerEnv?: Record<string, string>;
  /** Applied last to the in-process app's env, e.g. `{ APP_ROLE: 'all' }` for an in-process worker. */
  apiEnv?: Record<string, string>;
  /** More simulator options (e.g. a frozen `now`). */
  simulator?: Omit<SimulatorOptions, 'size' | 'latencyMs'>;
}): Promise<CollectionCluster> {
  const sim = await startSimulator({
    ...options.simulator,
    size: options.size,
    latencyMs: options.latencyMs ?? 1,
  });
  const credentialsKeys = `v1:${randomBytes(32).toString('base64')}`;
  const platformEnv = {
    WECHAT_API_BASE_URL: sim.url,
    WEIBO_API_BASE_URL: sim.url,
    CREDENTIALS_KEYS: credentialsKeys,
  };
  // Queue settings (expiry, retries) are fixed on each job at insert: the API gets the workers' too.
  const api = await startTestApp({
    ...platformEnv,
    ...options.workerEnv,
    APP_ROLE: 'api',
    LOG_LEVEL: 'error',
    COLLECTION_ENABLED: 'true',
    COLLECTION_SCHEDULES: 'false',
    ...options.apiEnv,
  });
  const dataSource = api.app.get(DataSource);
  const rows = [...sim.population.accounts()].map((a) => ({
    ...toDemoImportRow(a),
    dataSource: 'official_api',
  }));
  const imported = await api.request('POST', '/api/v1/accounts/import', { json: rows });
  if (imported.status !== 200 && imported.status !== 201) {
    throw new Error(`import failed: ${imported.status} ${imported.text.slice(0, 500)}`);
  }
  const registered = await dataSource.query<
    { id: number; platform: string; wechat_app_id: string | null; weibo_uid: string | null }[]
  >(`SELECT id, platform, wechat_app_id, weibo_uid FROM accounts ORDER BY id`);
  await api.app
    .get(CredentialsService)
    .attachMany(simulatorCredentials(sim.population, registered), TEST_ACTOR);

  const workers = new Set<WorkerProcess>();
  const startWorker = async (env: Record<string, string> = {}): Promise<WorkerProcess> => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gmm-worker-'));
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LOG_LEVEL: 'warn',
        APP_ROLE: 'worker',
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
        DATABASE_URL: api.databaseUrl,
        COLLECTION_SCHEDULES: 'false',
        ...platformEnv,
        ...options.workerEnv,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-20_000)));
    child.stderr?.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-20_000)));
    const worker: WorkerProcess = {
      child,
      output: () => out,
      exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    };
    workers.add(worker);
    void worker.exited.then(() => workers.delete(worker));
    return worker;
  };

  return {
    sim,
    api,
    dataSource,
    credentialsKeys,
    startWorker,
    async close() {
      for (const w of workers) w.child.kill('SIGKILL');
      await Promise.all([...workers].map((w) => w.exited));
      await api.close();
      await sim.close();
    },
  };
}

/** Polls until `done()` or the deadline; returns whether it got there. */
export async function waitFor(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return done();
}

/** Collection jobs not yet settled (waiting, to be retried, or running; dead letters excluded). */
export async function openCollectionJobs(db: DataSource): Promise<number> {
  const [row] = await db.query<{ open: number }[]>(
    `SELECT count(*)::int AS open FROM pgboss.job
     WHERE name LIKE 'collect.%' AND name <> 'collect.dead' AND state IN ('created', 'retry', 'active')`,
  );
  return row.open;
}

/** Waits until every collection job is completed or failed; returns whether it got there. */
export function waitForIdleQueue(db: DataSource, timeoutMs: number): Promise<boolean> {
  return waitFor(async () => (await openCollectionJobs(db)) === 0, timeoutMs);
}

import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../test/support/database';
import { buildDataSourceOptions } from '../../database/data-source-options';
import type { Platform } from '../../accounts/account-taxonomy';
import { AuditService } from '../../audit/audit.service';
import { businessDate } from '../../common/business-date';
import { CredentialCipher, parseKeyRing, type KeyRing } from '../../credentials/credential-cipher';
import { CredentialsService } from '../../credentials/credentials.service';
import { TEST_ACTOR, testPrincipal } from '../../credentials/credentials-testing';
import { WechatTokenService } from '../../credentials/wechat-token.service';
import {
  PARTITION_MONTHS_AHEAD,
  PARTITION_MONTHS_BACK,
} from '../../metrics/partition-maintenance.service';
import { ensurePartitionsAhead } from '../../metrics/partitions';
import { PlatformError } from '../../platforms/platform-error';
import { WechatClient } from '../../platforms/wechat/wechat.client';
import { WeiboClient } from '../../platforms/weibo/weibo.client';
import type { SimAccount } from '../../simulator/population';
import { startTestSim, type TestSim } from '../../simulator/sim-test-kit';
import type { AccountTarget, CollectionJobData } from '../collection-contracts';
import type { BudgetedCaller, TaskRunContext } from './task-handler';
import { WriteBatcher } from './write-batcher';

/*
 * Test harness for collection tasks (not used by the application): a simulator on a frozen clock
 * (sim-test-kit), a migrated test database, simulator accounts registered as accounts rows with
 * their credentials stored through the real CredentialsService, clients pointed at the simulator
 * and a TaskRunContext. Every database opened by one harness gets the same accounts in the same
 * order, so their ids (and row checksums) are comparable across databases (R13).
 */

/** A simulator account as registered in one test database. */
export interface RegisteredAccount {
  sim: SimAccount;
  target: AccountTarget;
}

/** A passthrough budget that counts calls per key and can fail from the Nth call on. */
export class TestBudget implements BudgetedCaller {
  calls = 0;
  readonly byKey = new Map<string, number>();
  /** Calls after this many throw a transient PlatformError (a worker losing its way mid-run). */
  failAfter: number | null = null;

  async call<T>(platform: Platform, key: string, fn: () => Promise<T>): Promise<T> {
    if (this.failAfter !== null && this.calls >= this.failAfter) {
      throw new PlatformError(platform, {
        errorClass: 'transient',
        code: 'injected',
        message: 'injected interruption',
      });
    }
    this.calls += 1;
    this.byKey.set(key, (this.byKey.get(key) ?? 0) + 1);
    return fn();
  }
}

export interface TaskHarnessOptions {
  wechat?: number;
  weibo?: number;
  /** Simulator population size (default 400: enough accounts of both platforms). */
  simSize?: number;
  /** Which simulator accounts to register (default: active, posting ones). */
  pick?: (account: SimAccount, sim: TestSim) => boolean;
}

export interface TestDb {
  url: string;
  dataSource: DataSource;
  credentials: CredentialsService;
  tokens: WechatTokenService;
  wechat: RegisteredAccount[];
  weibo: RegisteredAccount[];
}

export interface TaskHarness {
  t: TestSim;
  wechatClient: WechatClient;
  weiboClient: WeiboClient;
  ring: KeyRing;
  wechatSims: SimAccount[];
  weiboSims: SimAccount[];
  /** Opens a fresh database with the harness's accounts registered. */
  openDb(): Promise<TestDb>;
  context(db: TestDb, job: CollectionJobData, budget?: BudgetedCaller): TaskRunContext;
  today(): string;
  close(): Promise<void>;
}

const defaultPick = (a: SimAccount) => !a.dormant && a.postsPerWeek >= 3;

export async function startTaskHarness(options: TaskHarnessOptions = {}): Promise<TaskHarness> {
  const t = await startTestSim({ size: options.simSize ?? 400, latencyMs: 0 });
  const now = () => t.clock.now;
  const logger = { log: () => undefined, warn: () => undefined };
  const clientOptions = {
    baseUrl: t.sim.url,
    timeoutMs: 5_000,
    maxBodyBytes: 4 << 20,
    now,
    logger,
  };
  const wechatClient = new WechatClient(clientOptions);
  const weiboClient = new WeiboClient(clientOptions);
  const ring = parseKeyRing(`v1:${randomBytes(32).toString('base64')}`);
  const pick = options.pick ?? defaultPick;
  const wechatSims: SimAccount[] = [];
  const weiboSims: SimAccount[] = [];
  for (const account of t.sim.population.accounts()) {
    if (!pick(account, t)) continue;
    if (account.platform === 'wechat' && wechatSims.length < (options.wechat ?? 0)) {
      wechatSims.push(account);
    }
    if (account.platform === 'weibo' && weiboSims.length < (options.weibo ?? 0)) {
      weiboSims.push(account);
    }
  }
  if (wechatSims.length < (options.wechat ?? 0) || weiboSims.length < (options.weibo ?? 0)) {
    throw new Error('the simulator population has too few matching accounts');
  }
  const opened: DataSource[] = [];

  const openDb = async (): Promise<TestDb> => {
    const url = await createTestDatabase();
    // More connections than task slots (20): the metric writers create a missing month partition on
    // a second connection while the caller's transaction holds one, so a pool no larger than the
    // concurrency deadlocks on the first writes (reported to the metrics owner).
    const dataSource = await new DataSource(buildDataSourceOptions(url, 24)).initialize();
    opened.push(dataSource);
    // As PartitionMaintenanceService does at startup: concurrent first writers would otherwise
    // race to create the same partitions while holding locks on the parent (reported).
    await ensurePartitionsAhead(
      dataSource,
      businessDate(t.clock.now),
      PARTITION_MONTHS_BACK,
      PARTITION_MONTHS_AHEAD,
    );
    const cipher = new CredentialCipher(ring);
    const credentials = new CredentialsService(dataSource, cipher, new AuditService());
    const tokens = new WechatTokenService(dataSource, cipher, wechatClient);
    const [org] = await dataSource.query<{ id: number }[]>(
      `INSERT INTO organizations (name, region_code, level, sector)
       VALUES ('task harness org', '510100', 'municipal', 'public_security') RETURNING id`,
    );
    const register = async (sim: SimAccount): Promise<RegisteredAccount> => {
      const [row] = await dataSource.query<{ id: number }[]>(
        `INSERT INTO accounts (platform, wechat_original_id, wechat_app_id, weibo_uid, display_name, organization_id, data_source)
         VALUES ($1, $2, $3, $4, $5, $6, 'simulated') RETURNING id`,
        [
          sim.platform,
          sim.wechatOriginalId ?? null,
          sim.wechatAppId ?? null,
          sim.weiboUid ?? null,
          sim.displayName,
          org.id,
        ],
      );
      await credentials.put(
        row.id,
        sim.platform === 'wechat'
          ? { appId: sim.wechatAppId, appSecret: sim.appSecret }
          : { accessToken: sim.weiboAccessToken },
        testPrincipal(),
        TEST_ACTOR,
      );
      return {
        sim,
        target: {
          accountId: row.id,
          platform: sim.platform,
          wechatAppId: sim.wechatAppId ?? null,
          weiboUid: sim.weiboUid ?? null,
        },
      };
    };
    const wechat: RegisteredAccount[] = [];
    for (const sim of wechatSims) wechat.push(await register(sim));
    const weibo: RegisteredAccount[] = [];
    for (const sim of weiboSims) weibo.push(await register(sim));
    return { url, dataSource, credentials, tokens, wechat, weibo };
  };

  const limit = pLimit(40);
  const requests = pLimit(20);
  return {
    t,
    wechatClient,
    weiboClient,
    ring,
    wechatSims,
    weiboSims,
    openDb,
    today: () => businessDate(t.clock.now),
    context: (db, job, budget = new TestBudget()) => ({
      job,
      now: t.clock.now,
      today: businessDate(t.clock.now),
      dataSource: db.dataSource,
      budget,
      limit: (fn) => limit(fn),
      request: (fn) => requests(fn),
      repollAges: [1, 2, 7],
      source: 'simulated',
      writes: new WriteBatcher(db.dataSource),
    }),
    close: async () => {
      await Promise.all(opened.map((d) => d.destroy()));
      await t.sim.close();
    },
  };
}

/**
 * md5 of the three fact tables' contents in key order, without collected_at (when a row was
 * written differs between databases; what it holds must not).
 */
export async function factChecksum(dataSource: DataSource): Promise<string> {
  const tables: [string, string][] = [
    ['account_daily_metrics', 'account_id, day'],
    ['posts', 'account_id, published_on, platform_post_id'],
    ['post_metric_snapshots', 'account_id, observed_day, platform_post_id'],
  ];
  const sums: string[] = [];
  for (const [table, order] of tables) {
    const [row] = await dataSource.query<{ sum: string | null }[]>(
      `SELECT md5(string_agg((to_jsonb(t) - 'collected_at')::text, '|' ORDER BY ${order})) AS sum
       FROM ${table} t`,
    );
    sums.push(`${table}:${row.sum ?? 'empty'}`);
  }
  return sums.join(' ');
}

/** The bookmarks table without updated_at, in key order. */
export async function bookmarkTable(
  dataSource: DataSource,
): Promise<{ account_id: number; task: string; from: string; through: string; cursor: string }[]> {
  return dataSource.query(
    `SELECT account_id, task, covered_from::text AS from, covered_through::text AS through, cursor
     FROM collection_bookmarks ORDER BY account_id, task`,
  );
}

/** Row counts of the three fact tables. */
export async function factCounts(dataSource: DataSource): Promise<Record<string, number>> {
  const [row] = await dataSource.query<Record<string, number>[]>(
    `SELECT (SELECT count(*)::int FROM account_daily_metrics) AS daily,
            (SELECT count(*)::int FROM posts) AS posts,
            (SELECT count(*)::int FROM post_metric_snapshots) AS snapshots`,
  );
  return row;
}

import path from 'node:path';
import type { FaultSpec } from '../simulator/faults';
import type { WciVersion } from '../scoring/formulas/wci';
import type { WeekStart } from '../scoring/periods';
import { type AppRole, type Env, SECRET_VARIABLES, envSchema } from './env.schema';

export const APP_CONFIG = Symbol('APP_CONFIG');

export interface AppConfig {
  role: AppRole;
  http: { host: string; port: number; bodyLimitBytes: number };
  database: { url: string | undefined; poolSize: number; embeddedPort: number };
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  shutdownTimeoutMs: number;
  importMaxRows: number;
  /** A key to install as the first admin key instead of generating one (for automation). */
  bootstrapAdminKey: string | undefined;
  platforms: {
    /** No platform base URL configured: the built-in simulator serves both APIs (demo data). */
    demo: boolean;
    wechatBaseUrl: string;
    weiboBaseUrl: string;
    weiboCommercialBaseUrl: string;
    timeoutMs: number;
    maxBodyBytes: number;
  };
  simulator: { seed: number; size: number; port: number; latencyMs: number; faults: FaultSpec[] };
  /** Raw key ring for credential encryption; undefined means a local key under DATA_DIR. */
  credentialsKeys: string | undefined;
  collection: CollectionConfig;
  scoring: ScoringConfig;
  capability: CapabilityConfig;
}

/** The capability index (src/capability); README's env table explains each. */
export interface CapabilityConfig {
  /** Editions whose results are outdated are recomputed in the background (api and all roles). */
  recomputeSchedule: boolean;
  /** How often outdated editions are looked for. */
  recomputeEveryMinutes: number;
}

/** Score runs (src/scoring/runs); README's env table explains each. */
export interface ScoringConfig {
  /** WCI version of scheduled WeChat runs (Weibo: bci-2021). */
  wciVersion: WciVersion;
  /** Weeks of scheduled runs: Monday–Sunday, or Sunday–Saturday (清博). */
  weekStart: WeekStart;
  /** Scheduled runs (after collection, on changed raw values, after a backfill). */
  schedule: boolean;
  /** HH:MM Asia/Shanghai: yesterday and the current and last week/month/quarter/year. */
  dailyAt: string;
  /** How often changed raw values of scored periods are looked for. */
  changesEveryMinutes: number;
}

/** Scheduled collection (src/collection); README's env table explains each. */
export interface CollectionConfig {
  /** Schedules fire and workers take jobs (false: neither, e.g. an API-only test). */
  enabled: boolean;
  /** The schedules of record fire (false: workers only take jobs others enqueue, e.g. tests). */
  schedules: boolean;
  /** Accounts a worker process runs at once, across all its jobs. */
  concurrency: number;
  /** Jobs a worker fetches per poll. */
  jobBatch: number;
  /** WeChat accounts per job (Weibo follower jobs carry 100 uids: one users/counts call). */
  wechatAccountsPerJob: number;
  /** HH:MM Asia/Shanghai: the daily WeChat run (datacube publishes yesterday after 08:00). */
  wechatDailyAt: string;
  weiboFollowersAt: string;
  weiboPostsEveryMinutes: number;
  /** Accounts are spread over this many minutes after a slot by a stable hash (R10). */
  spreadMinutes: number;
  /** Post ages (days) whose counters are re-polled. */
  repollAges: number[];
  backfillDays: number;
  /** Requests per minute per credential, across all processes (R6). */
  budgetPerMinute: number;
  /** Longest Retry-After / 45011 wait honoured inside a job; longer ends the job as transient. */
  maxWaitSeconds: number;
  /** pg-boss attempts per job (retries = attempts − 1). */
  maxAttempts: number;
  /** Consecutive failed runs before an account is dead-lettered. */
  deadAfterFailures: number;
  jobExpireSeconds: number;
  /** First retry delay; doubles per attempt (pg-boss retryBackoff). */
  retryDelaySeconds: number;
  /** How often pg-boss expires stuck jobs and archives finished ones. */
  queueMaintenanceSeconds: number;
  alertWebhookUrl: string | undefined;
}

export const WECHAT_PRODUCTION_BASE_URL = 'https://api.weixin.qq.com';
export const WEIBO_PRODUCTION_BASE_URL = 'https://api.weibo.com';
export const WEIBO_COMMERCIAL_PRODUCTION_BASE_URL = 'https://c.api.weibo.com';

export class ConfigValidationError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid environment configuration:\n  ${issues.join('\n  ')}`);
  }
}

/** Parses and validates the environment once; a bad value stops boot naming the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigValidationError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const value = source[name];
        const shown =
          value === undefined || SECRET_VARIABLES.has(name)
            ? ''
            : ` (got ${JSON.stringify(value)})`;
        return `${issue.path.join('.')}: ${issue.message}${shown}`;
      }),
    );
  }
  const env = parsed.data;
  return {
    role: env.APP_ROLE,
    http: { host: env.HOST, port: env.PORT, bodyLimitBytes: env.BODY_LIMIT_BYTES },
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DB_POOL_SIZE,
      embeddedPort: env.EMBEDDED_PG_PORT,
    },
    dataDir: path.resolve(env.DATA_DIR),
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    importMaxRows: env.IMPORT_MAX_ROWS,
    bootstrapAdminKey: env.ADMIN_API_KEY,
    platforms: {
      demo:
        env.WECHAT_API_BASE_URL === undefined &&
        env.WEIBO_API_BASE_URL === undefined &&
        env.WEIBO_COMMERCIAL_API_BASE_URL === undefined,
      // In demo mode the simulator's URL replaces these once it listens.
      wechatBaseUrl: env.WECHAT_API_BASE_URL ?? WECHAT_PRODUCTION_BASE_URL,
      weiboBaseUrl: env.WEIBO_API_BASE_URL ?? WEIBO_PRODUCTION_BASE_URL,
      weiboCommercialBaseUrl:
        env.WEIBO_COMMERCIAL_API_BASE_URL ??
        env.WEIBO_API_BASE_URL ??
        WEIBO_COMMERCIAL_PRODUCTION_BASE_URL,
      timeoutMs: env.PLATFORM_TIMEOUT_MS,
      maxBodyBytes: env.PLATFORM_MAX_BODY_BYTES,
    },
    simulator: {
      seed: env.SIMULATOR_SEED,
      size: env.SIMULATOR_SIZE,
      port: env.SIMULATOR_PORT,
      latencyMs: env.SIMULATOR_LATENCY_MS,
      faults: env.SIMULATOR_FAULTS ?? [],
    },
    credentialsKeys: env.CREDENTIALS_KEYS,
    collection: {
      enabled: env.COLLECTION_ENABLED === 'true',
      schedules: env.COLLECTION_SCHEDULES === 'true',
      concurrency: env.COLLECTION_CONCURRENCY,
      jobBatch: env.COLLECTION_JOB_BATCH,
      wechatAccountsPerJob: env.COLLECTION_WECHAT_ACCOUNTS_PER_JOB,
      wechatDailyAt: env.COLLECTION_WECHAT_DAILY_AT,
      weiboFollowersAt: env.COLLECTION_WEIBO_FOLLOWERS_AT,
      weiboPostsEveryMinutes: env.COLLECTION_WEIBO_POSTS_EVERY_MINUTES,
      spreadMinutes: env.COLLECTION_SPREAD_MINUTES,
      repollAges: [...new Set(env.COLLECTION_REPOLL_AGES.split(',').map(Number))].sort(
        (a, b) => a - b,
      ),
      backfillDays: env.COLLECTION_BACKFILL_DAYS,
      budgetPerMinute: env.COLLECTION_BUDGET_PER_MINUTE,
      maxWaitSeconds: env.COLLECTION_MAX_WAIT_SECONDS,
      maxAttempts: env.COLLECTION_MAX_ATTEMPTS,
      deadAfterFailures: env.COLLECTION_DEAD_AFTER_FAILURES,
      jobExpireSeconds: env.COLLECTION_JOB_EXPIRE_SECONDS,
      retryDelaySeconds: env.COLLECTION_RETRY_DELAY_SECONDS,
      queueMaintenanceSeconds: env.COLLECTION_QUEUE_MAINTENANCE_SECONDS,
      alertWebhookUrl: env.ALERT_WEBHOOK_URL,
    },
    scoring: {
      wciVersion: env.SCORING_WCI_VERSION,
      weekStart: env.SCORING_WEEK_START,
      schedule:
        env.SCORING_SCHEDULE === undefined
          ? env.COLLECTION_ENABLED === 'true' && env.COLLECTION_SCHEDULES === 'true'
          : env.SCORING_SCHEDULE === 'true',
      dailyAt: env.SCORING_DAILY_AT,
      changesEveryMinutes: env.SCORING_CHANGES_EVERY_MINUTES,
    },
    capability: {
      recomputeSchedule:
        env.CAPABILITY_RECOMPUTE_SCHEDULE === undefined
          ? env.COLLECTION_ENABLED === 'true' && env.COLLECTION_SCHEDULES === 'true'
          : env.CAPABILITY_RECOMPUTE_SCHEDULE === 'true',
      recomputeEveryMinutes: env.CAPABILITY_RECOMPUTE_EVERY_MINUTES,
    },
  };
}

import path from 'node:path';
import type { FaultSpec } from '../simulator/faults';
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
  };
}

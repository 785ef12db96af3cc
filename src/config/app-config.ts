import path from 'node:path';
import { type AppRole, type Env, envSchema } from './env.schema';

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
}

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
        const value = source[String(issue.path[0])];
        const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
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
  };
}

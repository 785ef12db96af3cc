import { z } from 'zod';

export const APP_ROLES = ['api', 'worker', 'all'] as const;
export type AppRole = (typeof APP_ROLES)[number];

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/**
 * Every environment variable the service reads. README's env table mirrors this schema;
 * keep them in step.
 */
export const envSchema = z.object({
  APP_ROLE: z.enum(APP_ROLES).default('all'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  EMBEDDED_PG_PORT: port.default(54329),
  DB_POOL_SIZE: positiveInt.max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(25_000),
  BODY_LIMIT_BYTES: positiveInt.default(20 * 1024 * 1024),
  IMPORT_MAX_ROWS: positiveInt.max(1_000_000).default(100_000),
  ADMIN_API_KEY: z
    .string()
    .regex(/^gmm_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/, 'must be a key in the gmm_<id>_<secret> format')
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

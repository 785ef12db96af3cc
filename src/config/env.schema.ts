import { z } from 'zod';
import { parseKeyRing } from '../credentials/credential-cipher';
import { faultSpecSchema } from '../simulator/faults';

export const APP_ROLES = ['api', 'worker', 'all'] as const;
export type AppRole = (typeof APP_ROLES)[number];

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/**
 * Every environment variable the service reads. README's env table mirrors this schema;
 * keep them in step.
 */
const httpUrl = z
  .string()
  .url('must be an http(s) URL')
  .regex(/^https?:\/\//, 'must be an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

// `v1:<base64 of 32 bytes>,v2:…`: every listed key decrypts, the last one encrypts.
const KEY_RING_PATTERN = /^v[0-9]+:[A-Za-z0-9+/]{43}=(,v[0-9]+:[A-Za-z0-9+/]{43}=)*$/;

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
  WECHAT_API_BASE_URL: httpUrl.optional(),
  WEIBO_API_BASE_URL: httpUrl.optional(),
  WEIBO_COMMERCIAL_API_BASE_URL: httpUrl.optional(),
  PLATFORM_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
  PLATFORM_MAX_BODY_BYTES: positiveInt.default(10 * 1024 * 1024),
  SIMULATOR_SEED: z.coerce.number().int().min(0).default(1),
  SIMULATOR_SIZE: positiveInt.max(300_000).default(2_000),
  SIMULATOR_PORT: port.default(0),
  SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).max(10_000).default(20),
  SIMULATOR_FAULTS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of fault specs' });
        return z.NEVER;
      }
    })
    .pipe(z.array(faultSpecSchema))
    .optional(),
  CREDENTIALS_KEYS: z
    .string()
    .regex(
      KEY_RING_PATTERN,
      'must be v<n>:<base64 of 32 bytes>[,v<n>:<…>] (openssl rand -base64 32)',
    )
    .superRefine((value, ctx) => {
      try {
        parseKeyRing(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .optional(),
  ADMIN_API_KEY: z
    .string()
    .regex(/^gmm_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/, 'must be a key in the gmm_<id>_<secret> format')
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Variables whose values must never be echoed, not even in a validation error. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'DATABASE_URL',
  'CREDENTIALS_KEYS',
  'ADMIN_API_KEY',
]);

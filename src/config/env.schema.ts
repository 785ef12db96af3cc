import { z } from 'zod';
import { parseKeyRing } from '../credentials/credential-cipher';
import { faultSpecSchema } from '../simulator/faults';
import { DEFAULT_WCI_VERSION, WCI_VERSIONS } from '../scoring/formulas/wci';

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
  COLLECTION_ENABLED: z.enum(['true', 'false']).default('true'),
  COLLECTION_SCHEDULES: z.enum(['true', 'false']).default('true'),
  COLLECTION_CONCURRENCY: positiveInt.max(1_000).default(50),
  COLLECTION_JOB_BATCH: positiveInt.max(100).default(4),
  COLLECTION_WECHAT_ACCOUNTS_PER_JOB: positiveInt.max(1_000).default(50),
  COLLECTION_WECHAT_DAILY_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (Asia/Shanghai)')
    .default('08:30'),
  COLLECTION_WEIBO_FOLLOWERS_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (Asia/Shanghai)')
    .default('08:10'),
  COLLECTION_WEIBO_POSTS_EVERY_MINUTES: positiveInt
    .max(1_440)
    .refine((n) => 1_440 % n === 0, 'must divide 1440 (a day), e.g. 10, 15, 30, 60')
    .default(30),
  COLLECTION_SPREAD_MINUTES: z.coerce.number().int().min(0).max(600).default(60),
  COLLECTION_REPOLL_AGES: z
    .string()
    .regex(/^\d{1,2}(,\d{1,2})*$/, 'must be comma-separated ages in days, e.g. 1,2,7')
    .default('1,2,7'),
  COLLECTION_BACKFILL_DAYS: positiveInt.max(365).default(90),
  COLLECTION_BUDGET_PER_MINUTE: positiveInt.max(1_000_000).default(1_200),
  COLLECTION_MAX_WAIT_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60),
  COLLECTION_MAX_ATTEMPTS: positiveInt.max(20).default(4),
  COLLECTION_DEAD_AFTER_FAILURES: positiveInt.max(100).default(5),
  COLLECTION_JOB_EXPIRE_SECONDS: positiveInt.max(86_400).default(900),
  COLLECTION_RETRY_DELAY_SECONDS: positiveInt.max(3_600).default(30),
  COLLECTION_QUEUE_MAINTENANCE_SECONDS: positiveInt.max(3_600).default(60),
  ALERT_WEBHOOK_URL: httpUrl.optional(),
  SCORING_WCI_VERSION: z.enum(WCI_VERSIONS).default(DEFAULT_WCI_VERSION),
  SCORING_WEEK_START: z.enum(['monday', 'sunday']).default('monday'),
  // Unset: scoring runs on a schedule wherever collection schedules run.
  SCORING_SCHEDULE: z.enum(['true', 'false']).optional(),
  SCORING_DAILY_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (Asia/Shanghai)')
    .default('10:00'),
  SCORING_CHANGES_EVERY_MINUTES: positiveInt
    .max(1_440)
    .refine((n) => 1_440 % n === 0, 'must divide 1440 (a day), e.g. 5, 10, 15, 30')
    .default(10),
  // Unset: outdated capability results are recomputed wherever collection schedules run.
  CAPABILITY_RECOMPUTE_SCHEDULE: z.enum(['true', 'false']).optional(),
  CAPABILITY_RECOMPUTE_EVERY_MINUTES: positiveInt
    .max(1_440)
    .refine((n) => 1_440 % n === 0, 'must divide 1440 (a day), e.g. 5, 10, 15, 30')
    .default(5),
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

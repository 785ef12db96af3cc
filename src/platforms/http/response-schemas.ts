import { z } from 'zod';
import type { PlatformErrorInfo } from '../platform-error';

/** Value stored for a "10万+" (100,000 or more) counter: one more than the threshold. */
export const HUNDRED_THOUSAND_PLUS = 100_001;

const PLUS_FORMS = /^(?:100000\+|10万\+|10w\+)$/i;

/**
 * A platform counter: a finite non-negative integer. The only string accepted is the "10万+" cap,
 * which becomes 100001; anything else (negative, fractional, NaN, other strings) fails.
 */
export const countSchema = z.preprocess(
  (value) =>
    typeof value === 'string' && PLUS_FORMS.test(value.trim()) ? HUNDRED_THOUSAND_PLUS : value,
  z.number().int().nonnegative().finite().max(Number.MAX_SAFE_INTEGER),
);

export const optionalCountSchema = countSchema.optional();

export const isoDaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * Schema violations are deterministic for the same data: retrying burns quota and would loop, and
 * `transient` could let a job retry forever. So `bad_data` is class `unknown` (permanent + alert):
 * the call fails, nothing reaches storage, an operator looks. The message names paths and issue
 * codes only, never received values.
 */
export function badDataInfo(error: z.ZodError): PlatformErrorInfo {
  const issues = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`)
    .join('; ');
  const more = error.issues.length > 5 ? ` (+${error.issues.length - 5} more)` : '';
  return {
    errorClass: 'unknown',
    code: 'bad_data',
    message: `response failed validation: ${issues}${more}`,
  };
}

/** Client-side argument check: our own bug, so config (permanent, alert), and no call is made. */
export function invalidArgumentInfo(message: string): PlatformErrorInfo {
  return { errorClass: 'config', code: 'invalid_argument', message };
}

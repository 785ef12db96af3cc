import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';
import { BUSINESS_TIME_ZONE } from '../../common/business-date';

/** The start of the next WeChat quota day (00:00 Asia/Shanghai strictly after `now`). */
export function nextQuotaDay(now: Date): Date {
  const local = new TZDate(now.getTime(), BUSINESS_TIME_ZONE);
  return new Date(startOfDay(addDays(local, 1)).getTime());
}

/**
 * The same instant as nextQuotaDay, in SQL, for a timestamptz expression (`now()` in production,
 * a parameter in tests). Shanghai has no DST, so day arithmetic on its local time is exact.
 */
export function quotaDayEndSql(nowExpr: string): string {
  return `((date_trunc('day', (${nowExpr}) AT TIME ZONE '${BUSINESS_TIME_ZONE}') + interval '1 day') AT TIME ZONE '${BUSINESS_TIME_ZONE}')`;
}

/**
 * The start of the fixed budget window containing a timestamptz expression: windows of
 * `windowMsParam` milliseconds aligned to the Unix epoch (one-minute windows = calendar minutes).
 */
export function windowStartSql(nowExpr: string, windowMsParam: string): string {
  return `(timestamptz 'epoch' + (floor(extract(epoch FROM (${nowExpr})) * 1000 / ${windowMsParam}::numeric) * ${windowMsParam}::numeric)::float8 * interval '1 millisecond')`;
}

/** Most requests a process leases at once: budget/10, between 1 and 20. */
export function defaultLeaseChunk(budgetPerWindow: number): number {
  return Math.max(1, Math.min(20, Math.floor(budgetPerWindow / 10)));
}

/**
 * Requests granted by one lease of `asked`, from the window's `used` counter after the lease.
 *
 * A lease adds `asked` to `used` capped at `budget + asked` (see the lease statement), so `used`
 * counts requests asked for and may exceed the budget by less than one lease; what was granted is
 * what fitted under the budget: `budget − (usedAfter − asked)`, clamped to [0, asked]. The counter
 * of requests actually granted in the window is min(used, budget).
 */
export function grantedByLease(usedAfter: number, asked: number, budget: number): number {
  return Math.max(0, Math.min(asked, budget - (usedAfter - asked)));
}

/** Milliseconds to wait after a `rate_limited` error: Retry-After, 60 s when absent, at least 1 s. */
export function rateLimitWaitMs(retryAfterSeconds: number | undefined): number {
  const seconds =
    retryAfterSeconds === undefined || !Number.isFinite(retryAfterSeconds) ? 60 : retryAfterSeconds;
  return Math.max(1_000, Math.ceil(seconds * 1_000));
}

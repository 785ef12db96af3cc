import type { Platform } from '../accounts/account-taxonomy';

/**
 * What a failed platform call means for the caller. Retries, waits and account marking depend on
 * the class only (RELIABILITY.md R7).
 */
export const PLATFORM_ERROR_CLASSES = [
  'transient', // retry with backoff (-1, 5xx, timeouts, malformed bodies)
  'rate_limited', // wait (45011, 10022/10023/10024, HTTP 429) then retry
  'quota_exhausted', // stop this app id until the next quota day (45009)
  'auth', // token invalid/expired: refresh once, then alert (40001, 40014, 42001, 21327)
  'permission', // the account may not use this API (48001, 48004, 50001, 50002)
  'config', // our setup is wrong (40013, 40164, 61004, bad parameters, 61500)
  'not_found', // the object does not exist
  'unknown', // unclassified: treat as permanent and alert
] as const;
export type PlatformErrorClass = (typeof PLATFORM_ERROR_CLASSES)[number];

export interface PlatformErrorInfo {
  errorClass: PlatformErrorClass;
  /** The platform's own code (errcode / error_code), an HTTP status as `http_<n>`, or a transport code. */
  code: string;
  message: string;
  /** Seconds to wait before calling again, when the platform or the class says so. */
  retryAfterSeconds?: number;
}

/** The one error type platform clients throw. Messages never contain secrets or tokens. */
export class PlatformError extends Error {
  readonly errorClass: PlatformErrorClass;
  readonly code: string;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly platform: Platform,
    info: PlatformErrorInfo,
  ) {
    super(`${platform} ${info.code}: ${info.message}`);
    this.errorClass = info.errorClass;
    this.code = info.code;
    this.retryAfterSeconds = info.retryAfterSeconds;
  }
}

/** What a job does with each class (RELIABILITY.md R6/R7); the class alone decides. */
export const PLATFORM_ERROR_ACTIONS = {
  transient: 'retry_with_backoff',
  rate_limited: 'wait_then_retry',
  quota_exhausted: 'stop_until_quota_reset',
  auth: 'refresh_token_once',
  permission: 'mark_account',
  config: 'alert',
  not_found: 'mark_not_found',
  unknown: 'alert',
} as const satisfies Record<PlatformErrorClass, string>;
export type PlatformErrorAction = (typeof PLATFORM_ERROR_ACTIONS)[PlatformErrorClass];

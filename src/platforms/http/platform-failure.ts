import { TZDate } from '@date-fns/tz';
import { BUSINESS_TIME_ZONE } from '../../common/business-date';
import { addDays, startOfDay } from 'date-fns';
import axios from 'axios';
import type { PlatformErrorInfo } from '../platform-error';

/** What went wrong with one call, before platform-specific interpretation. */
export type PlatformFailure =
  /** A JSON body that is an error body, or any JSON body with a non-2xx status. */
  | { kind: 'body'; status: number; body: unknown; retryAfter?: string }
  /** A non-2xx (or 3xx) status without a usable JSON body. */
  | { kind: 'http'; status: number; retryAfter?: string }
  /** No response: network, TLS, timeout, size cap, abort. */
  | { kind: 'transport'; error: unknown }
  /** A 2xx response whose body is not JSON. */
  | { kind: 'malformed'; status: number };

const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60;

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
]);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** Seconds from a Retry-After header (delta-seconds or HTTP date), or undefined if unusable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** Seconds until the next Asia/Shanghai midnight (WeChat quotas reset then). Always ≥ 1. */
export function secondsUntilNextBusinessMidnight(now: Date): number {
  const next = startOfDay(addDays(new TZDate(now.getTime(), BUSINESS_TIME_ZONE), 1));
  return Math.max(1, Math.ceil((next.getTime() - now.getTime()) / 1000));
}

/** Seconds until the next top of the hour (Weibo limits are hourly). Always ≥ 1. */
export function secondsUntilNextHour(now: Date): number {
  const ms = 3_600_000 - (now.getTime() % 3_600_000);
  return Math.max(1, Math.ceil(ms / 1000));
}

/** HTTP status without a platform error body. */
export function classifyHttpStatus(
  status: number,
  retryAfter: string | undefined,
  now: Date,
): PlatformErrorInfo {
  const code = `http_${status}`;
  if (status === 429) {
    return {
      errorClass: 'rate_limited',
      code,
      message: 'too many requests',
      retryAfterSeconds: parseRetryAfter(retryAfter, now) ?? DEFAULT_RATE_LIMIT_WAIT_SECONDS,
    };
  }
  if (status === 408 || status >= 500) {
    const wait = parseRetryAfter(retryAfter, now);
    return {
      errorClass: 'transient',
      code,
      message: 'server unavailable or slow',
      ...(wait === undefined ? {} : { retryAfterSeconds: wait }),
    };
  }
  // A redirect means the base URL is wrong or something sits in between; never followed (R23).
  if (status >= 300 && status < 400)
    return { errorClass: 'config', code, message: 'unexpected redirect (not followed)' };
  if (status === 401) return { errorClass: 'auth', code, message: 'unauthorized' };
  if (status === 403) return { errorClass: 'permission', code, message: 'forbidden' };
  if (status === 404) return { errorClass: 'not_found', code, message: 'not found' };
  if (status === 400 || status === 405 || status === 413 || status === 414) {
    return { errorClass: 'config', code, message: 'request rejected as malformed' };
  }
  return { errorClass: 'unknown', code, message: 'unexpected HTTP status' };
}

function transportCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  return transportCode((error as { cause?: unknown }).cause);
}

/** A call that produced no response. Messages are ours: the raw error may carry the URL. */
export function classifyTransportError(error: unknown): PlatformErrorInfo {
  if (axios.isCancel(error)) {
    return { errorClass: 'transient', code: 'aborted', message: 'request aborted by the caller' };
  }
  const code = transportCode(error) ?? 'ERR_UNKNOWN';
  if (TIMEOUT_CODES.has(code))
    return { errorClass: 'transient', code: 'timeout', message: `request timed out (${code})` };
  if (NETWORK_CODES.has(code)) return { errorClass: 'transient', code, message: 'network error' };
  if (code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED' || isBodyCapError(error, code)) {
    // The same call returns the same oversized body: retrying only burns quota, so alert instead.
    return {
      errorClass: 'unknown',
      code: 'body_too_large',
      message: 'response exceeded the size cap',
    };
  }
  if (code === 'ERR_BAD_RESPONSE')
    return { errorClass: 'transient', code, message: 'response stream failed' };
  // A bad certificate is our environment (proxy, clock, base URL) or an attack: retrying cannot help.
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
    return { errorClass: 'config', code, message: 'TLS verification failed' };
  }
  return { errorClass: 'unknown', code, message: 'unclassified transport failure' };
}

function isBodyCapError(error: unknown, code: string): boolean {
  if (code !== 'ERR_BAD_RESPONSE' || !(error instanceof Error)) return false;
  return /maxContentLength|maxBodyLength/.test(error.message);
}

/** A 2xx body that is not JSON: usually a truncated body or a proxy page, so retry. */
export function classifyMalformedBody(status: number): PlatformErrorInfo {
  return {
    errorClass: 'transient',
    code: 'malformed_json',
    message: `HTTP ${status} body is not valid JSON`,
  };
}

/** How one platform reads and classifies the error bodies it sends. */
export interface PlatformErrorDialect {
  /** The error code of a body, or undefined when the body carries none. */
  codeOf(body: unknown): number | undefined;
  messageOf(body: unknown): string;
  classifyCode(code: number, message: string, now: Date): PlatformErrorInfo;
}

/**
 * The part of error classification both platforms share: transport, malformed and HTTP failures,
 * and a body without an error code. Only the body codes differ, through the dialect.
 */
export function classifyPlatformFailure(
  failure: PlatformFailure,
  now: Date,
  dialect: PlatformErrorDialect,
): PlatformErrorInfo {
  switch (failure.kind) {
    case 'transport':
      return classifyTransportError(failure.error);
    case 'malformed':
      return classifyMalformedBody(failure.status);
    case 'http':
      return classifyHttpStatus(failure.status, failure.retryAfter, now);
    case 'body': {
      const code = dialect.codeOf(failure.body);
      if (code !== undefined) {
        const info = dialect.classifyCode(code, dialect.messageOf(failure.body), now);
        // A Retry-After header (HTTP 429 with a 45011/1002x body) beats the code's default wait.
        const wait =
          info.errorClass === 'rate_limited' ? parseRetryAfter(failure.retryAfter, now) : undefined;
        return wait === undefined ? info : { ...info, retryAfterSeconds: wait };
      }
      if (failure.status < 200 || failure.status >= 300) {
        return classifyHttpStatus(failure.status, failure.retryAfter, now);
      }
      return {
        errorClass: 'unknown',
        code: 'unexpected_body',
        message: 'body is neither data nor an error',
      };
    }
  }
}

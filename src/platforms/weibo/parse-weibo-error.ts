import type { PlatformErrorClass, PlatformErrorInfo } from '../platform-error';
import {
  classifyPlatformFailure,
  secondsUntilNextHour,
  type PlatformErrorDialect,
  type PlatformFailure,
} from '../http/platform-failure';

const MAX_MESSAGE_LENGTH = 200;

/** Weibo error_code → class (reference §4.4, the OAuth2 table and the v2 service codes). */
export const WEIBO_ERROR_CLASSES: Readonly<Record<number, PlatformErrorClass>> = {
  10001: 'transient', // system error
  10002: 'transient', // service unavailable
  10003: 'transient', // remote service error
  10009: 'transient', // tasks too busy
  10011: 'transient', // RPC error
  10006: 'config', // source (appkey) missing
  10008: 'config', // param error
  10012: 'config', // illegal request
  10016: 'config', // miss required parameter
  10017: 'config', // invalid parameter value
  10018: 'config', // request body too long
  10014: 'permission', // insufficient app permissions (e.g. commercial API not granted)
  10022: 'rate_limited', // IP requests out of rate limit
  10023: 'rate_limited', // user requests out of rate limit
  10024: 'rate_limited', // user requests for (%s) out of rate limit
  21301: 'auth', // auth failed
  21314: 'auth', // token already used
  21315: 'auth', // token expired
  21316: 'auth', // token invalid
  21317: 'auth', // token invalid
  21318: 'auth', // pin failed
  21319: 'auth', // authorisation revoked by the user
  21325: 'auth', // invalid_grant
  21327: 'auth', // expired_token
  21332: 'auth', // invalid_access_token
  21501: 'auth', // Http header authorization invalid
  21322: 'config', // redirect_uri_mismatch
  21323: 'config', // invalid_request
  21324: 'config', // invalid_client
  21328: 'config', // unsupported_grant_type
  21329: 'config', // unsupported_response_type
  21326: 'permission', // unauthorized_client
  21330: 'permission', // access_denied
  21331: 'transient', // temporarily_unavailable
  20001: 'config', // IDs is null
  20002: 'config', // uid parameter is null
  20009: 'config', // too many IDs
  20003: 'not_found', // user does not exist
  20101: 'not_found', // target status does not exist
  20102: 'permission', // not your own status
  20112: 'permission', // author's privacy settings hide it
};

const RATE_LIMIT_CODES = new Set([10022, 10023, 10024]);

/** The error_code of a Weibo error body (`{request, error_code, error}`), as number. */
export function weiboErrorCode(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || !('error_code' in body)) return undefined;
  const raw = body.error_code;
  const code = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  return typeof code === 'number' && Number.isInteger(code) && code !== 0 ? code : undefined;
}

function errorText(body: unknown): string {
  const raw = (body as { error?: unknown }).error;
  return typeof raw === 'string' && raw ? raw.slice(0, MAX_MESSAGE_LENGTH) : 'no error text';
}

/** Maps any failed Weibo call to a class. Pure: `now` fixes hourly waits. */
export function parseWeiboError(failure: PlatformFailure, now: Date): PlatformErrorInfo {
  return classifyPlatformFailure(failure, now, DIALECT);
}

function classifyCode(errorCode: number, message: string, now: Date): PlatformErrorInfo {
  const code = String(errorCode);
  if (RATE_LIMIT_CODES.has(errorCode)) {
    return {
      errorClass: 'rate_limited',
      code,
      message,
      retryAfterSeconds: secondsUntilNextHour(now),
    };
  }
  return { errorClass: WEIBO_ERROR_CLASSES[errorCode] ?? 'unknown', code, message };
}

const DIALECT: PlatformErrorDialect = {
  codeOf: weiboErrorCode,
  messageOf: errorText,
  classifyCode,
};

import type { PlatformErrorClass, PlatformErrorInfo } from '../platform-error';
import {
  classifyPlatformFailure,
  secondsUntilNextBusinessMidnight,
  type PlatformErrorDialect,
  type PlatformFailure,
} from '../http/platform-failure';

const MINUTE_QUOTA_WAIT_SECONDS = 60;
const MAX_MESSAGE_LENGTH = 200;

/**
 * WeChat errcode → class (reference §3.8 and the legacy global table). 45009 and 45011 are
 * handled separately because they carry a wait.
 */
export const WECHAT_ERROR_CLASSES: Readonly<Record<number, PlatformErrorClass>> = {
  [-1]: 'transient', // 系统繁忙
  40001: 'auth', // invalid credential / token not latest
  40014: 'auth', // invalid access_token
  42001: 'auth', // access_token expired
  // 41001 (access_token missing): the client refuses an empty token before calling, so this can
  // only be a bug in how we build the request; a token refresh would not fix it and would hide it.
  41001: 'config',
  40002: 'config', // invalid grant_type
  40003: 'config', // invalid openid
  40007: 'config', // invalid media_id
  40013: 'config', // invalid appid
  40035: 'config', // invalid parameter
  40097: 'config', // invalid args
  40125: 'config', // invalid appsecret
  40164: 'config', // caller IP not in whitelist
  41002: 'config', // appid missing
  41004: 'config', // appsecret missing
  43002: 'config', // POST required
  44002: 'config', // empty POST body
  47001: 'config', // body format error
  61004: 'config', // caller IP not in whitelist
  61500: 'config', // 日期格式错误
  61501: 'config', // 日期范围错误: our window splitter should make it impossible
  45009: 'quota_exhausted', // daily quota
  45011: 'rate_limited', // minute quota
  48001: 'permission', // api unauthorized (e.g. unverified account: no datacube)
  48004: 'permission', // api forbidden for irregularities
  48005: 'permission', // api forbidden (article in use)
  50001: 'permission', // user unauthorized
  50002: 'permission', // user limited (frozen / cancelled)
  46001: 'not_found', // media does not exist
  46002: 'not_found', // menu version does not exist
  46003: 'not_found', // menu does not exist
  46004: 'not_found', // user does not exist
  53600: 'not_found', // freepublish: invalid article_id
};

/** An errcode ≠ 0, as number or numeric string; undefined for a success body. */
export function wechatErrcode(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || !('errcode' in body)) return undefined;
  const raw = body.errcode;
  const code = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  return typeof code === 'number' && Number.isInteger(code) && code !== 0 ? code : undefined;
}

function errmsg(body: unknown): string {
  const raw = (body as { errmsg?: unknown }).errmsg;
  return typeof raw === 'string' && raw ? raw.slice(0, MAX_MESSAGE_LENGTH) : 'no errmsg';
}

/** Maps any failed WeChat call to a class. Pure: `now` fixes quota waits. */
export function parseWechatError(failure: PlatformFailure, now: Date): PlatformErrorInfo {
  return classifyPlatformFailure(failure, now, DIALECT);
}

function classifyCode(errcode: number, message: string, now: Date): PlatformErrorInfo {
  const code = String(errcode);
  if (errcode === 45009) {
    return {
      errorClass: 'quota_exhausted',
      code,
      message,
      retryAfterSeconds: secondsUntilNextBusinessMidnight(now),
    };
  }
  if (errcode === 45011) {
    return {
      errorClass: 'rate_limited',
      code,
      message,
      retryAfterSeconds: MINUTE_QUOTA_WAIT_SECONDS,
    };
  }
  return { errorClass: WECHAT_ERROR_CLASSES[errcode] ?? 'unknown', code, message };
}

const DIALECT: PlatformErrorDialect = { codeOf: wechatErrcode, messageOf: errmsg, classifyCode };

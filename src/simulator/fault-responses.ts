import type { Fault } from './faults';

// Bodies and statuses a fault produces, per platform. Pure: the HTTP layer sends them.

export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** 'ok' or the platform error code; recorded in the call log. */
  outcome: string;
}

export type SimPlatform = 'wechat' | 'weibo';

export function wechatError(errcode: number, errmsg: string): SimResponse {
  return { status: 200, body: { errcode, errmsg }, outcome: String(errcode) };
}

export function weiboError(path: string, status: number, code: number, error: string): SimResponse {
  // The reference shows error_code as a string ("10023"); real payloads vary.
  return {
    status,
    body: { request: path, error_code: String(code), error },
    outcome: String(code),
  };
}

/** The answer for faults that replace the response outright (not hang/drip/size/bad_data). */
export function faultResponse(platform: SimPlatform, path: string, fault: Fault): SimResponse {
  const wechat = platform === 'wechat';
  switch (fault.kind) {
    case 'rate_limit': {
      const base = wechat
        ? wechatError(45011, 'api minute-quota reach limit  mustslower  retry next minute')
        : weiboRateLimit(path, fault.weiboCode ?? 10023);
      if (fault.http429 !== true) return base;
      return {
        ...base,
        status: 429,
        headers: { 'retry-after': String(fault.retryAfterSeconds ?? 20) },
      };
    }
    case 'quota':
      return wechat
        ? wechatError(45009, 'reach max api daily quota limit')
        : weiboRateLimit(path, 10024);
    case 'token_expired':
      return wechat
        ? wechatError(42001, 'access_token expired')
        : weiboError(path, 401, 21327, 'expired_token');
    case 'permission':
      return wechat
        ? wechatError(48001, 'api unauthorized')
        : weiboError(path, 403, 10014, 'Insufficient app permissions!');
    case 'server_error': {
      const status = fault.status ?? 503;
      if (status === 500) {
        return wechat
          ? { status, body: { errcode: -1, errmsg: 'system error' }, outcome: 'http_500' }
          : { ...weiboError(path, status, 10001, 'System error'), outcome: 'http_500' };
      }
      const text = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
      return {
        status,
        body: `<html><head><title>${text}</title></head><body><center><h1>${text}</h1></center></body></html>`,
        headers: { 'content-type': 'text/html' },
        outcome: `http_${status}`,
      };
    }
    case 'redirect':
      return {
        status: 302,
        body: '',
        headers: { location: fault.location ?? `http://attacker.invalid${path}` },
        outcome: 'redirect',
      };
    case 'hang':
    case 'slow_drip':
    case 'malformed_json':
    case 'oversized':
    case 'bad_data':
      throw new Error(`fault ${fault.kind} is not a plain response`);
  }
}

function weiboRateLimit(path: string, code: number): SimResponse {
  const messages: Record<number, string> = {
    10022: 'IP requests out of rate limit!',
    10023: 'User requests out of rate limit!',
    10024: `User requests for (${path}) out of rate limit!`,
  };
  return weiboError(path, 403, code, messages[code] ?? 'out of rate limit!');
}

const COUNT_FIELD =
  /(_user|_count|_cnt|^comments|^reposts|^attitudes|^total_count|^item_count|^total_number)$/;

/** bad_data: counters become negative, "NaN" or strings, keeping the shape. */
export function corruptCounts(body: unknown, variant: Fault['variant'] = 'mixed'): unknown {
  let n = 0;
  const pick = (): 'negative' | 'nan' | 'string' => {
    if (variant !== 'mixed') return variant;
    n += 1;
    return (['negative', 'nan', 'string'] as const)[n % 3];
  };
  const walk = (value: unknown, key: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, key));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    if (typeof value === 'number' && COUNT_FIELD.test(key)) {
      const how = pick();
      if (how === 'negative') return -(value + 1);
      if (how === 'nan') return 'NaN';
      return value >= 100_000 ? '10万+' : `${value}`;
    }
    return value;
  };
  return walk(body, '');
}

/** malformed_json: the real body cut mid-way, as a dropped proxy connection would leave it. */
export function truncateJson(body: unknown): string {
  const text = JSON.stringify(body);
  return `${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}\u0000`;
}

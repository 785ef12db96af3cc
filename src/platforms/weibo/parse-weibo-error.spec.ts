import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxiosError } from 'axios';
import { describe, expect, it } from 'vitest';
import { PLATFORM_ERROR_ACTIONS, type PlatformErrorClass } from '../platform-error';
import type { PlatformFailure } from '../http/platform-failure';
import { parseWeiboError, WEIBO_ERROR_CLASSES } from './parse-weibo-error';

const NOW = new Date('2026-03-10T12:45:30Z'); // 14.5 min to the next hour
const body = (code: number | string, status = 400): PlatformFailure => ({
  kind: 'body',
  status,
  body: { request: '/2/users/show.json', error_code: code, error: 'x' },
});
const transport = (code: string): PlatformFailure => ({
  kind: 'transport',
  error: new AxiosError('boom', code),
});

type Row = [
  label: string,
  failure: PlatformFailure,
  errorClass: PlatformErrorClass,
  retryAfter?: number,
];

const ROWS: Row[] = [
  ['10001', body(10001, 500), 'transient'],
  ['10002', body(10002, 503), 'transient'],
  ['10003', body(10003), 'transient'],
  ['10006', body(10006), 'config'],
  ['10008', body(10008), 'config'],
  ['10014', body(10014, 403), 'permission'],
  ['10016', body(10016), 'config'],
  ['10017', body(10017), 'config'],
  ['10022', body(10022, 403), 'rate_limited', 870],
  ['10023', body(10023, 403), 'rate_limited', 870],
  ['10024', body('10024', 403), 'rate_limited', 870],
  ['21314', body(21314), 'auth'],
  ['21315', body(21315), 'auth'],
  ['21316', body(21316), 'auth'],
  ['21317', body(21317), 'auth'],
  ['21319', body(21319), 'auth'],
  ['21322 redirect_uri_mismatch', body(21322), 'config'],
  ['21323 invalid_request', body(21323), 'config'],
  ['21324 invalid_client', body(21324), 'config'],
  ['21325 invalid_grant', body(21325), 'auth'],
  ['21326 unauthorized_client', body(21326), 'permission'],
  ['21327 expired_token', body(21327, 401), 'auth'],
  ['21328 unsupported_grant_type', body(21328), 'config'],
  ['21329 unsupported_response_type', body(21329), 'config'],
  ['21330 access_denied', body(21330), 'permission'],
  ['21331 temporarily_unavailable', body(21331), 'transient'],
  ['21332 invalid_access_token', body(21332, 401), 'auth'],
  ['21501', body(21501, 401), 'auth'],
  ['20003 user not found', body(20003), 'not_found'],
  ['20101 status not found', body(20101), 'not_found'],
  ['20112 privacy', body(20112), 'permission'],
  ['error body on HTTP 200', body(21327, 200), 'auth'],
  ['unknown code', body(29999), 'unknown'],
  ['HTTP 5xx', { kind: 'http', status: 502 }, 'transient'],
  ['HTTP 408', { kind: 'http', status: 408 }, 'transient'],
  ['HTTP 429', { kind: 'http', status: 429, retryAfter: '20' }, 'rate_limited', 20],
  ['HTTP 404', { kind: 'http', status: 404 }, 'not_found'],
  ['HTTP 401', { kind: 'http', status: 401 }, 'auth'],
  ['HTTP 403', { kind: 'http', status: 403 }, 'permission'],
  ['HTTP 400 JSON without error_code', { kind: 'body', status: 400, body: {} }, 'config'],
  ['timeout', transport('ECONNABORTED'), 'transient'],
  ['DNS', transport('ENOTFOUND'), 'transient'],
  ['TLS', transport('CERT_HAS_EXPIRED'), 'config'],
  ['malformed JSON', { kind: 'malformed', status: 200 }, 'transient'],
];

describe('parseWeiboError', () => {
  it.each(ROWS)('%s → %s', (_label, failure, errorClass, retryAfter) => {
    const info = parseWeiboError(failure, NOW);
    expect(info.errorClass).toBe(errorClass);
    expect(PLATFORM_ERROR_ACTIONS[info.errorClass]).toBe(PLATFORM_ERROR_ACTIONS[errorClass]);
    if (retryAfter !== undefined) expect(info.retryAfterSeconds).toBe(retryAfter);
  });

  it('maps every code in the table to its class', () => {
    for (const [code, errorClass] of Object.entries(WEIBO_ERROR_CLASSES)) {
      const info = parseWeiboError(body(Number(code)), NOW);
      expect({ code: info.code, errorClass: info.errorClass }).toEqual({ code, errorClass });
    }
  });

  it('waits for rate limits until the top of the next hour', () => {
    expect(
      parseWeiboError(body(10023), new Date('2026-03-10T12:59:59.500Z')).retryAfterSeconds,
    ).toBe(1);
    expect(parseWeiboError(body(10023), new Date('2026-03-10T13:00:00Z')).retryAfterSeconds).toBe(
      3600,
    );
  });

  describe('real error bodies (fixtures)', () => {
    const dir = join(__dirname, 'fixtures');
    const files = readdirSync(dir).filter((f) => f.startsWith('error'));
    it.each(files)('%s', (file) => {
      const fixture = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const info = parseWeiboError({ kind: 'body', status: 400, body: fixture }, NOW);
      expect(info.code).toBe(String(fixture.error_code));
      expect(info.errorClass).toBe(WEIBO_ERROR_CLASSES[Number(fixture.error_code)]);
      expect(info.message).toBe(fixture.error);
    });
    it('covers the R7 Weibo codes', () => {
      for (const code of [10022, 10023, 10024, 21327]) expect(files).toContain(`error${code}.json`);
    });
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxiosError, CanceledError } from 'axios';
import { describe, expect, it } from 'vitest';
import { PLATFORM_ERROR_ACTIONS, type PlatformErrorClass } from '../platform-error';
import type { PlatformFailure } from '../http/platform-failure';
import { parseWechatError, WECHAT_ERROR_CLASSES } from './parse-wechat-error';

// 2026-03-10 20:00:00 Asia/Shanghai = 12:00:00Z; next Shanghai midnight is 4 h away.
const NOW = new Date('2026-03-10T12:00:00Z');
const body = (errcode: number | string, errmsg = 'x'): PlatformFailure => ({
  kind: 'body',
  status: 200,
  body: { errcode, errmsg },
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

const CODE_ROWS: Row[] = [
  // Reference §3.8 and RELIABILITY R7.
  ['-1', body(-1), 'transient'],
  ['40001', body(40001), 'auth'],
  ['40013', body(40013), 'config'],
  ['40014', body(40014), 'auth'],
  ['41001', body(41001), 'config'],
  ['42001', body(42001), 'auth'],
  ['45009', body(45009), 'quota_exhausted', 4 * 3600],
  ['45011', body(45011), 'rate_limited', 60],
  ['48001', body(48001), 'permission'],
  ['48004', body(48004), 'permission'],
  ['40164', body(40164), 'config'],
  ['61004', body(61004), 'config'],
  ['50001', body(50001), 'permission'],
  ['50002', body(50002), 'permission'],
  ['61500', body(61500), 'config'],
  ['61501', body(61501), 'config'],
  ['40007', body(40007), 'config'],
  ['46003', body(46003), 'not_found'],
  ['errcode as string', body('42001'), 'auth'],
  ['unknown code', body(99999), 'unknown'],
];

const GENERIC_ROWS: Row[] = [
  ['HTTP 500', { kind: 'http', status: 500 }, 'transient'],
  ['HTTP 502', { kind: 'http', status: 502 }, 'transient'],
  ['HTTP 503 + Retry-After', { kind: 'http', status: 503, retryAfter: '30' }, 'transient', 30],
  ['HTTP 504', { kind: 'http', status: 504 }, 'transient'],
  ['HTTP 408', { kind: 'http', status: 408 }, 'transient'],
  ['HTTP 429 seconds', { kind: 'http', status: 429, retryAfter: '20' }, 'rate_limited', 20],
  [
    'HTTP 429 date',
    { kind: 'http', status: 429, retryAfter: 'Tue, 10 Mar 2026 12:01:30 GMT' },
    'rate_limited',
    90,
  ],
  ['HTTP 429 no header', { kind: 'http', status: 429 }, 'rate_limited', 60],
  ['HTTP 404', { kind: 'http', status: 404 }, 'not_found'],
  ['HTTP 401', { kind: 'http', status: 401 }, 'auth'],
  ['HTTP 403', { kind: 'http', status: 403 }, 'permission'],
  ['HTTP 302', { kind: 'http', status: 302 }, 'config'],
  ['HTTP 418', { kind: 'http', status: 418 }, 'unknown'],
  ['HTTP 500 JSON without errcode', { kind: 'body', status: 500, body: { oops: 1 } }, 'transient'],
  [
    'HTTP 200 neither data nor error',
    { kind: 'body', status: 200, body: { errcode: 0 } },
    'unknown',
  ],
  ['timeout ECONNABORTED', transport('ECONNABORTED'), 'transient'],
  ['timeout ETIMEDOUT (deadline)', transport('ETIMEDOUT'), 'transient'],
  ['ECONNRESET', transport('ECONNRESET'), 'transient'],
  ['ECONNREFUSED', transport('ECONNREFUSED'), 'transient'],
  ['DNS ENOTFOUND', transport('ENOTFOUND'), 'transient'],
  ['DNS EAI_AGAIN', transport('EAI_AGAIN'), 'transient'],
  ['TLS CERT_HAS_EXPIRED', transport('CERT_HAS_EXPIRED'), 'config'],
  ['TLS DEPTH_ZERO_SELF_SIGNED_CERT', transport('DEPTH_ZERO_SELF_SIGNED_CERT'), 'config'],
  ['TLS ERR_TLS_CERT_ALTNAME_INVALID', transport('ERR_TLS_CERT_ALTNAME_INVALID'), 'config'],
  [
    'size cap',
    {
      kind: 'transport',
      error: new AxiosError('maxContentLength size of 10 exceeded', 'ERR_BAD_RESPONSE'),
    },
    'unknown',
  ],
  ['follow-redirects body cap', transport('ERR_FR_MAX_BODY_LENGTH_EXCEEDED'), 'unknown'],
  ['stream failure', transport('ERR_BAD_RESPONSE'), 'transient'],
  [
    'code on cause only',
    { kind: 'transport', error: { message: 'x', cause: { code: 'ECONNRESET' } } },
    'transient',
  ],
  ['abort by caller', { kind: 'transport', error: new CanceledError() }, 'transient'],
  ['unclassified transport', transport('EWHATEVER'), 'unknown'],
  ['malformed JSON', { kind: 'malformed', status: 200 }, 'transient'],
];

describe('parseWechatError', () => {
  it.each([...CODE_ROWS, ...GENERIC_ROWS])('%s → %s', (_label, failure, errorClass, retryAfter) => {
    const info = parseWechatError(failure, NOW);
    expect(info.errorClass).toBe(errorClass);
    expect(PLATFORM_ERROR_ACTIONS[info.errorClass]).toBe(PLATFORM_ERROR_ACTIONS[errorClass]);
    if (retryAfter !== undefined) expect(info.retryAfterSeconds).toBe(retryAfter);
  });

  it('maps every code in the table to its class, with the errcode as code', () => {
    for (const [code, errorClass] of Object.entries(WECHAT_ERROR_CLASSES)) {
      const info = parseWechatError(body(Number(code)), NOW);
      expect({ code: info.code, errorClass: info.errorClass }).toEqual({ code, errorClass });
    }
  });

  it('states the action of the R7 codes', () => {
    const action = (code: number) =>
      PLATFORM_ERROR_ACTIONS[parseWechatError(body(code), NOW).errorClass];
    expect(action(-1)).toBe('retry_with_backoff');
    expect(action(42001)).toBe('refresh_token_once');
    expect(action(45009)).toBe('stop_until_quota_reset');
    expect(action(45011)).toBe('wait_then_retry');
    expect(action(48001)).toBe('mark_account');
    expect(action(61004)).toBe('alert');
    expect(action(12345)).toBe('alert');
  });

  it('waits for 45009 until the next Asia/Shanghai midnight, not UTC midnight', () => {
    const justBefore = new Date('2026-03-10T15:59:59Z'); // 23:59:59 in Shanghai
    expect(parseWechatError(body(45009), justBefore).retryAfterSeconds).toBe(1);
    const justAfter = new Date('2026-03-10T16:00:00Z'); // 00:00:00 in Shanghai
    expect(parseWechatError(body(45009), justAfter).retryAfterSeconds).toBe(86_400);
  });

  describe('real error bodies (fixtures)', () => {
    const dir = join(__dirname, 'fixtures');
    const files = readdirSync(dir).filter((f) => f.startsWith('errcode'));
    it.each(files)('%s', (file) => {
      const fixture = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const info = parseWechatError({ kind: 'body', status: 200, body: fixture }, NOW);
      expect(info.code).toBe(String(fixture.errcode));
      expect(info.errorClass).toBe(WECHAT_ERROR_CLASSES[fixture.errcode]);
      expect(info.message).toBe(fixture.errmsg);
    });
    it('covers every R7 WeChat code', () => {
      for (const code of [-1, 40001, 42001, 45009, 45011, 48001, 48004, 50002, 61004]) {
        expect(files).toContain(`errcode${code}.json`);
      }
    });
  });
});

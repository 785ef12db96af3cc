import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../platform-error';
import { captureLogger, json, startLocalServer, type LocalServer } from '../testing/local-server';
import { WechatClient } from '../wechat/wechat.client';

// Transport behaviour of the shared request path, driven through the WeChat client.
const TOKEN = 'CANARY_TOKEN_6f1d2c9e8b7a';
const servers: LocalServer[] = [];
async function server(...args: Parameters<typeof startLocalServer>): Promise<LocalServer> {
  const s = await startLocalServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function client(
  baseUrl: string,
  overrides: Partial<ConstructorParameters<typeof WechatClient>[0]> = {},
) {
  const logger = captureLogger();
  return {
    logger,
    wechat: new WechatClient({
      baseUrl,
      timeoutMs: 1_000,
      maxBodyBytes: 64 * 1024,
      logger,
      ...overrides,
    }),
  };
}

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

const MENU = { is_menu_open: 1, selfmenu_info: { button: [] } };

describe('shared platform request path', () => {
  it('aborts a server that never answers, as transient timeout', async () => {
    const s = await server(() => undefined);
    const { wechat } = client(s.url, { timeoutMs: 500 });
    const started = Date.now();
    const error = await failure(wechat.getCurrentSelfMenu(TOKEN));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect({ class: error.errorClass, code: error.code }).toEqual({
      class: 'transient',
      code: 'timeout',
    });
  });

  it('aborts a 1 byte/s drip within timeout + 1 s (the socket idle timeout alone never fires)', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 1_000);
      res.on('close', () => clearInterval(timer));
    });
    const { wechat } = client(s.url, { timeoutMs: 1_500 });
    const started = Date.now();
    const error = await failure(wechat.getCurrentSelfMenu(TOKEN));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(2_500);
    expect({ class: error.errorClass, code: error.code }).toEqual({
      class: 'transient',
      code: 'timeout',
    });
  });

  it.each([
    ['with content-length', true],
    ['chunked', false],
  ])(
    'caps the response body (%s) and classifies it as body_too_large',
    async (_label, withLength) => {
      const big = JSON.stringify({ list: 'x'.repeat(1_000_000) });
      const s = await server((_req, res) => {
        res.writeHead(200, withLength ? { 'content-length': String(Buffer.byteLength(big)) } : {});
        res.end(big);
      });
      const { wechat } = client(s.url);
      const error = await failure(wechat.getCurrentSelfMenu(TOKEN));
      expect({ class: error.errorClass, code: error.code }).toEqual({
        class: 'unknown',
        code: 'body_too_large',
      });
    },
  );

  it('never follows a 302, even to another host, and classifies it', async () => {
    const elsewhere = await server((_req, res) => json(res, 200, MENU));
    const s = await server((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/steal` });
      res.end();
    });
    const { wechat } = client(s.url);
    const error = await failure(wechat.getCurrentSelfMenu(TOKEN));
    expect({ class: error.errorClass, code: error.code }).toEqual({
      class: 'config',
      code: 'http_302',
    });
    expect(elsewhere.requests).toHaveLength(0);
  });

  it.each(['{"list": [', '<html>502 Bad Gateway</html>', '{"n": NaN}', ''])(
    'classifies a malformed 200 body %j as transient',
    async (body) => {
      const s = await server((_req, res) => json(res, 200, body));
      const error = await failure(client(s.url).wechat.getCurrentSelfMenu(TOKEN));
      expect({ class: error.errorClass, code: error.code }).toEqual({
        class: 'transient',
        code: 'malformed_json',
      });
    },
  );

  it('classifies an HTML 503 as transient and honours 429 Retry-After', async () => {
    let n = 0;
    const s = await server((_req, res) =>
      n++ === 0 ? json(res, 503, '<html>busy</html>') : json(res, 429, '', { 'retry-after': '20' }),
    );
    const { wechat } = client(s.url);
    expect((await failure(wechat.getCurrentSelfMenu(TOKEN))).errorClass).toBe('transient');
    const limited = await failure(wechat.getCurrentSelfMenu(TOKEN));
    expect({ class: limited.errorClass, wait: limited.retryAfterSeconds }).toEqual({
      class: 'rate_limited',
      wait: 20,
    });
  });

  it('reuses one keep-alive connection for sequential calls', async () => {
    const s = await server((_req, res) => json(res, 200, MENU));
    const { wechat } = client(s.url);
    for (let i = 0; i < 3; i++) await wechat.getCurrentSelfMenu(TOKEN);
    expect(s.requests).toHaveLength(3);
    expect(s.connections()).toBe(1);
  });

  it('classifies a refused connection as transient', async () => {
    const s = await server(() => undefined);
    const url = s.url;
    await s.close();
    servers.pop();
    const error = await failure(client(url).wechat.getCurrentSelfMenu(TOKEN));
    expect({ class: error.errorClass, code: error.code }).toEqual({
      class: 'transient',
      code: 'ECONNREFUSED',
    });
  });
});

describe('secret redaction (R22)', () => {
  const SECRET = 'CANARY_SECRET_a1b2c3d4e5';
  const APPID = 'wxCANARYAPPID0001';
  const leaks = (text: string) =>
    [TOKEN, SECRET, encodeURIComponent(TOKEN)].some((c) => text.includes(c));

  it('keeps the token out of log lines and thrown errors, even when the platform echoes it', async () => {
    const s = await server((_req, res) =>
      json(res, 200, {
        errcode: 40001,
        errmsg: `invalid credential, access_token ${TOKEN} is invalid`,
      }),
    );
    const { wechat, logger } = client(s.url);
    const error = await failure(wechat.getCurrentSelfMenu(TOKEN));
    expect(s.requests[0].url).toContain(TOKEN); // the canary really travelled in the URL
    expect(error.errorClass).toBe('auth');
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.join('\n')).toMatch(
      /^log GET \/cgi-bin\/get_current_selfmenu_info\?access_token=\[redacted\] 200 \d+ms$/,
    );
    for (const text of [...logger.lines, error.message, error.stack ?? '', JSON.stringify(error)]) {
      expect(leaks(text)).toBe(false);
    }
  });

  it('keeps the app secret and app id out of logs and errors on timeouts and failures', async () => {
    const hang = await server(() => undefined);
    const { wechat, logger } = client(hang.url, { timeoutMs: 300 });
    const errors = [
      await failure(wechat.fetchToken(APPID, SECRET)),
      await failure(wechat.fetchStableToken(APPID, SECRET, true)),
    ];
    expect(logger.lines.join('\n')).toContain('appid=[redacted]&secret=[redacted]');
    for (const text of [
      ...logger.lines,
      ...errors.flatMap((e) => [e.message, e.stack ?? '', JSON.stringify(e)]),
    ]) {
      expect(leaks(text) || text.includes(APPID)).toBe(false);
    }
  });
});

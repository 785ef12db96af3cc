import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../config/app-config';
import { AlertNotifier } from './alert-notifier';
import type { HealthTransition } from './collection-health';

const CANARY = 'WebhookTokenCanary0123456789';

interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

type Behaviour = 'ok' | 'fail-once' | 'always-500' | 'hang' | 'redirect';

describe('AlertNotifier against a local webhook', () => {
  let server: http.Server;
  let base: string;
  let behaviour: Behaviour = 'ok';
  let received: Received[] = [];
  let redirectHits = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        if (req.url?.startsWith('/elsewhere')) {
          redirectHits++;
          res.end('ok');
          return;
        }
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          contentType: req.headers['content-type'],
          body,
        });
        if (behaviour === 'hang') return; // never answers
        if (behaviour === 'redirect') {
          res.writeHead(302, { location: `${base}/elsewhere` }).end();
          return;
        }
        const failing =
          behaviour === 'always-500' || (behaviour === 'fail-once' && received.length === 1);
        res.writeHead(failing ? 500 : 200).end(failing ? 'boom' : 'ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    received = [];
    redirectHits = 0;
    behaviour = 'ok';
    vi.restoreAllMocks();
  });

  const notifier = (url: string | undefined) =>
    new AlertNotifier(
      { collection: { alertWebhookUrl: url } as AppConfig['collection'] },
      {
        timeoutMs: 300,
        retryDelayMs: 10,
      },
    );

  const transition = (accountId: number, alert = true): HealthTransition => ({
    accountId,
    platform: 'wechat',
    displayName: `账号${accountId}`,
    state: 'failing',
    previousState: 'ok',
    errorClass: 'permission',
    code: '48001',
    message: 'api unauthorized',
    consecutiveFailures: 1,
    alert,
    becameDead: false,
  });

  const hookUrl = () => `${base}/robot/send?access_token=${CANARY}`;

  it('POSTs one JSON body per call with every alerting account', async () => {
    const logs = [
      vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined),
      vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined),
      vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined),
    ];
    const delivered = await notifier(hookUrl()).notify([
      transition(1),
      transition(2),
      transition(3, false),
    ]);
    expect(delivered).toBe(true);
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('POST');
    expect(received[0].contentType).toContain('application/json');
    const body = JSON.parse(received[0].body);
    expect(body).toEqual({
      event: 'collection.failing',
      accounts: [1, 2].map((accountId) => ({
        accountId,
        platform: 'wechat',
        displayName: `账号${accountId}`,
        state: 'failing',
        errorClass: 'permission',
        code: '48001',
        message: 'api unauthorized',
        consecutiveFailures: 1,
      })),
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    // The body carries no secret, and no log line carries the webhook's token.
    expect(received[0].body).not.toContain(CANARY);
    const logged = JSON.stringify(logs.flatMap((spy) => spy.mock.calls));
    expect(logged).not.toContain(CANARY);
    expect(logged).toContain('127.0.0.1');
  });

  it('sends nothing when no transition needs an alert', async () => {
    expect(await notifier(hookUrl()).notify([transition(1, false)])).toBe(true);
    expect(await notifier(hookUrl()).notify([])).toBe(true);
    expect(received).toHaveLength(0);
  });

  it('retries once after a failed attempt', async () => {
    behaviour = 'fail-once';
    vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    expect(await notifier(hookUrl()).notify([transition(1)])).toBe(true);
    expect(received).toHaveLength(2);
  });

  it('gives up after two attempts, logging instead of throwing', async () => {
    behaviour = 'always-500';
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    expect(await notifier(hookUrl()).notify([transition(1)])).toBe(false);
    expect(received).toHaveLength(2);
    expect(error).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(error.mock.calls)).not.toContain(CANARY);
  });

  it('handles a webhook that never answers within the timeout', async () => {
    behaviour = 'hang';
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const started = Date.now();
    expect(await notifier(hookUrl()).notify([transition(1)])).toBe(false);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(received).toHaveLength(2);
    expect(JSON.stringify(error.mock.calls)).toContain('timeout');
    expect(JSON.stringify(error.mock.calls)).not.toContain(CANARY);
  });

  it('never follows a redirect', async () => {
    behaviour = 'redirect';
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    expect(await notifier(hookUrl()).notify([transition(1)])).toBe(false);
    expect(redirectHits).toBe(0);
  });

  it('without a URL logs one warn line per call', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    expect(await notifier(undefined).notify([transition(1), transition(2)])).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(received).toHaveLength(0);
  });

  it('does not throw on an unusable URL', async () => {
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    expect(await notifier('http://127.0.0.1:9/hook').notify([transition(1)])).toBe(false);
  });
});

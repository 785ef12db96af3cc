import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../platform-error';
import { captureLogger, json, startLocalServer, type LocalServer } from '../testing/local-server';
import { quoteLongIds } from './weibo.schemas';
import { WeiboClient } from './weibo.client';

const TOKEN = '2.00CANARYweiboTOKEN';
const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(handler: Parameters<typeof startLocalServer>[0]) {
  const s = await startLocalServer(handler);
  servers.push(s);
  return s;
}
function client(baseUrl: string, commercialBaseUrl?: string) {
  const logger = captureLogger();
  const now = () => new Date('2026-03-10T12:45:30Z');
  return {
    logger,
    weibo: new WeiboClient({
      baseUrl,
      commercialBaseUrl,
      timeoutMs: 2_000,
      maxBodyBytes: 1 << 20,
      logger,
      now,
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
const query = (url: string) => new URL(url, 'http://x').searchParams;

const USER = {
  id: 1_234_567_890,
  idstr: '1234567890',
  screen_name: '平安北京',
  followers_count: 10,
  friends_count: 2,
  statuses_count: 300,
  created_at: 'Tue May 31 17:46:55 +0800 2011',
  verified: true,
  verified_type: 1,
};

describe('WeiboClient', () => {
  it('shows a user with typed fields and a parsed created_at', async () => {
    const s = await server((_req, res) => json(res, 200, USER));
    const user = await client(s.url).weibo.showUser(TOKEN, '1234567890');
    expect(user).toMatchObject({
      id: '1234567890',
      screenName: '平安北京',
      followersCount: 10,
      verifiedType: 1,
    });
    expect(user.createdAt.toISOString()).toBe('2011-05-31T09:46:55.000Z');
    expect(query(s.requests[0].url).get('uid')).toBe('1234567890');
  });

  it('asks for counts in chunks of 100 and concatenates in order', async () => {
    const s = await server((req, res) => {
      const uids = query(req.url ?? '')
        .get('uids')!
        .split(',');
      json(
        res,
        200,
        uids.map((id) => ({
          id: Number(id),
          followers_count: 1,
          friends_count: 0,
          statuses_count: 0,
        })),
      );
    });
    const uids = Array.from({ length: 250 }, (_, i) => String(1_000 + i));
    const out = await client(s.url).weibo.userCounts(TOKEN, uids);
    expect(s.requests.map((r) => query(r.url).get('uids')!.split(',').length)).toEqual([
      100, 100, 50,
    ]);
    expect(out.map((r) => r.uid)).toEqual(uids);
  });

  it('keeps 64-bit status ids exact', async () => {
    const raw = '[{"id": 4867421234567891234, "comments": 1, "reposts": 2, "attitudes": 3}]';
    const s = await server((_req, res) => json(res, 200, raw));
    const out = await client(s.url).weibo.statusCounts(TOKEN, ['4867421234567891234']);
    expect(out).toEqual([
      { id: '4867421234567891234', commentsCount: 1, repostsCount: 2, attitudesCount: 3 },
    ]);
  });

  it('quotes long ids only outside string values', () => {
    expect(quoteLongIds('{"id":4867421234567891234,"text":"x \\"id\\":1234567890123456789"}')).toBe(
      '{"id":"4867421234567891234","text":"x \\"id\\":1234567890123456789"}',
    );
  });

  it('reads a timeline with paging parameters', async () => {
    const status = {
      id: 4_867_421_234_567_891,
      idstr: '4867421234567891',
      created_at: 'Wed Mar 04 08:00:00 +0800 2026',
      text: '通告',
      reposts_count: 1,
      comments_count: 2,
      attitudes_count: '10万+',
    };
    const s = await server((_req, res) => json(res, 200, { statuses: [status], total_number: 1 }));
    const out = await client(s.url).weibo.userTimeline(TOKEN, {
      sinceId: '1',
      count: 100,
      page: 2,
    });
    expect(out.statuses[0]).toMatchObject({
      id: '4867421234567891',
      attitudesCount: 100_001,
      isRepost: false,
    });
    expect(Object.fromEntries(query(s.requests[0].url))).toMatchObject({
      since_id: '1',
      count: '100',
      page: '2',
    });
  });

  it('sends the other-user timeline to the commercial base', async () => {
    const open = await server((_req, res) => json(res, 500, {}));
    const commercial = await server((_req, res) => json(res, 200, { statuses: [] }));
    await client(open.url, commercial.url).weibo.otherUserTimeline(TOKEN, '42', {
      startTime: 1_700_000_000,
      count: 20,
    });
    expect(open.requests).toHaveLength(0);
    expect(commercial.requests[0].url).toMatch(/^\/2\/statuses\/user_timeline\/other\.json\?/);
    expect(query(commercial.requests[0].url).get('start_time')).toBe('1700000000');
  });

  it('classifies a 403 rate-limit body, waiting until the next hour, without leaking the token', async () => {
    const s = await server((_req, res) =>
      json(res, 403, {
        request: '/2/users/show.json',
        error_code: '10023',
        error: `User requests out of rate limit ${TOKEN}`,
      }),
    );
    const { weibo, logger } = client(s.url);
    const error = await failure(weibo.showUser(TOKEN, '1'));
    expect(error).toMatchObject({
      platform: 'weibo',
      errorClass: 'rate_limited',
      code: '10023',
      retryAfterSeconds: 870,
    });
    for (const text of [...logger.lines, error.message, error.stack ?? ''])
      expect(text).not.toContain(TOKEN);
    expect(logger.lines[0]).toMatch(/access_token=\[redacted\]/);
  });

  it('classifies an expired token', async () => {
    const s = await server((_req, res) =>
      json(res, 401, { request: '/2/users/show.json', error_code: 21327, error: 'expired_token' }),
    );
    expect((await failure(client(s.url).weibo.showUser(TOKEN, '1'))).errorClass).toBe('auth');
  });

  it('rejects a bad created_at or negative count as bad_data', async () => {
    const s = await server((_req, res) =>
      json(res, 200, { ...USER, created_at: '2011-05-31', followers_count: -1 }),
    );
    const error = await failure(client(s.url).weibo.showUser(TOKEN, '1'));
    expect({ class: error.errorClass, code: error.code }).toEqual({
      class: 'unknown',
      code: 'bad_data',
    });
  });

  it('validates arguments before calling', async () => {
    const s = await server((_req, res) => json(res, 200, {}));
    const { weibo } = client(s.url);
    for (const call of [
      weibo.showUser(TOKEN, 'abc'),
      weibo.showUser('', '1'),
      weibo.userTimeline(TOKEN, { count: 101 }),
      weibo.userTimeline(TOKEN, { page: 0 }),
      weibo.statusCounts(TOKEN, ['1', 'x']),
    ]) {
      expect(await failure(call)).toMatchObject({ errorClass: 'config', code: 'invalid_argument' });
    }
    expect(s.requests).toHaveLength(0);
  });
});

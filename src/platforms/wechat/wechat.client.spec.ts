import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../platform-error';
import { captureLogger, json, startLocalServer, type LocalServer } from '../testing/local-server';
import { WechatClient } from './wechat.client';

const TOKEN = 'tok_abc';
let s: LocalServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function setup(handler: Parameters<typeof startLocalServer>[0]) {
  s = await startLocalServer(handler);
  const now = () => new Date('2026-03-10T12:00:00Z');
  return new WechatClient({
    baseUrl: s.url,
    timeoutMs: 2_000,
    maxBodyBytes: 1 << 20,
    logger: captureLogger(),
    now,
  });
}

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

describe('WechatClient', () => {
  it('fetches a stable token with a JSON body and returns it typed', async () => {
    const wechat = await setup((_req, res) =>
      json(res, 200, { access_token: 'T', expires_in: 7200 }),
    );
    await expect(wechat.fetchStableToken('wx1', 'sec', true)).resolves.toEqual({
      accessToken: 'T',
      expiresInSeconds: 7200,
    });
    expect(s!.requests[0]).toMatchObject({ method: 'POST', url: '/cgi-bin/stable_token' });
    expect(JSON.parse(s!.requests[0].body)).toEqual({
      grant_type: 'client_credential',
      appid: 'wx1',
      secret: 'sec',
      force_refresh: true,
    });
  });

  it('fetches a legacy token with query parameters', async () => {
    const wechat = await setup((_req, res) =>
      json(res, 200, { access_token: 'T', expires_in: 7200 }),
    );
    await wechat.fetchToken('wx1', 'sec');
    expect(s!.requests[0].url).toBe(
      '/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=sec',
    );
  });

  it('turns HTTP 200 + errcode into a classified PlatformError', async () => {
    const wechat = await setup((_req, res) =>
      json(res, 200, { errcode: 45009, errmsg: 'reach max api daily quota limit' }),
    );
    const error = await failure(wechat.getUserSummary(TOKEN, '2026-03-01', '2026-03-07'));
    expect(error).toMatchObject({
      platform: 'wechat',
      errorClass: 'quota_exhausted',
      code: '45009',
      retryAfterSeconds: 4 * 3600,
    });
    expect(error.message).toBe('wechat 45009: reach max api daily quota limit');
  });

  it('posts datacube ranges and maps rows to camelCase', async () => {
    const wechat = await setup((_req, res) =>
      json(res, 200, {
        list: [{ ref_date: '2026-03-01', user_source: 0, new_user: 5, cancel_user: 1 }],
      }),
    );
    await expect(wechat.getUserSummary(TOKEN, '2026-03-01', '2026-03-07')).resolves.toEqual([
      { refDate: '2026-03-01', userSource: 0, newUser: 5, cancelUser: 1 },
    ]);
    expect(s!.requests[0].url).toBe(`/datacube/getusersummary?access_token=${TOKEN}`);
    expect(JSON.parse(s!.requests[0].body)).toEqual({
      begin_date: '2026-03-01',
      end_date: '2026-03-07',
    });
  });

  it('splits a range by the endpoint max span and concatenates in order', async () => {
    const wechat = await setup((_req, res, body) => {
      const { begin_date } = JSON.parse(body);
      json(res, 200, { list: [{ ref_date: begin_date, cumulate_user: 100, user_source: 0 }] });
    });
    const rows = await wechat.getUserCumulateRange(TOKEN, '2026-02-25', '2026-03-10');
    expect(s!.requests.map((r) => JSON.parse(r.body))).toEqual([
      { begin_date: '2026-02-25', end_date: '2026-03-03' },
      { begin_date: '2026-03-04', end_date: '2026-03-10' },
    ]);
    expect(rows.map((r) => r.refDate)).toEqual(['2026-02-25', '2026-03-04']);
  });

  it('calls one-day endpoints once per day and merges is_delay', async () => {
    let n = 0;
    const wechat = await setup((_req, res, body) => {
      const { begin_date } = JSON.parse(body);
      const detail = {
        read_user: 10,
        share_user: 2,
        zaikan_user: 1,
        like_user: 3,
        comment_count: 0,
      };
      json(res, 200, { is_delay: n++ === 1, list: [{ ref_date: begin_date, detail }] });
    });
    const out = await wechat.getBizSummaryRange(TOKEN, '2026-03-01', '2026-03-03');
    expect(s!.requests).toHaveLength(3);
    expect(out.isDelay).toBe(true);
    expect(out.rows[2]).toEqual({
      refDate: '2026-03-03',
      readUser: 10,
      shareUser: 2,
      zaikanUser: 1,
      likeUser: 3,
      commentCount: 0,
      collectionUser: undefined,
    });
  });

  it('parses "10万+" reads as 100001', async () => {
    const wechat = await setup((_req, res) =>
      json(res, 200, {
        list: [
          {
            ref_date: '2026-03-01',
            msgid: '1_1',
            detail_list: [{ stat_date: '2026-03-01', read_user: '10万+', share_user: '100000+' }],
          },
        ],
      }),
    );
    const out = await wechat.getArticleTotalDetail(TOKEN, '2026-03-01');
    expect(out.articles[0].stats[0]).toMatchObject({ readUser: 100_001, shareUser: 100_001 });
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['numeric string', '12'],
    ['null', null],
    ['huge', 1e300],
  ])('rejects a %s count as bad_data (class unknown), naming no value', async (_label, value) => {
    const wechat = await setup((_req, res) =>
      json(res, 200, {
        list: [{ ref_date: '2026-03-01', user_source: 0, new_user: value, cancel_user: 0 }],
      }),
    );
    const error = await failure(wechat.getUserSummary(TOKEN, '2026-03-01', '2026-03-01'));
    expect({ class: error.errorClass, code: error.code }).toEqual({
      class: 'unknown',
      code: 'bad_data',
    });
    expect(error.message).toContain('list.0.new_user');
  });

  it('validates arguments before calling', async () => {
    const wechat = await setup((_req, res) => json(res, 200, {}));
    const bad = [
      wechat.batchGetPublished(TOKEN, 0, 21),
      wechat.batchGetPublished(TOKEN, 0, 0),
      wechat.batchGetPublished(TOKEN, -1, 5),
      wechat.getUserSummary(TOKEN, '2026-03-01', '2026-03-08'), // 8 days > 7
      wechat.getUserSummary(TOKEN, '2026-03-02', '2026-03-01'),
      wechat.getBizSummary(TOKEN, '2026-02-30'),
      wechat.getCurrentSelfMenu(''),
    ];
    for (const call of bad) {
      expect(await failure(call)).toMatchObject({ errorClass: 'config', code: 'invalid_argument' });
    }
    expect(s!.requests).toHaveLength(0);
  });

  it('lists published articles without content', async () => {
    const wechat = await setup((_req, res) =>
      json(res, 200, {
        total_count: 1,
        item_count: 1,
        item: [
          {
            article_id: 'A1',
            update_time: 1_700_000_000,
            content: {
              news_item: [{ title: 't', url: 'https://mp.weixin.qq.com/s/x', is_deleted: false }],
            },
          },
        ],
      }),
    );
    const out = await wechat.batchGetPublished(TOKEN, 0, 20);
    expect(JSON.parse(s!.requests[0].body)).toEqual({ offset: 0, count: 20, no_content: 1 });
    expect(out.items[0]).toMatchObject({ articleId: 'A1', updatedAt: new Date(1_700_000_000_000) });
  });

  it('reads the current menu', async () => {
    const wechat = await setup((_req, res) =>
      json(res, 200, {
        is_menu_open: 1,
        selfmenu_info: {
          button: [
            {
              name: '办事',
              sub_button: { list: [{ type: 'view', name: '社保', url: 'https://x' }] },
            },
          ],
        },
      }),
    );
    const menu = await wechat.getCurrentSelfMenu(TOKEN);
    expect(menu).toEqual({
      isMenuOpen: true,
      buttons: [{ name: '办事', subButtons: [{ type: 'view', name: '社保', url: 'https://x' }] }],
    });
  });

  it('reads legacy article totals', async () => {
    const d = {
      stat_date: '2026-03-01',
      target_user: 9,
      int_page_read_user: 1,
      int_page_read_count: 2,
      ori_page_read_user: 0,
      ori_page_read_count: 0,
      share_user: 0,
      share_count: 0,
      add_to_fav_user: 0,
      add_to_fav_count: 0,
    };
    const wechat = await setup((_req, res) =>
      json(res, 200, {
        list: [{ ref_date: '2026-03-01', msgid: '1_1', title: 't', details: [d] }],
      }),
    );
    const out = await wechat.getArticleTotal(TOKEN, '2026-03-01');
    expect(out[0].stats[0]).toMatchObject({ targetUser: 9, intPageReadCount: 2 });
  });
});

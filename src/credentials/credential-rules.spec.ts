import { describe, expect, it } from 'vitest';
import { credentialInputFor } from './credential-rules';

const APP_ID = 'wx1234567890abcdef';
const SECRET = '0123456789abcdef0123456789abcdef';
const NOW = new Date('2026-11-22T00:00:00Z');
const fields = (r: ReturnType<typeof credentialInputFor>) => r.errors.map((e) => e.field).sort();

describe('credentialInputFor', () => {
  it('accepts {appId, appSecret} for WeChat and {accessToken, expiresAt?} for Weibo', () => {
    expect(
      credentialInputFor('wechat', { appId: APP_ID, appSecret: SECRET }, { wechatAppId: APP_ID })
        .input,
    ).toEqual({
      kind: 'wechat_app',
      appId: APP_ID,
      secret: SECRET,
      expiresAt: null,
    });
    expect(
      credentialInputFor('wechat', { appId: APP_ID, appSecret: SECRET }, { wechatAppId: null })
        .errors,
    ).toEqual([]);
    expect(
      credentialInputFor(
        'weibo',
        { accessToken: 'tok-12345678', expiresAt: '2027-01-01T00:00:00Z' },
        { wechatAppId: null },
        NOW,
      ).input,
    ).toEqual({
      kind: 'weibo_token',
      appId: null,
      secret: 'tok-12345678',
      expiresAt: new Date('2027-01-01T00:00:00Z'),
    });
    expect(
      credentialInputFor('weibo', { accessToken: 'tok-12345678' }, { wechatAppId: null }).input
        ?.expiresAt,
    ).toBeNull();
  });

  it('reports every wrong or missing field for the platform, without values', () => {
    const wechat = credentialInputFor(
      'wechat',
      { accessToken: 'tok-secret-value', expiresAt: '2027-01-01T00:00:00Z' },
      { wechatAppId: null },
    );
    expect(fields(wechat)).toEqual(['accessToken', 'appId', 'appSecret', 'expiresAt']);
    expect(JSON.stringify(wechat.errors)).not.toContain('tok-secret-value');
    const weibo = credentialInputFor(
      'weibo',
      { appId: APP_ID, appSecret: SECRET },
      { wechatAppId: null },
    );
    expect(fields(weibo)).toEqual(['accessToken', 'appId', 'appSecret']);
    expect(JSON.stringify(weibo.errors)).not.toContain(SECRET);
  });

  it("requires the account's registered AppID and a future Weibo expiry", () => {
    const other = credentialInputFor(
      'wechat',
      { appId: 'wxffffffffffffffff', appSecret: SECRET },
      { wechatAppId: APP_ID },
    );
    expect(fields(other)).toEqual(['appId']);
    const past = credentialInputFor(
      'weibo',
      { accessToken: 'tok-12345678', expiresAt: '2026-01-01T00:00:00Z' },
      { wechatAppId: null },
      NOW,
    );
    expect(past.errors).toEqual([
      { field: 'expiresAt', message: expect.stringMatching(/in the past/) },
    ]);
  });
});

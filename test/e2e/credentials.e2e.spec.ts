import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyRingText } from '../../src/credentials/credential-cipher';
import { type TestApp, startTestApp } from '../support/test-app';

describe('account credentials over HTTP', () => {
  let t: TestApp;
  let db: Client;
  let wechatId: number;
  let weiboId: number;
  const SECRET = 'CanarySecret0123456789abcdefABCDEF';
  const WEIBO_TOKEN = '2.00CanaryWeiboToken0123456789';

  beforeAll(async () => {
    t = await startTestApp({ CREDENTIALS_KEYS: generateKeyRingText() });
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    const org = await t.request('POST', '/api/v1/organizations', {
      json: {
        name: '成都市公安局',
        regionCode: '510100',
        level: 'municipal',
        sector: 'public_security',
      },
    });
    const wechat = await t.request('POST', '/api/v1/accounts', {
      json: {
        platform: 'wechat',
        wechatAppId: 'wx00000000000000c1',
        displayName: '平安成都',
        organizationId: org.body.id,
      },
    });
    const weibo = await t.request('POST', '/api/v1/accounts', {
      json: {
        platform: 'weibo',
        weiboUid: '3000000001',
        displayName: '平安成都',
        organizationId: org.body.id,
      },
    });
    wechatId = wechat.body.id;
    weiboId = weibo.body.id;
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const path = (id: number) => `/api/v1/accounts/${id}/credentials`;

  it('attaches, rotates and revokes, showing state but never the secret', async () => {
    expect((await t.request('GET', path(wechatId))).body.state).toBe('never');
    const attached = await t.request('PUT', path(wechatId), {
      json: { appId: 'wx00000000000000c1', appSecret: SECRET },
    });
    expect(attached.status, attached.text).toBe(200);
    expect(attached.body).toMatchObject({
      kind: 'wechat_app',
      appId: 'wx00000000000000c1',
      state: 'valid',
      keyVersion: 'v1',
    });
    expect(attached.text).not.toContain(SECRET);

    const rotated = await t.request('PUT', path(wechatId), {
      json: { appId: 'wx00000000000000c1', appSecret: `${SECRET}2` },
    });
    expect(rotated.body.rotatedAt).not.toBeNull();

    const revoked = await t.request('DELETE', path(wechatId));
    expect(revoked.body.state).toBe('revoked');
    expect((await t.request('GET', path(wechatId))).body.state).toBe('revoked');

    const weibo = await t.request('PUT', path(weiboId), { json: { accessToken: WEIBO_TOKEN } });
    expect(weibo.body).toMatchObject({ kind: 'weibo_token', state: 'valid' });

    // Nothing stored or audited holds a secret in clear.
    const dump = await db.query(
      `SELECT string_agg(t::text, '|') AS text FROM (
         SELECT to_jsonb(c)::text AS t FROM platform_credentials c
         UNION ALL SELECT to_jsonb(a)::text FROM audit_log a) x`,
    );
    expect(dump.rows[0].text).not.toContain(SECRET);
    expect(dump.rows[0].text).not.toContain(WEIBO_TOKEN);
  });

  it('checks the body against the platform, and the key scope', async () => {
    const wrong = await t.request('PUT', path(weiboId), {
      json: { appId: 'wx00000000000000c1', appSecret: SECRET },
    });
    expect(wrong.status).toBe(400);
    const extra = await t.request('PUT', path(wechatId), {
      json: { appId: 'wx00000000000000c1', appSecret: SECRET, ciphertext: 'x' },
    });
    expect(extra.status).toBe(400);
    const beijing = (
      await t.request('POST', '/api/v1/api-keys', {
        json: { name: 'bj', role: 'admin', regionCode: '110000' },
      })
    ).body.apiKey;
    expect((await t.request('GET', path(wechatId), { key: beijing })).status).toBe(404);
    expect(
      (
        await t.request('PUT', path(wechatId), {
          key: beijing,
          json: { appId: 'wx00000000000000c1', appSecret: SECRET },
        })
      ).status,
    ).toBe(404);
  });
});

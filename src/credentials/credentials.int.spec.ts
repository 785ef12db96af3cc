import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createTestDatabase, openTestDataSource } from '../../test/support/database';
import { AuditModule } from '../audit/audit.module';
import { buildDataSourceOptions } from '../database/data-source-options';
import { WECHAT_TOKEN_SOURCE } from '../platforms/wechat-token-source';
import { CredentialsModule } from './credentials.module';
import { CREDENTIALS_KEY_RING } from './credentials-key-ring';
import { AuditService } from '../audit/audit.service';
import { ValidationFailedException } from '../common/domain.exception';
import { CredentialCipher, credentialAad, parseKeyRing } from './credential-cipher';
import { CredentialsService } from './credentials.service';
import {
  FakeWechatTokenSource,
  TEST_ACTOR,
  seedAccount,
  testPrincipal,
} from './credentials-testing';
import { WechatTokenService } from './wechat-token.service';

const V1 = `v1:${randomBytes(32).toString('base64')}`;
const V2 = `v2:${randomBytes(32).toString('base64')}`;
const admin = testPrincipal();
const CANARY_SECRET = 'CANARY-AppSecret-51f0e2d9c8b7a6';
const CANARY_WEIBO = 'CANARY-weibo-token-9a8b7c6d5e4f';
const CANARY_TOKEN = 'CANARY-access-token-0f1e2d3c4b5a';

function services(dataSource: DataSource, ringText: string, source = new FakeWechatTokenSource()) {
  const cipher = new CredentialCipher(parseKeyRing(ringText));
  return {
    cipher,
    source,
    credentials: new CredentialsService(dataSource, cipher, new AuditService()),
    tokens: new WechatTokenService(dataSource, cipher, source),
  };
}

describe('credentials at rest (PostgreSQL)', () => {
  let dataSource: DataSource;
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase();
    dataSource = await openTestDataSource(url);
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('attaches, reports, rotates and revokes; state never carries the secret', async () => {
    const { credentials } = services(dataSource, V1);
    const account = await seedAccount(dataSource, 'wechat');
    const appId = account.wechatAppId!;
    expect(await credentials.get(account.id, admin)).toMatchObject({
      kind: 'wechat_app',
      state: 'never',
      appId: null,
      keyVersion: null,
    });
    const attached = await credentials.put(
      account.id,
      { appId, appSecret: 'a'.repeat(32) },
      admin,
      TEST_ACTOR,
    );
    expect(attached).toMatchObject({
      accountId: account.id,
      kind: 'wechat_app',
      appId,
      state: 'valid',
      keyVersion: 'v1',
      rotatedAt: null,
    });
    expect(Object.keys(attached).sort()).toEqual(
      [
        'accountId',
        'appId',
        'createdAt',
        'expiresAt',
        'keyVersion',
        'kind',
        'lastCheckedAt',
        'lastErrorClass',
        'revokedAt',
        'rotatedAt',
        'state',
      ].sort(),
    );
    const rotated = await credentials.put(
      account.id,
      { appId, appSecret: 'b'.repeat(32) },
      admin,
      TEST_ACTOR,
    );
    expect(rotated.rotatedAt).not.toBeNull();
    expect(rotated.createdAt).toBe(attached.createdAt);
    const revoked = await credentials.revoke(account.id, admin, TEST_ACTOR);
    expect(revoked).toMatchObject({ state: 'revoked', keyVersion: null });
    expect(await credentials.get(account.id, admin)).toEqual(revoked);
    await expect(credentials.revoke(account.id, admin, TEST_ACTOR)).rejects.toMatchObject({
      code: 'CREDENTIAL_NOT_FOUND',
    });
    // A new attach after revocation is a new row.
    const again = await credentials.put(
      account.id,
      { appId, appSecret: 'c'.repeat(32) },
      admin,
      TEST_ACTOR,
    );
    expect(again).toMatchObject({ state: 'valid', rotatedAt: null, revokedAt: null });

    const audit = await dataSource.query<
      { action: string; before: unknown; after: { state: string } }[]
    >(
      `SELECT action, before, after FROM audit_log WHERE entity_type = 'platform_credential' ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['attach', 'rotate', 'revoke', 'attach']);
    expect(audit[0].before).toBeNull();
    expect(audit[2].after.state).toBe('revoked');
  });

  it('takes the body the platform needs, per field', async () => {
    const { credentials } = services(dataSource, V1);
    const weibo = await seedAccount(dataSource, 'weibo');
    await expect(
      credentials.put(
        weibo.id,
        { appId: 'wx0000000000000001', appSecret: 'x'.repeat(32) },
        admin,
        TEST_ACTOR,
      ),
    ).rejects.toBeInstanceOf(ValidationFailedException);
    const state = await credentials.put(
      weibo.id,
      { accessToken: 'weibo-token-1234', expiresAt: '2099-01-01T00:00:00.000Z' },
      admin,
      TEST_ACTOR,
    );
    expect(state).toMatchObject({
      kind: 'weibo_token',
      appId: null,
      state: 'valid',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    expect(await credentials.weiboAccessToken(weibo.id)).toBe('weibo-token-1234');
    // Past its expiry it reads as expired.
    await dataSource.query(
      `UPDATE platform_credentials SET expires_at = now() - interval '1 s' WHERE account_id = $1`,
      [weibo.id],
    );
    expect((await credentials.get(weibo.id, admin)).state).toBe('expired');
    await credentials.recordCheck(weibo.id, 'weibo_token', 'auth');
    expect(await credentials.get(weibo.id, admin)).toMatchObject({
      state: 'expired',
      lastErrorClass: 'auth',
    });
  });

  it('hides accounts outside the key’s region scope (404), and one AppID has one live credential', async () => {
    const { credentials } = services(dataSource, V1);
    const chengdu = await seedAccount(dataSource, 'wechat', { regionCode: '510100' });
    const guangdong = testPrincipal({ regionCode: '440000' });
    const notFound = { code: 'ACCOUNT_NOT_FOUND', status: 404 };
    await expect(credentials.get(chengdu.id, guangdong)).rejects.toMatchObject(notFound);
    await expect(
      credentials.put(
        chengdu.id,
        { appId: chengdu.wechatAppId!, appSecret: 'x'.repeat(32) },
        guangdong,
        TEST_ACTOR,
      ),
    ).rejects.toMatchObject(notFound);
    await expect(credentials.revoke(chengdu.id, guangdong, TEST_ACTOR)).rejects.toMatchObject(
      notFound,
    );
    await expect(credentials.get(999_999, admin)).rejects.toMatchObject(notFound);
    expect(
      (await credentials.get(chengdu.id, testPrincipal({ regionCode: '510000', role: 'viewer' })))
        .state,
    ).toBe('never');

    // An account without a registered AppID may name one; it must not be another's live one.
    const unregistered = await seedAccount(dataSource, 'wechat', { wechatAppId: null });
    await credentials.put(
      chengdu.id,
      { appId: chengdu.wechatAppId!, appSecret: 'x'.repeat(32) },
      admin,
      TEST_ACTOR,
    );
    await expect(
      credentials.put(
        unregistered.id,
        { appId: chengdu.wechatAppId!, appSecret: 'y'.repeat(32) },
        admin,
        TEST_ACTOR,
      ),
    ).rejects.toMatchObject({ code: 'CREDENTIAL_APP_ID_TAKEN', status: 409 });
  });

  it('leaves no plaintext canary anywhere in the database (dump scan, R21)', async () => {
    const source = new FakeWechatTokenSource();
    source.queue = [CANARY_TOKEN];
    const { credentials, tokens } = services(dataSource, V1, source);
    const wechat = await seedAccount(dataSource, 'wechat');
    const weibo = await seedAccount(dataSource, 'weibo');
    await credentials.put(
      wechat.id,
      { appId: wechat.wechatAppId!, appSecret: CANARY_SECRET },
      admin,
      TEST_ACTOR,
    );
    await credentials.put(weibo.id, { accessToken: CANARY_WEIBO }, admin, TEST_ACTOR);
    expect(await tokens.getAccessToken(wechat.wechatAppId!)).toBe(CANARY_TOKEN);
    expect(source.calls[0].appSecret).toBe(CANARY_SECRET);

    const tables = await dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['platform_credentials', 'wechat_access_tokens', 'audit_log']),
    );
    let scanned = 0;
    for (const { table_name } of tables) {
      // Every column as text (bytea renders as hex), plus bytea columns decoded as raw bytes.
      const rows = await dataSource.query<{ row: string }[]>(
        `SELECT to_jsonb(t)::text AS row FROM "${table_name}" t`,
      );
      const byteaColumns = await dataSource.query<{ column_name: string }[]>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND data_type = 'bytea'`,
        [table_name],
      );
      const raw: Buffer[] = [];
      for (const { column_name } of byteaColumns) {
        const values = await dataSource.query<{ v: Buffer | null }[]>(
          `SELECT "${column_name}" AS v FROM "${table_name}"`,
        );
        raw.push(...values.flatMap((r) => (r.v ? [r.v] : [])));
      }
      for (const canary of [CANARY_SECRET, CANARY_WEIBO, CANARY_TOKEN]) {
        const hex = Buffer.from(canary).toString('hex');
        for (const { row } of rows) {
          expect(row).not.toContain(canary);
          expect(row).not.toContain(hex);
        }
        for (const bytes of raw) expect(bytes.includes(canary)).toBe(false);
      }
      scanned += rows.length;
    }
    expect(scanned).toBeGreaterThan(10);
    const [counts] = await dataSource.query<{ c: number; t: number }[]>(
      `SELECT (SELECT count(*) FROM platform_credentials WHERE ciphertext IS NOT NULL)::int AS c,
              (SELECT count(*) FROM wechat_access_tokens WHERE ciphertext IS NOT NULL)::int AS t`,
    );
    expect(counts.c).toBeGreaterThanOrEqual(2);
    expect(counts.t).toBeGreaterThanOrEqual(1);
  });

  it('binds each envelope to its row: swapped ciphertexts fail to decrypt (AAD, R21)', async () => {
    const source = new FakeWechatTokenSource();
    const { credentials, tokens, cipher } = services(dataSource, V1, source);
    const a = await seedAccount(dataSource, 'wechat');
    const b = await seedAccount(dataSource, 'wechat');
    await credentials.put(
      a.id,
      { appId: a.wechatAppId!, appSecret: 'secret-of-a-000000' },
      admin,
      TEST_ACTOR,
    );
    await credentials.put(
      b.id,
      { appId: b.wechatAppId!, appSecret: 'secret-of-b-000000' },
      admin,
      TEST_ACTOR,
    );
    await dataSource.query(
      `UPDATE platform_credentials p SET key_version = q.key_version, iv = q.iv, ciphertext = q.ciphertext, tag = q.tag
       FROM platform_credentials q
       WHERE p.state = 'valid' AND q.state = 'valid' AND ((p.account_id = $1 AND q.account_id = $2) OR (p.account_id = $2 AND q.account_id = $1))`,
      [a.id, b.id],
    );
    for (const account of [a, b]) {
      await expect(tokens.getAccessToken(account.wechatAppId!)).rejects.toMatchObject({
        code: 'CREDENTIAL_UNDECRYPTABLE',
      });
      const [row] = await dataSource.query<
        { id: number; key_version: string; iv: Buffer; ciphertext: Buffer; tag: Buffer }[]
      >(
        `SELECT id, key_version, iv, ciphertext, tag FROM platform_credentials WHERE account_id = $1 AND state = 'valid'`,
        [account.id],
      );
      expect(() =>
        cipher.decrypt(
          { keyVersion: row.key_version, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag },
          credentialAad(row.id, 'wechat_app'),
        ),
      ).toThrow(/AAD/);
    }
    expect(source.calls).toHaveLength(0);
    // The same holds for cached tokens: one copied to another app id's row is refused.
    await credentials.put(
      a.id,
      { appId: a.wechatAppId!, appSecret: 'secret-of-a-000000' },
      admin,
      TEST_ACTOR,
    );
    await credentials.put(
      b.id,
      { appId: b.wechatAppId!, appSecret: 'secret-of-b-000000' },
      admin,
      TEST_ACTOR,
    );
    await tokens.getAccessToken(a.wechatAppId!);
    await tokens.getAccessToken(b.wechatAppId!);
    await dataSource.query(
      `UPDATE wechat_access_tokens t SET iv = s.iv, ciphertext = s.ciphertext, tag = s.tag
       FROM wechat_access_tokens s WHERE t.app_id = $1 AND s.app_id = $2`,
      [b.wechatAppId, a.wechatAppId],
    );
    await expect(tokens.getAccessToken(b.wechatAppId!)).rejects.toMatchObject({
      code: 'CREDENTIAL_UNDECRYPTABLE',
    });
  });

  it('rejects a stored 4-byte tag at the database (CHECK) level', async () => {
    const { credentials } = services(dataSource, V1);
    const a = await seedAccount(dataSource, 'weibo');
    await credentials.put(a.id, { accessToken: 'weibo-token-abcd' }, admin, TEST_ACTOR);
    await expect(
      dataSource.query(
        `UPDATE platform_credentials SET tag = substring(tag from 1 for 4) WHERE account_id = $1`,
        [a.id],
      ),
    ).rejects.toThrow(/ck_platform_credentials_envelope/);
  });

  it('reencryptAll moves 100% of rows to the active key, then the old key can go', async () => {
    const v1 = services(dataSource, V1);
    await dataSource.query(
      `UPDATE platform_credentials SET state = 'revoked', revoked_at = now(), key_version = NULL, iv = NULL, ciphertext = NULL, tag = NULL WHERE state <> 'revoked'`,
    );
    await dataSource.query(
      `UPDATE wechat_access_tokens SET key_version = NULL, iv = NULL, ciphertext = NULL, tag = NULL, expires_at = NULL`,
    );
    const secrets = new Map<number, string>();
    const appIds: string[] = [];
    const wechatSecrets: string[] = [];
    for (let i = 0; i < 23; i++) {
      const platform = i % 3 === 0 ? 'weibo' : 'wechat';
      const account = await seedAccount(dataSource, platform);
      const secret = `rotating-secret-${i}-0123456789`;
      secrets.set(account.id, secret);
      if (platform === 'weibo') {
        await v1.credentials.put(account.id, { accessToken: secret }, admin, TEST_ACTOR);
      } else {
        await v1.credentials.put(
          account.id,
          { appId: account.wechatAppId!, appSecret: secret },
          admin,
          TEST_ACTOR,
        );
        await v1.tokens.getAccessToken(account.wechatAppId!);
        appIds.push(account.wechatAppId!);
        wechatSecrets.push(secret);
      }
    }
    const rotated = services(dataSource, `${V1},${V2}`);
    expect(await rotated.credentials.reencryptAll(5)).toEqual({
      activeVersion: 'v2',
      credentials: 23,
      tokens: appIds.length,
      remaining: 0,
    });
    const versions = await dataSource.query<{ key_version: string; n: number }[]>(
      `SELECT key_version, count(*)::int AS n FROM (
         SELECT key_version FROM platform_credentials WHERE ciphertext IS NOT NULL
         UNION ALL SELECT key_version FROM wechat_access_tokens WHERE ciphertext IS NOT NULL) v
       GROUP BY key_version`,
    );
    expect(versions).toEqual([{ key_version: 'v2', n: 23 + appIds.length }]);
    expect(await rotated.credentials.reencryptAll(5)).toMatchObject({
      credentials: 0,
      tokens: 0,
      remaining: 0,
    });

    // With v1 removed from the ring, every secret and cached token still decrypts.
    const v2only = services(dataSource, V2);
    for (const [accountId, secret] of secrets) {
      const [row] = await dataSource.query<{ kind: string }[]>(
        `SELECT kind FROM platform_credentials WHERE account_id = $1 AND state = 'valid'`,
        [accountId],
      );
      if (row.kind === 'weibo_token')
        expect(await v2only.credentials.weiboAccessToken(accountId)).toBe(secret);
    }
    for (const appId of appIds)
      expect(await v2only.tokens.getAccessToken(appId)).toMatch(/^token-/);
    expect(v2only.source.calls).toHaveLength(0);
    await dataSource.query(
      `UPDATE wechat_access_tokens SET expires_at = now() WHERE app_id = ANY($1)`,
      [appIds],
    );
    for (const appId of appIds) await v2only.tokens.getAccessToken(appId);
    expect(v2only.source.calls.map((c) => c.appSecret).sort()).toEqual([...wechatSecrets].sort());
    expect(v2only.source.calls).toHaveLength(appIds.length);
  });

  it('wires as a Nest module with a token source from outside', async () => {
    const source = new FakeWechatTokenSource();
    const keyRing = parseKeyRing(V1);
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot(buildDataSourceOptions(url, 2)),
        AuditModule,
        CredentialsModule.register({
          tokenSource: { provide: WECHAT_TOKEN_SOURCE, useValue: source },
          keyRing,
          http: false,
        }),
      ],
    }).compile();
    try {
      const account = await seedAccount(dataSource, 'wechat');
      const appId = account.wechatAppId!;
      await moduleRef
        .get(CredentialsService)
        .put(account.id, { appId, appSecret: 'z'.repeat(32) }, admin, TEST_ACTOR);
      expect(await moduleRef.get(WechatTokenService).getAccessToken(appId)).toBe('token-1');
      expect(moduleRef.get(CREDENTIALS_KEY_RING)).toBe(keyRing);
    } finally {
      await moduleRef.close();
    }
  });
});

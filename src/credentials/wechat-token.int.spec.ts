import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../test/support/database';
import { AuditService } from '../audit/audit.service';
import { PlatformError } from '../platforms/platform-error';
import { CredentialCipher, credentialAad, parseKeyRing } from './credential-cipher';
import { CredentialsService } from './credentials.service';
import {
  FakeWechatTokenSource,
  TEST_ACTOR,
  seedAccount,
  testPrincipal,
  wechatAuthError,
} from './credentials-testing';
import { WechatTokenService } from './wechat-token.service';

/** A withToken callback from a synchronous body: a throw becomes a rejection. */
const call =
  <T>(body: (token: string) => T) =>
  (token: string): Promise<T> =>
    new Promise<T>((resolve) => resolve(body(token)));

const SECRET = 'S3cret-canary-0123456789abcdef';
const ring = parseKeyRing(`v1:${randomBytes(32).toString('base64')}`);

/** One simulated process: its own pool, cipher and token service (hence its own coalescing). */
interface Proc {
  dataSource: DataSource;
  tokens: WechatTokenService;
}

describe('WechatTokenService (PostgreSQL, 3 processes)', () => {
  let url: string;
  const procs: Proc[] = [];
  let source: FakeWechatTokenSource;
  let appId: string;
  let credentials: CredentialsService;

  const proc = (source: FakeWechatTokenSource, dataSource: DataSource) =>
    new WechatTokenService(dataSource, new CredentialCipher(ring), source);

  beforeAll(async () => {
    url = await createTestDatabase();
    for (let i = 0; i < 3; i++) {
      const dataSource = await openTestDataSource(url);
      procs.push({ dataSource, tokens: null as unknown as WechatTokenService });
    }
    credentials = new CredentialsService(
      procs[0].dataSource,
      new CredentialCipher(ring),
      new AuditService(),
    );
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.dataSource.destroy()));
  });

  // A fresh app id (account + credential) and fresh service instances per test.
  beforeEach(async () => {
    source = new FakeWechatTokenSource();
    const account = await seedAccount(procs[0].dataSource, 'wechat');
    appId = account.wechatAppId!;
    await credentials.put(account.id, { appId, appSecret: SECRET }, testPrincipal(), TEST_ACTOR);
    for (const p of procs) p.tokens = proc(source, p.dataSource);
  });

  const state = async () =>
    (
      await procs[0].dataSource.query<
        { state: string; last_error_class: string | null; fetch_count: number }[]
      >(
        `SELECT c.state, c.last_error_class, t.fetch_count FROM platform_credentials c
         LEFT JOIN wechat_access_tokens t ON t.app_id = c.app_id WHERE c.app_id = $1`,
        [appId],
      )
    )[0];

  it('fetches with the decrypted secret in normal mode and caches the token', async () => {
    expect(await procs[0].tokens.getAccessToken(appId)).toBe('token-1');
    expect(source.calls).toEqual([{ appId, appSecret: SECRET, forceRefresh: false }]);
    // Another process, another instance: served from the database without fetching.
    expect(await procs[1].tokens.getAccessToken(appId)).toBe('token-1');
    expect(await proc(source, procs[2].dataSource).getAccessToken(appId)).toBe('token-1');
    expect(source.calls).toHaveLength(1);
    expect(await state()).toEqual({ state: 'valid', last_error_class: null, fetch_count: 1 });
  });

  it('refreshes a token that expires within 5 minutes, and keeps one with more left', async () => {
    await procs[0].tokens.getAccessToken(appId);
    await procs[0].dataSource.query(
      `UPDATE wechat_access_tokens SET expires_at = now() + interval '5 minutes 30 seconds' WHERE app_id = $1`,
      [appId],
    );
    expect(await procs[1].tokens.getAccessToken(appId)).toBe('token-1');
    await procs[0].dataSource.query(
      `UPDATE wechat_access_tokens SET expires_at = now() + interval '4 minutes' WHERE app_id = $1`,
      [appId],
    );
    expect(await procs[1].tokens.getAccessToken(appId)).toBe('token-2');
    expect(source.calls).toHaveLength(2);
  });

  it.each([
    ['no token yet', null],
    ['an expired token', `now() - interval '1 minute'`],
    ['a token inside the 5-minute margin', `now() + interval '299 seconds'`],
  ])(
    'single flight with %s: 50 concurrent calls over 3 processes make exactly 1 fetch',
    async (_, expiry) => {
      if (expiry) {
        await procs[0].tokens.getAccessToken(appId);
        await procs[0].dataSource.query(
          `UPDATE wechat_access_tokens SET expires_at = ${expiry} WHERE app_id = $1`,
          [appId],
        );
        source.calls.length = 0;
        for (const p of procs) p.tokens = proc(source, p.dataSource);
      }
      source.delayMs = 100;
      source.queue = ['the-one-token'];
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => procs[i % 3].tokens.getAccessToken(appId)),
      );
      expect(source.calls).toHaveLength(1);
      expect(new Set(results)).toEqual(new Set(['the-one-token']));
    },
  );

  it('withToken: one auth error → one extra refresh and exactly 2 calls of fn', async () => {
    const seen: string[] = [];
    const result = await procs[0].tokens.withToken(
      appId,
      call((token) => {
        seen.push(token);
        if (seen.length === 1) throw wechatAuthError('40001');
        return 'ok';
      }),
    );
    expect(result).toBe('ok');
    expect(seen).toEqual(['token-1', 'token-2']);
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, false]);
    expect(await state()).toMatchObject({ state: 'valid', last_error_class: null });
  });

  it('withToken: gives up with the error after two consecutive auth errors and marks the credential', async () => {
    let calls = 0;
    const error = wechatAuthError('42001');
    await expect(
      procs[0].tokens.withToken(
        appId,
        call(() => {
          calls++;
          throw error;
        }),
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(2);
    expect(source.calls).toHaveLength(2);
    expect(await state()).toMatchObject({ state: 'expired', last_error_class: 'auth' });
    // The next success marks it valid again.
    await procs[0].tokens.withToken(
      appId,
      call(() => 'ok'),
    );
    await procs[0].dataSource.query(
      `UPDATE wechat_access_tokens SET expires_at = now() WHERE app_id = $1`,
      [appId],
    );
    await procs[0].tokens.getAccessToken(appId);
    expect(await state()).toMatchObject({ state: 'valid', last_error_class: null });
  });

  it('withToken: other errors are not retried', async () => {
    const error = new PlatformError('wechat', {
      errorClass: 'transient',
      code: '-1',
      message: 'busy',
    });
    let calls = 0;
    await expect(
      procs[0].tokens.withToken(
        appId,
        call(() => {
          calls++;
          throw error;
        }),
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(source.calls).toHaveLength(1);
  });

  it('never force-refreshes: when normal mode returns the rejected token, withToken gives up', async () => {
    source.stable = true;
    const seen: string[] = [];
    await expect(
      procs[0].tokens.withToken(
        appId,
        call((token) => {
          seen.push(token);
          throw wechatAuthError('40001');
        }),
      ),
    ).rejects.toBeInstanceOf(PlatformError);
    expect(seen).toEqual(['token-1', 'token-1']);
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, false]);
  });

  it('a rejection storm over 3 processes refreshes once (no rotation caused by us)', async () => {
    await procs[0].tokens.getAccessToken(appId);
    source.calls.length = 0;
    source.delayMs = 50;
    const rejected = new Set<string>();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        procs[i % 3].tokens.withToken(
          appId,
          call((token) => {
            if (token === 'token-1') {
              rejected.add(token);
              throw wechatAuthError('40014');
            }
            return token;
          }),
        ),
      ),
    );
    expect(new Set(results)).toEqual(new Set(['token-2']));
    expect(source.calls).toEqual([{ appId, appSecret: SECRET, forceRefresh: false }]);
  });

  it('records a failed fetch on the credential and rethrows it', async () => {
    source.failWith = wechatAuthError('40001');
    await expect(procs[0].tokens.getAccessToken(appId)).rejects.toBe(source.failWith);
    expect(await state()).toMatchObject({
      state: 'expired',
      last_error_class: 'auth',
      fetch_count: 0,
    });
    source.failWith = new PlatformError('wechat', {
      errorClass: 'rate_limited',
      code: '45011',
      message: 'x',
    });
    await expect(procs[0].tokens.getAccessToken(appId)).rejects.toBe(source.failWith);
    expect(await state()).toMatchObject({ state: 'expired', last_error_class: 'rate_limited' });
  });

  it('rotating a credential while tokens refresh neither deadlocks nor serves a token after it', async () => {
    const [{ account_id }] = await procs[0].dataSource.query<{ account_id: number }[]>(
      'SELECT account_id FROM platform_credentials WHERE app_id = $1',
      [appId],
    );
    source.delayMs = 30;
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      work.push(
        credentials.put(
          account_id,
          { appId, appSecret: `rotated-secret-${i}-00000000` },
          testPrincipal(),
          TEST_ACTOR,
        ),
      );
      for (let j = 0; j < 3; j++) work.push(procs[j].tokens.getAccessToken(appId));
    }
    await Promise.all(work);
    // Whatever is cached now was fetched with the secret stored last (token-n comes from call n).
    const [row] = await procs[0].dataSource.query<
      { id: number; key_version: string; iv: Buffer; ciphertext: Buffer; tag: Buffer }[]
    >(
      `SELECT id, key_version, iv, ciphertext, tag FROM platform_credentials
       WHERE app_id = $1 AND state = 'valid'`,
      [appId],
    );
    const stored = new CredentialCipher(ring).decrypt(
      { keyVersion: row.key_version, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag },
      credentialAad(row.id, 'wechat_app'),
    );
    expect(stored).toMatch(/^rotated-secret-/);
    const cached = await procs[0].tokens.getAccessToken(appId);
    const n = Number(cached.replace('token-', ''));
    expect(source.calls[n - 1].appSecret).toBe(stored);
  });

  it('refuses an app id without a live credential, and stops using a revoked one', async () => {
    await expect(procs[0].tokens.getAccessToken('wxffffffffffffffff')).rejects.toMatchObject({
      code: 'CREDENTIAL_NO_WECHAT_APP',
    });
    await procs[0].tokens.getAccessToken(appId);
    const [{ account_id }] = await procs[0].dataSource.query<{ account_id: number }[]>(
      'SELECT account_id FROM platform_credentials WHERE app_id = $1',
      [appId],
    );
    await credentials.revoke(account_id, testPrincipal(), TEST_ACTOR);
    await expect(procs[1].tokens.getAccessToken(appId)).rejects.toMatchObject({
      code: 'CREDENTIAL_NO_WECHAT_APP',
    });
  });

  describe('prefetch (a collection job readies its app ids at once)', () => {
    const moreApps = async (n: number): Promise<string[]> => {
      const ids = [appId];
      for (let i = 1; i < n; i++) {
        const account = await seedAccount(procs[0].dataSource, 'wechat');
        await credentials.put(
          account.id,
          { appId: account.wechatAppId!, appSecret: SECRET },
          testPrincipal(),
          TEST_ACTOR,
        );
        ids.push(account.wechatAppId!);
      }
      return ids;
    };
    const fetchCounts = async (ids: string[]) =>
      (
        await procs[0].dataSource.query<{ app_id: string; fetch_count: number }[]>(
          `SELECT app_id, fetch_count FROM wechat_access_tokens WHERE app_id = ANY($1) ORDER BY app_id`,
          [ids],
        )
      ).map((r) => r.fetch_count);

    it('fetches each missing token once, stores it, and later calls need neither platform nor table', async () => {
      const ids = await moreApps(6);
      await procs[0].tokens.prefetch(ids);
      expect(source.calls.map((c) => c.appId).sort()).toEqual([...ids].sort());
      expect(await fetchCounts(ids)).toEqual(ids.map(() => 1));
      const stored = await procs[0].dataSource.query<{ state: string }[]>(
        'SELECT state FROM platform_credentials WHERE app_id = ANY($1)',
        [ids],
      );
      expect(stored.map((r) => r.state)).toEqual(ids.map(() => 'valid'));
      // Served from the prefetch even though the table now says expired (memo off in tests).
      await procs[0].dataSource.query(
        `UPDATE wechat_access_tokens SET expires_at = now() - interval '1 minute' WHERE app_id = ANY($1)`,
        [ids],
      );
      const tokens = await Promise.all(ids.map((id) => procs[0].tokens.getAccessToken(id)));
      expect(new Set(tokens).size).toBe(ids.length);
      expect(source.calls).toHaveLength(ids.length);
      // Another process reads the table and refreshes the now expired tokens itself.
      await procs[1].tokens.getAccessToken(ids[0]);
      expect(source.calls).toHaveLength(ids.length + 1);
    });

    it('keeps fresh tokens without fetching, and refreshes only the stale ones', async () => {
      const ids = await moreApps(4);
      await procs[0].tokens.prefetch(ids);
      await procs[0].dataSource.query(
        `UPDATE wechat_access_tokens SET expires_at = now() + interval '4 minutes' WHERE app_id = $1`,
        [ids[1]],
      );
      await procs[1].tokens.prefetch(ids);
      expect(source.calls.filter((c) => c.appId === ids[1])).toHaveLength(2);
      expect(source.calls).toHaveLength(ids.length + 1);
    });

    it('3 processes prefetching and asking at once fetch each token exactly once (R8)', async () => {
      const ids = await moreApps(8);
      source.delayMs = 80;
      const asks = Array.from({ length: 24 }, (_, i) =>
        procs[i % 3].tokens.getAccessToken(ids[i % ids.length]),
      );
      await Promise.all([...procs.map((p) => p.tokens.prefetch(ids)), ...asks]);
      const perApp = new Map<string, number>();
      for (const c of source.calls) perApp.set(c.appId, (perApp.get(c.appId) ?? 0) + 1);
      expect([...perApp.values()]).toEqual(ids.map(() => 1));
      expect(await fetchCounts(ids)).toEqual(ids.map(() => 1));
    });

    it('a failed fetch is recorded once and thrown by the next ask without a second call', async () => {
      source.failWith = wechatAuthError('40125');
      await procs[0].tokens.prefetch([appId]);
      expect(source.calls).toHaveLength(1);
      expect(await state()).toMatchObject({ state: 'expired', last_error_class: 'auth' });
      await expect(procs[0].tokens.getAccessToken(appId)).rejects.toBe(source.failWith);
      expect(source.calls).toHaveLength(1);
      // Thrown once only: the ask after that goes to the platform again.
      source.failWith = null;
      expect(await procs[0].tokens.getAccessToken(appId)).toBe('token-1');
      expect(source.calls).toHaveLength(2);
    });

    it('never throws: a database failure leaves the per-app path to do the work', async () => {
      const broken = new WechatTokenService(
        procs[2].dataSource,
        new CredentialCipher(ring),
        source,
      );
      await procs[2].dataSource.query(`ALTER TABLE wechat_access_tokens RENAME TO wat_hidden`);
      try {
        await expect(broken.prefetch([appId])).resolves.toBeUndefined();
      } finally {
        await procs[2].dataSource.query(`ALTER TABLE wat_hidden RENAME TO wechat_access_tokens`);
      }
      expect(source.calls).toHaveLength(0);
      expect(await broken.getAccessToken(appId)).toBe('token-1');
    });
  });
});

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { PlatformError } from '../platforms/platform-error';
import { WECHAT_TOKEN_SOURCE, type WechatTokenSource } from '../platforms/wechat-token-source';
import { CredentialCipher, credentialAad, tokenAad } from './credential-cipher';
import { CredentialsErrorCode, CredentialsException } from './credentials.exception';
import { decryptColumns, envelopeParams, recordWechatAppCheck } from './credential-store';

/** Refresh this long before expiry (stable_token itself rotates 5 minutes before). */
export const TOKEN_REFRESH_MARGIN_SECONDS = 300;

interface TokenRow {
  key_version: string | null;
  iv: Buffer | null;
  ciphertext: Buffer | null;
  tag: Buffer | null;
  /** expires_at is at least TOKEN_REFRESH_MARGIN_SECONDS away (by the database clock). */
  fresh: boolean;
  /** Seconds until expires_at (database clock); null without a token. */
  remaining: number | null;
}

/** The app keeps a token it has read at most this long before asking the database again. */
export const TOKEN_MEMO_MS = 60_000;
/** Provider token for the memo time (ms); without it (tests) every call reads the database. */
export const WECHAT_TOKEN_MEMO_MS = Symbol('WECHAT_TOKEN_MEMO_MS');

interface SecretRow {
  id: number;
  key_version: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function isAuthError(err: unknown): err is PlatformError {
  return err instanceof PlatformError && err.errorClass === 'auth';
}

/**
 * WeChat access tokens, single-flight across processes (RELIABILITY.md R8): the cached token row
 * is locked while one process refreshes it, and calls within a process share one promise per app id.
 * Tokens are stored encrypted (AAD `token:<app_id>`); times are the database's, not each replica's.
 */
@Injectable()
export class WechatTokenService {
  private readonly logger = new Logger(WechatTokenService.name);
  private readonly inflight = new Map<string, Promise<string>>();
  /**
   * Tokens this process has read or fetched, until the earlier of TOKEN_MEMO_MS and the refresh
   * margin: collection asks for a token before every request, and most asks then cost nothing.
   */
  private readonly memo = new Map<string, { token: string; until: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: CredentialCipher,
    @Inject(WECHAT_TOKEN_SOURCE) private readonly source: WechatTokenSource,
    @Optional() @Inject(WECHAT_TOKEN_MEMO_MS) memoMs: number | null = null,
  ) {
    this.memoMs = memoMs ?? 0;
  }

  private readonly memoMs: number;

  /** A token valid for at least 5 more minutes. */
  getAccessToken(appId: string): Promise<string> {
    return this.coalesce(appId, appId, () => this.obtain(appId, null));
  }

  /**
   * The platform rejected `rejected` (40001/40014/42001): returns a new token, refreshed at most
   * once across all processes for that rejected token. Never force_refresh: it would also cut off
   * every other system using this AppID's token (and is capped at 20/day); if normal mode hands
   * back the rejected token, the caller's retry fails and the credential is marked for a human.
   */
  invalidate(appId: string, rejected: string): Promise<string> {
    if (this.memo.get(appId)?.token === rejected) this.memo.delete(appId);
    return this.coalesce(appId, `${appId}\u0000${rejected}`, () => this.obtain(appId, rejected));
  }

  /** Runs `fn` with a token; on an auth error refreshes once and retries once. */
  async withToken<T>(appId: string, fn: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.getAccessToken(appId);
    try {
      return await fn(token);
    } catch (err) {
      if (!isAuthError(err)) throw err;
      this.logger.warn(`${appId}: token rejected (${err.code}); refreshing once`);
    }
    const fresh = await this.invalidate(appId, token);
    try {
      return await fn(fresh);
    } catch (err) {
      if (isAuthError(err)) await this.recordCheck(appId, 'auth');
      throw err;
    }
  }

  private coalesce(appId: string, key: string, run: () => Promise<string>): Promise<string> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const promise = run().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private async obtain(appId: string, rejected: string | null): Promise<string> {
    if (rejected === null) {
      const memo = this.memo.get(appId);
      if (memo && memo.until > Date.now()) return memo.token;
      const row = await this.read(this.dataSource.manager, appId, false);
      const cached = this.decryptFresh(appId, row, null);
      if (cached !== null) return this.remember(appId, cached, row?.remaining ?? 0);
    }
    let outcome: { token: string; fetched: boolean; remaining: number } | { error: unknown };
    try {
      outcome = await this.dataSource.transaction((m) => this.refresh(m, appId, rejected));
    } catch (error) {
      outcome = { error };
    }
    // Marks are written after the token transaction: a failure's survives the rollback, and the
    // token lock is never held while waiting for a credential row (PUT locks them the other way).
    if ('error' in outcome) {
      if (outcome.error instanceof PlatformError) {
        await this.recordCheck(appId, outcome.error.errorClass);
      }
      throw outcome.error;
    }
    if (outcome.fetched) await this.recordCheck(appId, null);
    return this.remember(appId, outcome.token, outcome.remaining);
  }

  private remember(appId: string, token: string, remainingSeconds: number): string {
    const usable = (remainingSeconds - TOKEN_REFRESH_MARGIN_SECONDS) * 1000;
    if (usable > 0 && this.memoMs > 0) {
      if (this.memo.size >= 10_000) this.memo.clear();
      this.memo.set(appId, { token, until: Date.now() + Math.min(usable, this.memoMs) });
    }
    return token;
  }

  /** Under the row lock: re-check, then fetch only if nobody else has refreshed meanwhile. */
  private async refresh(
    manager: EntityManager,
    appId: string,
    rejected: string | null,
  ): Promise<{ token: string; fetched: boolean; remaining: number }> {
    await manager.query(
      'INSERT INTO wechat_access_tokens (app_id) VALUES ($1) ON CONFLICT (app_id) DO NOTHING',
      [appId],
    );
    const locked = await this.read(manager, appId, true);
    if (!locked) throw new Error(`wechat_access_tokens row for ${appId} missing after insert`);
    const cached = this.decryptFresh(appId, locked, rejected);
    if (cached !== null) return { token: cached, fetched: false, remaining: locked.remaining ?? 0 };

    const secret = await this.secret(manager, appId);
    const fetched = await this.source.fetchStableToken(appId, secret, false);
    if (rejected !== null && fetched.accessToken === rejected) {
      this.logger.warn(
        `${appId}: stable_token still returns the rejected token; not forcing a refresh`,
      );
      // Not remembered: the caller's retry will fail and mark the credential.
      return { token: fetched.accessToken, fetched: false, remaining: 0 };
    }
    const envelope = this.cipher.encrypt(fetched.accessToken, tokenAad(appId));
    await manager.query(
      `UPDATE wechat_access_tokens SET key_version = $2, iv = $3, ciphertext = $4, tag = $5,
         expires_at = now() + make_interval(secs => $6), fetched_at = now(),
         fetch_count = fetch_count + 1
       WHERE app_id = $1`,
      [appId, ...envelopeParams(envelope), fetched.expiresInSeconds],
    );
    return { token: fetched.accessToken, fetched: true, remaining: fetched.expiresInSeconds };
  }

  private decryptFresh(
    appId: string,
    row: TokenRow | undefined,
    rejected: string | null,
  ): string | null {
    if (!row?.fresh || !row.key_version || !row.iv || !row.ciphertext || !row.tag) return null;
    const token = decryptColumns(
      this.cipher,
      { key_version: row.key_version, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag },
      tokenAad(appId),
    );
    return token === rejected ? null : token;
  }

  private async read(
    manager: EntityManager,
    appId: string,
    lock: boolean,
  ): Promise<TokenRow | undefined> {
    const [row] = await manager.query<TokenRow[]>(
      `SELECT key_version, iv, ciphertext, tag,
              coalesce(expires_at > now() + make_interval(secs => $2), false) AS fresh,
              extract(epoch FROM expires_at - now())::float8 AS remaining
       FROM wechat_access_tokens WHERE app_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [appId, TOKEN_REFRESH_MARGIN_SECONDS],
    );
    return row;
  }

  private async secret(manager: EntityManager, appId: string): Promise<string> {
    const [row] = await manager.query<SecretRow[]>(
      `SELECT id, key_version, iv, ciphertext, tag FROM platform_credentials
       WHERE app_id = $1 AND kind = 'wechat_app' AND state <> 'revoked'`,
      [appId],
    );
    if (!row) {
      throw new CredentialsException(
        CredentialsErrorCode.NoWechatCredential,
        `No WeChat credential is attached for ${appId}; PUT /api/v1/accounts/<id>/credentials first.`,
      );
    }
    return decryptColumns(this.cipher, row, credentialAad(row.id, 'wechat_app'));
  }

  private async recordCheck(
    appId: string,
    errorClass: PlatformError['errorClass'] | null,
  ): Promise<void> {
    await recordWechatAppCheck(this.dataSource.manager, appId, errorClass);
  }
}

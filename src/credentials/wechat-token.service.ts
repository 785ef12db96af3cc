import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { PlatformError } from '../platforms/platform-error';
import { WECHAT_TOKEN_SOURCE, type WechatTokenSource } from '../platforms/wechat-token-source';
import { CredentialCipher, credentialAad, tokenAad } from './credential-cipher';
import { CredentialsErrorCode, CredentialsException } from './credentials.exception';
import {
  decryptColumns,
  envelopeParams,
  recordWechatAppCheck,
  recordWechatAppChecks,
} from './credential-store';

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

/** A token row's envelope, and its freshness by the database clock ($2: refresh margin, s). */
const TOKEN_COLUMNS = `key_version, iv, ciphertext, tag,
  coalesce(expires_at > now() + make_interval(secs => $2), false) AS fresh,
  extract(epoch FROM expires_at - now())::float8 AS remaining`;

/** The app keeps a token it has read at most this long before asking the database again. */
export const TOKEN_MEMO_MS = 60_000;
/** Most tokens memoised at once (a national deployment's worker sees ~10^5 app ids a day). */
const MEMO_MAX_ENTRIES = 50_000;
/** Provider token for the memo time (ms); without it (tests) every call reads the database. */
export const WECHAT_TOKEN_MEMO_MS = Symbol('WECHAT_TOKEN_MEMO_MS');

/**
 * A prefetched token (or a prefetch failure) is kept at least this long even when the memo is off,
 * so the accounts of the job that prefetched it use it without reading the database again.
 */
export const PREFETCH_HOLD_MS = 60_000;

interface SecretRow {
  id: number;
  app_id: string;
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
  /** Prefetch failures, thrown once by the app's next ask instead of calling the platform again. */
  private readonly failures = new Map<string, { error: unknown; until: number }>();

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
      const failure = this.failures.get(appId);
      if (failure) {
        this.failures.delete(appId);
        if (failure.until > Date.now()) throw failure.error;
      }
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

  private remember(
    appId: string,
    token: string,
    remainingSeconds: number,
    holdMs = this.memoMs,
  ): string {
    const usable = (remainingSeconds - TOKEN_REFRESH_MARGIN_SECONDS) * 1000;
    if (usable > 0 && holdMs > 0) {
      if (this.memo.size >= MEMO_MAX_ENTRIES) this.evictExpired();
      this.memo.set(appId, { token, until: Date.now() + Math.min(usable, holdMs) });
    }
    return token;
  }

  /** Drops expired memo entries; everything when the memo is still full (it stays bounded). */
  private evictExpired(): void {
    const now = Date.now();
    for (const [id, entry] of this.memo) if (entry.until <= now) this.memo.delete(id);
    for (const [id, entry] of this.failures) if (entry.until <= now) this.failures.delete(id);
    if (this.memo.size >= MEMO_MAX_ENTRIES) this.memo.clear();
  }

  /**
   * Readies tokens for many app ids at once (a collection job's accounts), so that their calls
   * cost no database round trip: one read for all; the missing or stale ones are refreshed in one
   * transaction under their row locks (rows another process holds are skipped — their callers wait
   * on the row as usual, R8), with the platform calls in parallel and one write for all. Never
   * throws: whatever is not readied here is obtained per app id as before.
   */
  async prefetch(appIds: readonly string[]): Promise<void> {
    const now = Date.now();
    const ids = [...new Set(appIds)].filter(
      (id) => !((this.memo.get(id)?.until ?? 0) > now) && !this.inflight.has(id),
    );
    if (ids.length === 0) return;
    try {
      const rows = await this.readMany(this.dataSource.manager, ids, false);
      const stale = ids.filter((id) => !this.rememberFresh(id, rows.get(id)));
      if (stale.length === 0) return;
      const { fetched, failed } = await this.dataSource.transaction((m) =>
        this.refreshMany(m, stale),
      );
      // Marks after the token transaction, as in obtain().
      await recordWechatAppChecks(this.dataSource.manager, fetched, null);
      for (const [appId, error] of failed) await this.recordCheck(appId, error.errorClass);
    } catch (err) {
      this.logger.warn(
        { err },
        `prefetching ${ids.length} WeChat tokens failed; fetching one by one`,
      );
    }
  }

  /** Memoises a row's token when it is fresh; false when it is not. */
  private rememberFresh(appId: string, row: TokenRow | undefined): boolean {
    const token = this.decryptFresh(appId, row, null);
    if (token === null) return false;
    this.remember(appId, token, row?.remaining ?? 0, Math.max(this.memoMs, PREFETCH_HOLD_MS));
    return true;
  }

  /** refresh() for many app ids: the app ids fetched from the platform, and the failures. */
  private async refreshMany(
    manager: EntityManager,
    appIds: string[],
  ): Promise<{ fetched: string[]; failed: Map<string, PlatformError> }> {
    const failed = new Map<string, PlatformError>();
    await manager.query(
      `INSERT INTO wechat_access_tokens (app_id)
       SELECT id FROM unnest($1::text[]) AS u(id) ORDER BY id
       ON CONFLICT (app_id) DO NOTHING`,
      [appIds],
    );
    const locked = await this.readMany(manager, appIds, true);
    const stale = [...locked.keys()].filter((id) => !this.rememberFresh(id, locked.get(id)));
    if (stale.length === 0) return { fetched: [], failed };
    const secrets = await manager.query<SecretRow[]>(
      `SELECT id, app_id, key_version, iv, ciphertext, tag FROM platform_credentials
       WHERE app_id = ANY($1::text[]) AND kind = 'wechat_app' AND state <> 'revoked'`,
      [stale],
    );
    const secretOf = new Map(secrets.map((r) => [r.app_id, r]));
    const results = await Promise.allSettled(
      stale.map(async (appId) => {
        const row = secretOf.get(appId);
        // No secret: left to the per-app path, which reports it.
        if (!row) return null;
        const secret = decryptColumns(this.cipher, row, credentialAad(row.id, 'wechat_app'));
        return { appId, ...(await this.source.fetchStableToken(appId, secret, false)) };
      }),
    );
    const fetched: { appId: string; accessToken: string; expiresInSeconds: number }[] = [];
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') {
        if (result.value) fetched.push(result.value);
      } else if (result.reason instanceof PlatformError) {
        // Thrown once to the app's next caller instead of asking the platform again.
        failed.set(stale[i], result.reason);
        this.failures.set(stale[i], { error: result.reason, until: Date.now() + PREFETCH_HOLD_MS });
      }
    }
    if (fetched.length > 0) {
      const envelopes = fetched.map((f) =>
        envelopeParams(this.cipher.encrypt(f.accessToken, tokenAad(f.appId))),
      );
      await manager.query(
        `UPDATE wechat_access_tokens t SET key_version = u.key_version, iv = u.iv,
           ciphertext = u.ciphertext, tag = u.tag, expires_at = now() + make_interval(secs => u.secs),
           fetched_at = now(), fetch_count = t.fetch_count + 1
         FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[], $6::float8[])
           AS u(app_id, key_version, iv, ciphertext, tag, secs)
         WHERE t.app_id = u.app_id`,
        [
          fetched.map((f) => f.appId),
          envelopes.map((e) => e[0]),
          envelopes.map((e) => e[1]),
          envelopes.map((e) => e[2]),
          envelopes.map((e) => e[3]),
          fetched.map((f) => f.expiresInSeconds),
        ],
      );
    }
    for (const f of fetched) {
      this.remember(
        f.appId,
        f.accessToken,
        f.expiresInSeconds,
        Math.max(this.memoMs, PREFETCH_HOLD_MS),
      );
    }
    return { fetched: fetched.map((f) => f.appId), failed };
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

  /** read() for many app ids; with `lock`, rows another transaction holds are skipped. */
  private async readMany(
    manager: EntityManager,
    appIds: string[],
    lock: boolean,
  ): Promise<Map<string, TokenRow>> {
    const rows = await manager.query<(TokenRow & { app_id: string })[]>(
      `SELECT app_id, ${TOKEN_COLUMNS} FROM wechat_access_tokens WHERE app_id = ANY($1::text[])
       ${lock ? 'ORDER BY app_id FOR UPDATE SKIP LOCKED' : ''}`,
      [appIds, TOKEN_REFRESH_MARGIN_SECONDS],
    );
    return new Map(rows.map((r) => [r.app_id, r]));
  }

  private async read(
    manager: EntityManager,
    appId: string,
    lock: boolean,
  ): Promise<TokenRow | undefined> {
    const [row] = await manager.query<TokenRow[]>(
      `SELECT ${TOKEN_COLUMNS} FROM wechat_access_tokens WHERE app_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
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

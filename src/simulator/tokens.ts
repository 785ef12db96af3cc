import { shanghaiDay } from './dates';
import { hash32, salt } from './rng';

// WeChat access tokens, kept in memory per app id that has asked for one.

export const TOKEN_TTL_SECONDS = 7200;
/** Old token still accepted after a replacement (both getAccessToken and stable force_refresh). */
export const OVERLAP_MS = 5 * 60_000;
/** stable_token normal mode renews when less than this remains. */
export const STABLE_RENEW_SECONDS = 300;
export const BASIC_DAILY_QUOTA = 2000;
export const FORCE_REFRESH_DAILY_LIMIT = 20;
export const FORCE_REFRESH_MIN_GAP_MS = 30_000;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const TOKEN_LENGTH = 136;
const SALT_TOKEN = salt('wechat-token');

type TokenKind = 'basic' | 'stable';

interface TokenRecord {
  token: string;
  appIndex: number;
  kind: TokenKind;
  expiresAt: number;
  /** Set when replaced: the end of the overlap window. */
  revokedAt?: number;
}

interface AppTokens {
  basic?: TokenRecord;
  stable?: TokenRecord;
  quotaDay: number;
  basicCalls: number;
  forceRefreshes: number;
  lastForceRefreshAt?: number;
}

export type TokenIssue =
  | { ok: true; access_token: string; expires_in: number }
  | { ok: false; errcode: number; errmsg: string };

export type TokenCheck =
  | { ok: true; appIndex: number }
  | { ok: false; errcode: number; errmsg: string; appIndex?: number };

const QUOTA_ERROR = {
  ok: false,
  errcode: 45009,
  errmsg: 'reach max api daily quota limit',
} as const;

export class WechatTokenStore {
  private readonly apps = new Map<number, AppTokens>();
  private readonly byToken = new Map<string, TokenRecord>();
  private issued = 0;

  constructor(
    private readonly seed: number,
    private readonly now: () => Date,
  ) {}

  /** GET /cgi-bin/token: every call issues a new token; the previous one overlaps 5 minutes. */
  issueBasic(appIndex: number): TokenIssue {
    const app = this.app(appIndex);
    if (app.basicCalls >= BASIC_DAILY_QUOTA) return QUOTA_ERROR;
    app.basicCalls += 1;
    app.basic = this.replace(app.basic, appIndex, 'basic');
    return { ok: true, access_token: app.basic.token, expires_in: TOKEN_TTL_SECONDS };
  }

  /** POST /cgi-bin/stable_token, isolated from basic tokens. */
  issueStable(appIndex: number, forceRefresh: boolean): TokenIssue {
    const app = this.app(appIndex);
    const nowMs = this.now().getTime();
    const current = app.stable;
    if (!forceRefresh && current !== undefined && current.revokedAt === undefined) {
      const remaining = Math.floor((current.expiresAt - nowMs) / 1000);
      if (remaining >= STABLE_RENEW_SECONDS) {
        return { ok: true, access_token: current.token, expires_in: remaining };
      }
      // Renewed near expiry: the old token simply runs out at its own expiry.
      app.stable = this.issue(appIndex, 'stable');
      return { ok: true, access_token: app.stable.token, expires_in: TOKEN_TTL_SECONDS };
    }
    if (forceRefresh) {
      const tooSoon =
        app.lastForceRefreshAt !== undefined &&
        nowMs - app.lastForceRefreshAt < FORCE_REFRESH_MIN_GAP_MS;
      if (app.forceRefreshes >= FORCE_REFRESH_DAILY_LIMIT || tooSoon) return QUOTA_ERROR;
      app.forceRefreshes += 1;
      app.lastForceRefreshAt = nowMs;
    }
    app.stable = this.replace(current, appIndex, 'stable');
    return { ok: true, access_token: app.stable.token, expires_in: TOKEN_TTL_SECONDS };
  }

  /** The app a token was issued to, valid or not (fault scoping needs it). */
  ownerOf(token: string): number | undefined {
    return this.byToken.get(token)?.appIndex;
  }

  check(token: string | undefined): TokenCheck {
    if (token === undefined || token === '') {
      return { ok: false, errcode: 41001, errmsg: 'access_token missing' };
    }
    const record = this.byToken.get(token);
    if (record === undefined) {
      return { ok: false, errcode: 40014, errmsg: 'invalid access_token' };
    }
    const nowMs = this.now().getTime();
    if (nowMs >= record.expiresAt) {
      return {
        ok: false,
        errcode: 42001,
        errmsg: 'access_token expired',
        appIndex: record.appIndex,
      };
    }
    if (record.revokedAt !== undefined && nowMs >= record.revokedAt) {
      return {
        ok: false,
        errcode: 40001,
        errmsg: 'invalid credential, access_token is invalid or not latest',
        appIndex: record.appIndex,
      };
    }
    return { ok: true, appIndex: record.appIndex };
  }

  private app(appIndex: number): AppTokens {
    const today = shanghaiDay(this.now());
    let app = this.apps.get(appIndex);
    if (app === undefined) {
      app = { quotaDay: today, basicCalls: 0, forceRefreshes: 0 };
      this.apps.set(appIndex, app);
    }
    if (app.quotaDay !== today) {
      app.quotaDay = today;
      app.basicCalls = 0;
      app.forceRefreshes = 0;
    }
    return app;
  }

  private replace(previous: TokenRecord | undefined, appIndex: number, kind: TokenKind) {
    const nowMs = this.now().getTime();
    if (previous !== undefined) {
      previous.revokedAt = Math.min(previous.revokedAt ?? Infinity, nowMs + OVERLAP_MS);
    }
    this.prune(nowMs);
    return this.issue(appIndex, kind);
  }

  private issue(appIndex: number, kind: TokenKind): TokenRecord {
    this.issued += 1;
    let token = '';
    for (let i = 0; token.length < TOKEN_LENGTH; i += 1) {
      const h = hash32(this.seed, appIndex, this.issued, i, SALT_TOKEN);
      for (let k = 0; k < 4; k += 1) token += ALPHABET[(h >>> (k * 6)) & 63];
    }
    const record: TokenRecord = {
      token: token.slice(0, TOKEN_LENGTH),
      appIndex,
      kind,
      expiresAt: this.now().getTime() + TOKEN_TTL_SECONDS * 1000,
    };
    this.byToken.set(record.token, record);
    return record;
  }

  /** Drops tokens that can never be accepted again, keeping them long enough to answer 42001. */
  private prune(nowMs: number): void {
    if (this.byToken.size < 10_000) return;
    for (const [token, record] of this.byToken) {
      const deadAt = Math.min(record.expiresAt, record.revokedAt ?? Infinity);
      if (nowMs - deadAt > 24 * 3600_000) this.byToken.delete(token);
    }
  }
}

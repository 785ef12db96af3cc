import type { DataSource } from 'typeorm';
import type { Actor, Principal } from '../auth/principal';
import { PlatformError } from '../platforms/platform-error';
import type { WechatTokenSource } from '../platforms/wechat-token-source';

/**
 * Test doubles for code that uses credentials (this folder's specs, and e2e specs that do not run
 * the simulator). Not used by the application.
 */
export class FakeWechatTokenSource implements WechatTokenSource {
  readonly calls: { appId: string; appSecret: string; forceRefresh: boolean }[] = [];
  /** Tokens to hand out in order; after they run out, `token-<n>` (n counts tokens issued). */
  queue: string[] = [];
  delayMs = 0;
  expiresInSeconds = 7200;
  /** Normal mode returns the current token again, as stable_token does while it is valid. */
  stable = false;
  failWith: PlatformError | null = null;
  private current: string | null = null;
  private issued = 0;

  async fetchStableToken(appId: string, appSecret: string, forceRefresh: boolean) {
    this.calls.push({ appId, appSecret, forceRefresh });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failWith) throw this.failWith;
    if (!this.stable || forceRefresh || this.current === null) {
      this.current = this.queue.shift() ?? `token-${++this.issued}`;
    }
    return { accessToken: this.current, expiresInSeconds: this.expiresInSeconds };
  }
}

export function wechatAuthError(code = '40001'): PlatformError {
  return new PlatformError('wechat', { errorClass: 'auth', code, message: 'invalid credential' });
}

export const TEST_ACTOR: Actor = { apiKeyId: null, name: 'test', correlationId: 'test' };

export function testPrincipal(overrides: Partial<Principal> = {}): Principal {
  return { apiKeyId: 1, name: 'test', role: 'admin', regionCode: null, ...overrides };
}

let sequence = 0;

/** Registers an organization in `regionCode` and one account on it; returns the account id. */
export async function seedAccount(
  dataSource: DataSource,
  platform: 'wechat' | 'weibo',
  options: { regionCode?: string; wechatAppId?: string | null } = {},
): Promise<{ id: number; wechatAppId: string | null }> {
  const n = ++sequence;
  const [org] = await dataSource.query<{ id: number }[]>(
    `INSERT INTO organizations (name, region_code, level, sector)
     VALUES ($1, $2, 'municipal', 'public_security') RETURNING id`,
    [`org ${n}`, options.regionCode ?? '510100'],
  );
  const appId =
    platform === 'wechat'
      ? options.wechatAppId === undefined
        ? `wx${n.toString(16).padStart(16, '0')}`
        : options.wechatAppId
      : null;
  const [account] = await dataSource.query<{ id: number }[]>(
    `INSERT INTO accounts (platform, wechat_original_id, wechat_app_id, weibo_uid, display_name, organization_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      platform,
      platform === 'wechat' ? `gh_${n.toString(16).padStart(12, '0')}` : null,
      appId,
      platform === 'weibo' ? String(1_000_000_000 + n) : null,
      `账号 ${n}`,
      org.id,
    ],
  );
  return { id: account.id, wechatAppId: appId };
}

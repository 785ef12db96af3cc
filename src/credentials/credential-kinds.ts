import type { Platform } from '../accounts/account-taxonomy';

// 'wechat_authorizer' (third-party platform authorizer_refresh_token) is expected later: add it
// here and in a migration that replaces ck_platform_credentials_kind.
export const CREDENTIAL_KINDS = ['wechat_app', 'weibo_token'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const CREDENTIAL_STATES = ['valid', 'expired', 'revoked'] as const;
export type CredentialState = (typeof CREDENTIAL_STATES)[number];

/** The kind an account of each platform holds today. */
export const KIND_BY_PLATFORM: Record<Platform, CredentialKind> = {
  wechat: 'wechat_app',
  weibo: 'weibo_token',
};
